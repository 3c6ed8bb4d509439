"""Domain rules: money, e-mail, currency, win probability, access policy, who may complete."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bpmn_sales.domain.model import Actor, Role, currency, money, optional_email
from bpmn_sales.domain.policy import can_access, require_access
from bpmn_sales.domain.rules import ActivityRule, ProcessRules, StageRule, TerminalRule
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.tasks.completion import Party, refusal
from bpmn_sales.tasks.weights import whole_percent, win_probability

# --------------------------------------------------------------------------------------------
# money
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Decimal("0.00")),
        (12, Decimal("12.00")),
        ("12.5", Decimal("12.50")),
        (" 12.50 ", Decimal("12.50")),
        (0.1, Decimal("0.10")),
        (Decimal("3.14"), Decimal("3.14")),
        ("999999999999.99", Decimal("999999999999.99")),
        ("1e2", Decimal("100.00")),
    ],
)
def test_money_accepts_amounts(value: Any, expected: Decimal) -> None:
    result = money(value, "value")
    assert result == expected
    assert result is not None and result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [None, ""])
def test_money_absent_is_none(value: Any) -> None:
    assert money(value, "value") is None


@pytest.mark.parametrize(
    "value",
    [
        -1,
        "-0.01",
        Decimal("-5"),
        "1.234",
        0.001,
        "1e-9",
        float("nan"),
        float("inf"),
        float("-inf"),
        "NaN",
        "sNaN",
        "Infinity",
        10**12,
        "1000000000000",
        "1e999999999",
        "9" * 5000,
        "abc",
        "1,000",
        True,
        False,
        [1],
        {"amount": 1},
    ],
)
def test_money_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        money(value, "estimated_value")
    assert refused.value.field == "estimated_value"
    assert "estimated_value" in refused.value.message


def test_money_refuses_a_huge_integer() -> None:
    """An int with more digits than Python will turn into a str must still be InvalidInput."""
    with pytest.raises(InvalidInput) as refused:
        money(10**5000, "value")
    assert refused.value.field == "value"


def test_money_negative_zero_is_plain_zero() -> None:
    result = money("-0", "value")
    assert result == 0
    assert result is not None and not result.is_signed()


# --------------------------------------------------------------------------------------------
# optional_email, currency
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   "])
def test_optional_email_absent(value: Any) -> None:
    assert optional_email(value) is None


def test_optional_email_trims() -> None:
    assert optional_email("  ann@acme.test ") == "ann@acme.test"


@pytest.mark.parametrize(
    "value", ["ann", "ann@", "@acme.test", "ann@acme", "an n@acme.test", "a@b@c.d", 5, ["a@b.c"]]
)
def test_optional_email_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        optional_email(value, "contact_email")
    assert refused.value.field == "contact_email"


def test_optional_email_length() -> None:
    with pytest.raises(InvalidInput):
        optional_email("a" * 200 + "@acme.test")


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "USD"), ("", "USD"), ("eur", "EUR"), (" gbp ", "GBP")]
)
def test_currency(value: Any, expected: str) -> None:
    assert currency(value) == expected


@pytest.mark.parametrize("value", ["EURO", "US", "E1R", "€UR", "   ", 840, ["USD"]])
def test_currency_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        currency(value)
    assert refused.value.field == "currency"


# --------------------------------------------------------------------------------------------
# win probability: stage win rates moved by activity weights (docs: "Win probability")
# --------------------------------------------------------------------------------------------


def activity(element_id: str, stage: str, weight: float) -> ActivityRule:
    return ActivityRule(element_id, element_id.removeprefix("Activity_"), stage, weight=weight)


def stage(
    key: str, order: int, rate: float | None, *activities: ActivityRule, phase: str = "pre_sale"
) -> StageRule:
    return StageRule(
        key, key, f"Stage_{key}", order, win_rate=rate, phase=phase, activities=activities
    )


def sales_rules(
    rates: tuple[float | None, ...] = (10, 30, 50, 80), won: float = 100
) -> ProcessRules:
    """The rules of the bundled sales process (same stages, rates and weights), by hand."""
    return ProcessRules(
        stages=(
            stage(
                "initial_visit",
                1,
                rates[0],
                activity("Activity_MeetCustomer", "initial_visit", 2),
                activity("Activity_IdentifyDecisionMakers", "initial_visit", 1),
            ),
            stage(
                "needs_analysis",
                2,
                rates[1],
                activity("Activity_AnalyseNeeds", "needs_analysis", 2),
                activity("Activity_QualifyBudget", "needs_analysis", 1),
            ),
            stage(
                "solution_design",
                3,
                rates[2],
                activity("Activity_DesignSolution", "solution_design", 2),
                activity("Activity_PresentSolution", "solution_design", 1),
                activity("Activity_ApproveSolution", "solution_design", 0),
                activity("Activity_ReviseSolution", "solution_design", 0),
            ),
            stage(
                "quote_and_bid",
                4,
                rates[3],
                activity("Activity_SendQuote", "quote_and_bid", 1),
                activity("Activity_NegotiateTerms", "quote_and_bid", 2),
            ),
            stage(
                "installation",
                5,
                None,
                activity("Activity_Install", "installation", 1),
                phase="post_sale",
            ),
        ),
        terminals=(
            TerminalRule("Event_DealWon", "won", "Won", won),
            TerminalRule("Event_DealLost", "lost", "Lost", 0),
        ),
    )


INITIAL_VISIT = ["Activity_MeetCustomer", "Activity_IdentifyDecisionMakers"]


@pytest.mark.parametrize(
    ("stage_key", "done", "expected"),
    [
        (None, [], 10),  # no stage yet: the first stage's rate
        ("initial_visit", [], 10),
        ("initial_visit", ["Activity_MeetCustomer"], 23),  # 10 + 20 * 2/3 = 23.33
        ("initial_visit", ["Activity_IdentifyDecisionMakers"], 17),  # 10 + 20 * 1/3 = 16.67
        ("initial_visit", INITIAL_VISIT, 30),  # 10 + 20 * 3/3
        ("needs_analysis", INITIAL_VISIT, 30),  # only the current stage's weights count
        ("needs_analysis", [*INITIAL_VISIT, "Activity_AnalyseNeeds"], 43),  # 30 + 20 * 2/3
        ("solution_design", ["Activity_DesignSolution"], 70),  # 50 + 30 * 2/3
        ("solution_design", ["Activity_PresentSolution"], 60),  # 50 + 30 * 1/3
        ("solution_design", ["Activity_DesignSolution", "Activity_PresentSolution"], 80),
        ("solution_design", ["Activity_ApproveSolution"], 50),  # weight 0
        ("quote_and_bid", ["Activity_SendQuote"], 87),  # 80 + 20 * 1/3 = 86.67
        ("quote_and_bid", ["Activity_NegotiateTerms"], 93),  # 80 + 20 * 2/3 = 93.33
        ("quote_and_bid", ["Activity_SendQuote", "Activity_NegotiateTerms"], 100),
        ("installation", [], 100),  # post-sale: the won probability
    ],
)
def test_win_probability_with_stage_rates(
    stage_key: str | None, done: list[str], expected: int
) -> None:
    assert win_probability(sales_rules(), stage_key, done) == expected


def test_the_last_stage_moves_toward_the_won_probability() -> None:
    rules = sales_rules(won=90)
    assert win_probability(rules, "quote_and_bid", []) == 80
    assert win_probability(rules, "quote_and_bid", ["Activity_SendQuote"]) == 83  # 83.33
    assert win_probability(rules, "quote_and_bid", ["Activity_NegotiateTerms"]) == 87  # 86.67
    assert win_probability(rules, "installation", []) == 90


ALL_PRE_SALE = [
    *INITIAL_VISIT,
    "Activity_AnalyseNeeds",
    "Activity_QualifyBudget",
    "Activity_DesignSolution",
    "Activity_PresentSolution",
    "Activity_SendQuote",
    "Activity_NegotiateTerms",
]


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        ([], 0),
        (["Activity_MeetCustomer"], 17),  # 100 * 2/12 = 16.67
        (["Activity_IdentifyDecisionMakers"], 8),  # 100 * 1/12 = 8.33
        ([*INITIAL_VISIT, "Activity_AnalyseNeeds"], 42),  # 100 * 5/12 = 41.67
        (["Activity_QualifyBudget", "Activity_SendQuote", "Activity_ApproveSolution"], 17),
        (ALL_PRE_SALE, 100),
        (["Activity_Install"], 0),  # post-sale weights are not part of it
    ],
)
def test_win_probability_without_rates_is_the_done_weight_share(
    done: list[str], expected: int
) -> None:
    """No stage has a rate: done weight of all pre-sale activities over their total (12)."""
    rules = sales_rules(rates=(None, None, None, None))
    for stage_key in (None, "initial_visit", "quote_and_bid"):
        assert win_probability(rules, stage_key, done) == expected


def test_win_probability_without_weights_is_zero() -> None:
    rules = ProcessRules(stages=(stage("only", 1, None, activity("Activity_A", "only", 0)),))
    assert win_probability(rules, "only", ["Activity_A"]) == 0
    assert win_probability(ProcessRules(), None, []) == 0


def test_win_probability_rounds_half_up() -> None:
    """0 + 25 * 1/2 = 12.5 gives 13 (not the 12 of round-half-even)."""
    rules = ProcessRules(
        stages=(
            stage("one", 1, 0, activity("Activity_A", "one", 1), activity("Activity_B", "one", 1)),
            stage("two", 2, 25),
        )
    )
    assert win_probability(rules, "one", ["Activity_A"]) == 13


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (0.5, 1),
        (2.5, 3),
        (12.5, 13),
        (16.66, 17),
        (49.49, 49),
        (-3, 0),
        (100.4, 100),
        (250, 100),
    ],
)
def test_whole_percent_rounds_half_up_and_clamps(value: float, expected: int) -> None:
    assert whole_percent(value) == expected


# --------------------------------------------------------------------------------------------
# policy
# --------------------------------------------------------------------------------------------

ADMIN = Actor(1, "admin", Role.ADMIN)
MIA = Actor(2, "mia", Role.MANAGER)  # manager of rob
MAX = Actor(3, "max", Role.MANAGER)  # manager of another team
ROB = Actor(4, "rob", Role.REP, manager_id=2)
OLGA = Actor(5, "olga", Role.REP, manager_id=3)


@pytest.mark.parametrize(
    ("actor", "owner_id", "owner_manager_id", "allowed"),
    [
        (ADMIN, ROB.id, ROB.manager_id, True),
        (ADMIN, 99, None, True),
        (ROB, ROB.id, ROB.manager_id, True),  # owner
        (MIA, ROB.id, ROB.manager_id, True),  # manager of the owner
        (MIA, MIA.id, None, True),  # a manager's own record
        (MAX, ROB.id, ROB.manager_id, False),  # manager of another team
        (MAX, 99, None, False),
        (OLGA, ROB.id, ROB.manager_id, False),  # rep of another team
        (ROB, OLGA.id, OLGA.manager_id, False),
        # A rep is never a "manager of" anyone, even if an id happens to match.
        (Actor(2, "not-mia", Role.REP), ROB.id, ROB.manager_id, False),
    ],
)
def test_can_access(
    actor: Actor, owner_id: int, owner_manager_id: int | None, allowed: bool
) -> None:
    assert can_access(actor, owner_id, owner_manager_id) is allowed


def test_require_access_refuses_as_if_missing() -> None:
    with pytest.raises(NotFound) as refused:
        require_access(OLGA, ROB.id, ROB.manager_id, "deal", 7)
    # the same words and details as for an id that does not exist: nothing to enumerate
    assert refused.value.message == "deal 7 does not exist"
    assert refused.value.details == {"id": 7}
    assert require_access(MIA, ROB.id, ROB.manager_id, "deal", 7) is None


# --------------------------------------------------------------------------------------------
# who may complete an activity (the `completed_by` property; admins always may)
# --------------------------------------------------------------------------------------------

ROBS_DEAL = Party(owner_id=ROB.id, owner_name="rob", manager_id=MIA.id, manager_name="mia")
NO_MANAGER = Party(owner_id=OLGA.id, owner_name="olga", manager_id=None, manager_name=None)
APPROVAL = ActivityRule(
    "Activity_ApproveSolution",
    "Approve solution",
    "solution_design",
    weight=0,
    completed_by=("direct_manager",),
    approval="direct_manager",
)


def rule(*parties: str) -> ActivityRule:
    return ActivityRule("Activity_X", "Do it", "stage", completed_by=parties)


@pytest.mark.parametrize("actor", [ROB, OLGA, MAX])
def test_approval_refuses_all_but_the_direct_manager(actor: Actor) -> None:
    reason = refusal(APPROVAL, actor, ROBS_DEAL, set())
    assert reason is not None
    assert "Approve solution" in reason
    assert "direct manager (mia)" in reason


@pytest.mark.parametrize("actor", [MIA, ADMIN])
def test_approval_allows_the_direct_manager_and_admins(actor: Actor) -> None:
    assert refusal(APPROVAL, actor, ROBS_DEAL, set()) is None


def test_an_approval_task_is_a_manager_task() -> None:
    assert APPROVAL.role == "manager"
    assert rule("anyone").role == "rep"
    assert rule("owner").role == "rep"
    assert rule("admin").role == "admin"


def test_direct_manager_of_an_owner_without_one_means_an_admin() -> None:
    reason = refusal(APPROVAL, MIA, NO_MANAGER, set())
    assert reason is not None and "an admin (the owner has no manager)" in reason
    assert refusal(APPROVAL, ADMIN, NO_MANAGER, set()) is None


@pytest.mark.parametrize(
    ("parties", "actor", "groups", "allowed"),
    [
        (("anyone",), OLGA, set(), True),
        (("owner",), ROB, set(), True),
        (("owner",), MIA, set(), False),  # not even the owner's manager
        (("owner",), ADMIN, set(), True),  # admins may always
        (("manager",), MAX, set(), True),  # any manager
        (("manager",), ROB, set(), False),
        (("admin",), MIA, set(), False),
        (("user:olga",), OLGA, set(), True),
        (("user:olga",), ROB, set(), False),
        (("group:presales",), ROB, {"presales"}, True),
        (("group:presales",), ROB, {"delivery"}, False),
        (("owner", "group:presales"), OLGA, {"presales"}, True),  # any of the list
        (("owner", "group:presales"), OLGA, set(), False),
    ],
)
def test_completed_by_parties(
    parties: tuple[str, ...], actor: Actor, groups: set[str], allowed: bool
) -> None:
    reason = refusal(rule(*parties), actor, ROBS_DEAL, groups)
    assert (reason is None) is allowed
    if not allowed:
        assert reason is not None and reason.startswith("'Do it' may be completed only by")
