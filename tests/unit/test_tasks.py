"""Service-task functions (validate_close, check_disqualification, open_opportunity) and the
close request the use case checks against the diagram's terminal events."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.domain.rules import ProcessRules, TerminalRule
from bpmn_sales.errors import InvalidInput
from bpmn_sales.tasks import SERVICE_TASKS
from bpmn_sales.tasks.closing import MAX_REASON, close_request, validate_close
from bpmn_sales.tasks.qualification import (
    MAX_REASON_LENGTH,
    check_disqualification,
    open_opportunity,
)

REASONS = ["Too expensive", "Lost to a competitor", "No budget", "No decision", "Other"]
WON = TerminalRule("Event_DealWon", "won", "Won", 100)
LOST = TerminalRule("Event_DealLost", "lost", "Lost", 0, lost_reasons=tuple(REASONS))
INVALID = TerminalRule("Event_DealInvalid", "invalid", "Invalid", 0)
RULES = ProcessRules(terminals=(WON, LOST, INVALID))


def test_registry_names_every_function() -> None:
    assert set(SERVICE_TASKS) == {
        "validate_close",
        "check_disqualification",
        "open_opportunity",
        "notify",
    }
    assert SERVICE_TASKS["validate_close"] is validate_close


# --------------------------------------------------------------------------------------------
# validate_close (the service task): normalises a request the use case already checked
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["won", "lost", "invalid"])
@pytest.mark.parametrize(
    ("reason", "kept"), [(None, None), ("", None), ("   ", None), ("  big win ", "big win")]
)
def test_validate_close_trims_the_reason(
    outcome: str, reason: str | None, kept: str | None
) -> None:
    assert validate_close(outcome, reason) == {"outcome": outcome, "reason": kept}


@pytest.mark.parametrize("outcome", [None, "", "WON", "Won", "closed", "lost "])
def test_unknown_outcome_is_refused(outcome: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_close(outcome, None)
    assert refused.value.field == "outcome"
    with pytest.raises(InvalidInput) as refused:
        close_request(RULES, outcome, None)
    assert refused.value.field == "outcome"


@pytest.mark.parametrize("reason", [5, ["Other"], {"r": 1}])
def test_won_with_a_non_text_reason_is_invalid_input(reason: Any) -> None:
    """The API passes `reason` straight from the JSON body: any JSON value can arrive."""
    with pytest.raises(InvalidInput) as refused:
        validate_close("won", reason)
    assert refused.value.field == "reason"
    with pytest.raises(InvalidInput) as refused:
        close_request(RULES, "won", reason)
    assert refused.value.field == "reason"


# --------------------------------------------------------------------------------------------
# close_request: the outcomes and lost reasons the diagram's terminal events define
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "kept"), [(None, None), ("", None), ("   ", None), ("  big win ", "big win")]
)
def test_won_needs_no_reason_and_trims_one(reason: str | None, kept: str | None) -> None:
    assert close_request(RULES, "won", reason) == {"outcome": "won", "reason": kept}


@pytest.mark.parametrize("reason", REASONS)
def test_lost_with_a_listed_reason(reason: str) -> None:
    assert close_request(RULES, "lost", reason) == {"outcome": "lost", "reason": reason}


@pytest.mark.parametrize(("reason", "kept"), [(" No budget", "No budget"), ("Other ", "Other")])
def test_lost_reason_is_trimmed_before_it_is_matched(reason: str, kept: str) -> None:
    assert close_request(RULES, "lost", reason) == {"outcome": "lost", "reason": kept}


@pytest.mark.parametrize("reason", [None, "", "   ", "Weather", "no budget", "Other reason"])
def test_lost_with_an_unlisted_reason_is_refused(reason: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        close_request(RULES, "lost", reason)
    assert refused.value.field == "reason"
    assert "Too expensive; Lost to a competitor" in refused.value.message


def test_lost_with_no_configured_reasons_needs_free_text() -> None:
    free = ProcessRules(terminals=(WON, TerminalRule("Event_DealLost", "lost", "Lost", 0)))
    assert close_request(free, "lost", " Went quiet ") == {
        "outcome": "lost",
        "reason": "Went quiet",
    }
    for reason in (None, "", "  "):
        with pytest.raises(InvalidInput) as refused:
            close_request(free, "lost", reason)
        assert refused.value.field == "reason"


def test_outcome_must_be_one_the_process_defines() -> None:
    no_invalid = ProcessRules(terminals=(WON, LOST))
    with pytest.raises(InvalidInput) as refused:
        close_request(no_invalid, "invalid", None)
    assert refused.value.field == "outcome"
    assert "won, lost" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        close_request(ProcessRules(), "won", None)
    assert refused.value.field == "outcome"
    assert "(none defined)" in refused.value.message


def test_reason_length_limit() -> None:
    assert close_request(RULES, "invalid", "x" * MAX_REASON)["reason"] == "x" * MAX_REASON
    with pytest.raises(InvalidInput) as refused:
        close_request(RULES, "invalid", "x" * (MAX_REASON + 1))
    assert refused.value.field == "reason"
    assert str(MAX_REASON) in refused.value.message


def test_lost_with_a_non_text_reason_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as refused:
        close_request(RULES, "lost", ["Other"])
    assert refused.value.field == "reason"


# --------------------------------------------------------------------------------------------
# check_disqualification
# --------------------------------------------------------------------------------------------


def test_disqualification_reason_is_trimmed() -> None:
    assert check_disqualification("  Duplicate lead \n") == {"reason": "Duplicate lead"}


@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t"])
def test_disqualification_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_disqualification(reason)
    assert refused.value.field == "reason"


def test_disqualification_reason_length_limit() -> None:
    assert check_disqualification("x" * MAX_REASON_LENGTH) == {"reason": "x" * MAX_REASON_LENGTH}
    # Surrounding blanks do not count.
    assert check_disqualification(" " + "x" * MAX_REASON_LENGTH + " ")["reason"] == (
        "x" * MAX_REASON_LENGTH
    )
    with pytest.raises(InvalidInput) as refused:
        check_disqualification("x" * (MAX_REASON_LENGTH + 1))
    assert refused.value.field == "reason"
    assert str(MAX_REASON_LENGTH) in refused.value.message


@pytest.mark.parametrize("reason", [5, 0.5, ["a"], {"a": 1}, True])
def test_disqualification_with_a_non_text_reason_is_invalid_input(reason: Any) -> None:
    """Task form data may hold any JSON value under `disqualify_reason`."""
    with pytest.raises(InvalidInput) as refused:
        check_disqualification(reason)
    assert refused.value.field == "reason"


# --------------------------------------------------------------------------------------------
# open_opportunity
# --------------------------------------------------------------------------------------------


def test_opportunity_from_a_company_lead() -> None:
    lead = {
        "name": " Ann Lee ",
        "company": " Acme ",
        "email": "ann@acme.test",
        "estimated_value": 1500.5,
    }
    assert open_opportunity(lead) == {
        "name": "Acme opportunity",
        "customer": "Acme",
        "contact_name": "Ann Lee",
        "contact_email": "ann@acme.test",
        "value": 1500.5,
    }


@pytest.mark.parametrize("company", [None, "", "   "])
def test_opportunity_without_company_is_named_after_the_contact(company: str | None) -> None:
    opportunity = open_opportunity({"name": "Bo Chen", "company": company})
    assert opportunity["name"] == "Opportunity with Bo Chen"
    assert opportunity["customer"] == "Bo Chen"
    assert opportunity["contact_email"] is None
    assert opportunity["value"] == 0


@pytest.mark.parametrize("value", [None, 0, ""])
def test_opportunity_value_defaults_to_zero(value: Any) -> None:
    assert open_opportunity({"name": "A", "estimated_value": value})["value"] == 0


def test_opportunity_from_an_empty_lead() -> None:
    opportunity = open_opportunity({})
    assert opportunity["name"] == "Opportunity with "
    assert opportunity["customer"] == ""
    assert opportunity["value"] == 0
