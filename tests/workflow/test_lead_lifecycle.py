"""Lead qualification on the real diagram: qualify, disqualify, renew, and refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bpmn_sales.errors import InvalidInput

StartRun = Callable[..., Any]
LEAD = "lead_qualification"

pytestmark = pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])

ACME: dict[str, Any] = {
    "name": "Ann Lee",
    "company": "Acme",
    "email": "ann@acme.test",
    "estimated_value": 12000,
}


def test_start_waits_for_the_review(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    snap = run.snap()

    assert not snap.completed
    assert [w.title for w in snap.ready] == ["Review lead"]
    item = snap.ready[0]
    assert item.element_id == "Activity_ReviewLead"
    assert item.lane == "Sales rep"
    assert item.role == "rep"
    assert item.stage is None
    assert snap.state_properties["lead_status"] == "new"
    assert snap.waiting_messages == []
    assert snap.end_event is None
    assert snap.data["lead"] == ACME
    assert (run.restores > 0) is roundtrip


def test_qualify_opens_an_opportunity(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    done = run.complete("Review lead", {"decision": "qualify"})
    snap = run.snap()

    assert done.title == "Review lead"
    assert snap.completed
    assert snap.end_event == "Event_LeadQualified"
    assert snap.state_properties == {"lead_status": "qualified"}
    assert snap.ready == []
    assert snap.waiting_messages == []
    assert snap.data["opportunity"] == {
        "name": "Acme opportunity",
        "customer": "Acme",
        "contact_name": "Ann Lee",
        "contact_email": "ann@acme.test",
        "value": 12000,
    }


def test_qualify_a_lead_without_company_names_the_contact(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": {"name": "Bo Chen", "company": "  "}}, roundtrip)
    run.complete("Review lead", {"decision": "qualify"})
    opportunity = run.snap().data["opportunity"]

    assert opportunity["name"] == "Opportunity with Bo Chen"
    assert opportunity["customer"] == "Bo Chen"
    assert opportunity["value"] == 0
    assert opportunity["contact_email"] is None


def test_disqualify_waits_for_renewal(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": "  No budget  "})
    snap = run.snap()

    assert not snap.completed
    assert snap.ready == []
    assert snap.waiting_messages == ["lead_renewed"]
    assert snap.state_properties == {"lead_status": "disqualified"}
    assert snap.data["disqualification"] == {"reason": "No budget"}
    assert "opportunity" not in snap.data


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_disqualify_without_reason_is_refused_and_rolls_back(
    start: StartRun, roundtrip: bool, reason: str | None
) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    before_state = run.dump()
    before = run.snap()

    with pytest.raises(InvalidInput) as refused:
        run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": reason})
    assert refused.value.field == "reason"
    assert "reason" in refused.value.message

    # The use case rolls back to the stored state: the same review is ready again.
    run.reset_to(before_state)
    after = run.snap()
    assert after == before
    assert [w.task_id for w in after.ready] == [w.task_id for w in before.ready]
    run.complete("Review lead", {"decision": "qualify"})
    assert run.snap().state_properties == {"lead_status": "qualified"}


def test_disqualify_with_an_overlong_reason_is_refused(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    with pytest.raises(InvalidInput) as refused:
        run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": "x" * 501})
    assert refused.value.field == "reason"


def test_disqualify_with_a_non_text_reason_is_invalid_input(
    start: StartRun, roundtrip: bool
) -> None:
    """Task form data may be any JSON value; a number as the reason is the user's mistake
    (InvalidInput naming 'reason'), not a broken diagram (DiagramError)."""
    run = start(LEAD, {"lead": ACME}, roundtrip)
    with pytest.raises(InvalidInput) as refused:
        run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": 5})
    assert refused.value.field == "reason"


def test_renew_then_qualify(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    first_review = run.item("Review lead").task_id
    run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": "Not now"})

    run.send("lead_renewed", {"note": "budget approved"})
    snap = run.snap()
    assert not snap.completed
    assert [w.title for w in snap.ready] == ["Review lead"]
    assert snap.ready[0].task_id != first_review
    assert snap.state_properties["lead_status"] == "new"
    assert snap.waiting_messages == []
    assert snap.data["renewal"] == {"note": "budget approved"}

    run.complete("Review lead", {"decision": "qualify"})
    snap = run.snap()
    assert snap.completed
    assert snap.end_event == "Event_LeadQualified"
    assert snap.state_properties == {"lead_status": "qualified"}
    assert snap.data["opportunity"]["customer"] == "Acme"


def test_disqualify_and_renew_repeatedly(start: StartRun, roundtrip: bool) -> None:
    run = start(LEAD, {"lead": ACME}, roundtrip)
    for attempt in range(3):
        reason = f"attempt {attempt}"
        run.complete("Review lead", {"decision": "disqualify", "disqualify_reason": reason})
        snap = run.snap()
        assert snap.state_properties == {"lead_status": "disqualified"}
        assert snap.data["disqualification"] == {"reason": reason}
        run.send("lead_renewed", {"attempt": attempt})
        assert run.snap().state_properties["lead_status"] == "new"
    run.complete("Review lead", {"decision": "qualify"})
    assert run.snap().completed
    assert run.history.count("Review lead") == 4
