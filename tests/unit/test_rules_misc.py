"""Approvals, notifications, follow-ups, orders, closing and the ProcessRules model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bpmn_sales.domain.rules import (
    ActivityRule,
    FieldRef,
    FollowUpRule,
    ProcessRules,
    StageRule,
    TerminalRule,
    parties,
)
from bpmn_sales.engine import ProcessEngine
from bpmn_sales.engine.running.runtime import ProcessInfo
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.delivery import texts
from bpmn_sales.tasks import approvals, closing, follow_ups, notifications, orders
from bpmn_sales.tasks.requirements import DealFacts, leave_unmet
from bpmn_sales.tasks.weights import win_probability

# --------------------------------------------------------------------------------------------
# approvals
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"decision": "approve"}, ("approve", "")),
        ({"decision": "approve", "comment": None}, ("approve", "")),
        ({"decision": "approve", "comment": "  fine  "}, ("approve", "fine")),
        ({"decision": "reject", "comment": " too cheap "}, ("reject", "too cheap")),
        ({"decision": "reject", "comment": "x" * approvals.MAX_COMMENT}, ("reject", "x" * 2000)),
    ],
)
def test_decision_accepted(data: dict[str, Any], expected: tuple[str, str]) -> None:
    assert approvals.decision(data) == expected


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_reject_needs_a_comment(comment: str | None) -> None:
    data: dict[str, Any] = {"decision": "reject"}
    if comment is not None:
        data["comment"] = comment
    with pytest.raises(InvalidInput) as refused:
        approvals.decision(data)
    assert refused.value.message == "a rejection needs a comment saying why"
    assert refused.value.field == "data.comment"


@pytest.mark.parametrize("choice", [None, "", "Approve", "approved", "yes", True, 1, ["approve"]])
def test_bad_decision(choice: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({"decision": choice, "comment": "x"})
    assert refused.value.message == f"decision must be approve or reject, not {choice!r}"
    assert refused.value.field == "data.decision"


def test_missing_decision() -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({})
    assert refused.value.message == "decision must be approve or reject, not None"
    assert refused.value.field == "data.decision"


@pytest.mark.parametrize("comment", [5, ["x"], {"text": "x"}, True])
def test_comment_must_be_text(comment: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({"decision": "approve", "comment": comment})
    assert refused.value.message == "the comment must be text"
    assert refused.value.field == "data.comment"


def test_long_comment() -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({"decision": "approve", "comment": "x" * 2001})
    assert refused.value.message == "the comment is longer than 2000 characters"
    assert refused.value.field == "data.comment"
    # Blanks around the comment do not count toward the limit.
    assert approvals.decision({"decision": "approve", "comment": " " + "x" * 2000 + " "}) == (
        "approve",
        "x" * 2000,
    )


def test_extra_keys_are_refused_and_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({"decision": "approve", "zeta": 1, "by": "mallory", "comment": "ok"})
    assert refused.value.message == "an approval takes only decision and comment, not by, zeta"
    assert refused.value.field == "data.by"


def test_reserved_approval_key_is_an_extra_key() -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({"decision": "approve", "approval": {"decision": "approve"}})
    assert refused.value.field == "data.approval"


def test_decision_is_checked_before_extra_keys() -> None:
    with pytest.raises(InvalidInput) as refused:
        approvals.decision({"decision": "maybe", "extra": 1})
    assert refused.value.field == "data.decision"


def test_task_data() -> None:
    assert approvals.task_data("approve", "", "bob") == {
        "approval": {"decision": "approve", "comment": "", "by": "bob"}
    }
    assert approvals.task_data("reject", "too low", "bob") == {
        "approval": {"decision": "reject", "comment": "too low", "by": "bob"}
    }


# --------------------------------------------------------------------------------------------
# notifications
# --------------------------------------------------------------------------------------------


class FakeDirectory:
    """owner 1, direct manager 2 (or none), managers 2 and 3, admins 9 and 8."""

    def __init__(self, manager: int | None = 2) -> None:
        self.manager = manager
        self.users = {"carol": 5, "bob": 2}
        self.groups = {"presales": [5, 6], "everyone": [1, 2, 3, 5, 6, 8, 9], "empty": []}

    def owner(self) -> int:
        return 1

    def direct_manager(self) -> int | None:
        return self.manager

    def managers(self) -> list[int]:
        return [2, 3]

    def admins(self) -> list[int]:
        return [9, 8]

    def user(self, username: str) -> int | None:
        return self.users.get(username)

    def group(self, name: str) -> list[int]:
        return list(self.groups.get(name, []))

    def participants(self) -> list[int]:
        return [1, 6, 5]  # the owner, then who worked on the deal or added its contacts


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        (["owner"], [1]),
        (["direct_manager"], [2]),
        (["manager"], [2, 3]),
        (["admin"], [9, 8]),
        (["user:carol"], [5]),
        (["group:presales"], [5, 6]),
        (["participants"], [1, 6, 5]),
        (["participants", "group:presales"], [1, 6, 5]),
        (
            ["owner", "direct_manager", "manager", "admin", "user:carol", "group:presales"],
            [1, 2, 3, 9, 8, 5, 6],
        ),
        # Each once, in the order first named:
        (["group:presales", "user:carol", "owner", "owner"], [5, 6, 1]),
        (["manager", "direct_manager", "user:bob"], [2, 3]),
        (["admin", "group:everyone"], [9, 8, 1, 2, 3, 5, 6]),
        ([], []),
    ],
)
def test_recipients(named: list[str], expected: list[int]) -> None:
    assert notifications.recipients(named, FakeDirectory()) == expected


def test_direct_manager_falls_back_to_admins() -> None:
    people = FakeDirectory(manager=None)
    assert notifications.recipients(["direct_manager"], people) == [9, 8]
    assert notifications.recipients(["admin", "direct_manager", "owner"], people) == [9, 8, 1]


def test_unknown_user_and_group_notify_nobody() -> None:
    people = FakeDirectory()
    assert notifications.recipients(["user:ghost", "group:ghosts", "group:empty"], people) == []
    assert notifications.recipients(["user:ghost", "owner"], people) == [1]


def test_anyone_and_unknown_parties_notify_nobody() -> None:
    assert notifications.recipients(["anyone", "bogus", ""], FakeDirectory()) == []


def test_recipients_takes_any_iterable() -> None:
    assert notifications.recipients(iter(("owner", "user:carol")), FakeDirectory()) == [1, 5]
    assert notifications.recipients(("owner",), FakeDirectory()) == [1]


def told(pair: tuple[texts.Phrase, texts.Phrase]) -> tuple[str, str]:
    """A notice's (subject, text) in the language in force."""
    return pair[0].text(), pair[1].text()


def test_completion_message() -> None:
    assert told(texts.completion("Send quote", "Big deal", 42, "alice")) == (
        "Send quote done on deal Big deal",
        "alice completed 'Send quote' on deal 42 (Big deal).",
    )


def test_approval_message() -> None:
    assert told(texts.approval("Design", "Big deal", 42, "approve", "bob", "")) == (
        "Design approved on deal Big deal",
        "bob approved stage 'Design' of deal 42 (Big deal).",
    )
    assert told(texts.approval("Design", "Big deal", 42, "reject", "bob", "redo")) == (
        "Design rejected on deal Big deal",
        "bob rejected stage 'Design' of deal 42 (Big deal). Comment: redo",
    )


# --------------------------------------------------------------------------------------------
# follow-ups
# --------------------------------------------------------------------------------------------


def with_follow_up(due_days: int, assignee: str = "owner") -> ActivityRule:
    return ActivityRule(
        "A", "Send quote", "s1", follow_up=FollowUpRule("Call back", due_days, assignee)
    )


def test_no_follow_up() -> None:
    assert follow_ups.plan(ActivityRule("A", "A", "s1"), datetime(2026, 1, 5, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("completed_at", "due_days", "due_on"),
    [
        (datetime(2026, 1, 5, 9, 0, tzinfo=UTC), 0, "2026-01-05"),
        (datetime(2026, 1, 5, 9, 0, tzinfo=UTC), 2, "2026-01-07"),
        (datetime(2026, 1, 30, 23, 59, tzinfo=UTC), 3, "2026-02-02"),
        (datetime(2024, 2, 28, 12, 0, tzinfo=UTC), 1, "2024-02-29"),
        (datetime(2026, 12, 31, 0, 0, tzinfo=UTC), 1, "2027-01-01"),
        (datetime(2026, 1, 5, 9, 0), 7, "2026-01-12"),
    ],
)
def test_follow_up_due_date(completed_at: datetime, due_days: int, due_on: str) -> None:
    planned = follow_ups.plan(with_follow_up(due_days), completed_at)
    assert planned == follow_ups.FollowUpPlan(
        "Call back", datetime.fromisoformat(due_on).date(), "owner"
    )


def test_follow_up_due_date_uses_the_date_of_the_given_clock() -> None:
    # 23:30 on the 5th in UTC-05:00 is the 6th in UTC: the date is the one the time carries.
    local = datetime(2026, 1, 5, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    planned = follow_ups.plan(with_follow_up(1), local)
    assert planned is not None
    assert planned.due_on.isoformat() == "2026-01-06"


@pytest.mark.parametrize("assignee", ["owner", "direct_manager", "user:carol", "group:presales"])
def test_follow_up_assignee(assignee: str) -> None:
    planned = follow_ups.plan(with_follow_up(1, assignee), datetime(2026, 1, 5, tzinfo=UTC))
    assert planned is not None
    assert planned.assignee == assignee
    assert planned.title == "Call back"


# --------------------------------------------------------------------------------------------
# orders
# --------------------------------------------------------------------------------------------


def pipeline(orders_from: str | None = "quote", **won: Any) -> ProcessRules:
    return ProcessRules(
        stages=(
            StageRule("visit", "Visit", "Stage_Visit", 1),
            StageRule("design", "Design", "Stage_Design", 2),
            StageRule("quote", "Quote", "Stage_Quote", 3),
            StageRule("close", "Close", "Stage_Close", 4),
            StageRule("install", "Install", "Stage_Install", 5, phase="post_sale"),
        ),
        terminals=(
            TerminalRule("Won", "won", "Won", 100, orders_from_stage=orders_from, **won),
            TerminalRule("Lost", "lost", "Lost", 0),
            TerminalRule("Invalid", "invalid", "Invalid", 0),
        ),
    )


@pytest.mark.parametrize(
    ("stage_key", "refusal"),
    [
        (
            "visit",
            "orders may be created only from stage 'Quote' on; the deal is at 'Visit'",
        ),
        (
            "design",
            "orders may be created only from stage 'Quote' on; the deal is at 'Design'",
        ),
        ("quote", None),
        ("close", None),
        ("install", None),
        (None, "orders may be created only from stage 'Quote' on; the deal is at no stage yet"),
        ("gone", "orders may be created only from stage 'Quote' on; the deal is at no stage yet"),
    ],
)
def test_order_refusal_open_deal(stage_key: str | None, refusal: str | None) -> None:
    assert orders.order_refusal(pipeline(), "open", stage_key) == refusal


@pytest.mark.parametrize("stage_key", ["visit", "quote", None])
def test_orders_on_a_won_deal_are_allowed(stage_key: str | None) -> None:
    assert orders.order_refusal(pipeline(), "won", stage_key) is None


@pytest.mark.parametrize("status", ["lost", "invalid", "archived"])
@pytest.mark.parametrize("rules", [pipeline(), pipeline(None), ProcessRules()])
def test_no_orders_on_closed_deals(status: str, rules: ProcessRules) -> None:
    assert orders.order_refusal(rules, status, "quote") == (
        f"orders cannot be created on a {status} deal"
    )


@pytest.mark.parametrize("stage_key", ["visit", "design", "quote", None])
def test_without_orders_from_stage_orders_are_allowed_anywhere(stage_key: str | None) -> None:
    assert orders.order_refusal(pipeline(None), "open", stage_key) is None
    assert orders.order_refusal(ProcessRules(), "open", stage_key) is None


def test_orders_from_an_unknown_stage_restrict_nothing() -> None:
    assert orders.order_refusal(pipeline("gone"), "open", "visit") is None


def test_orders_from_the_first_stage() -> None:
    assert orders.order_refusal(pipeline("visit"), "open", "visit") is None
    assert orders.order_refusal(pipeline("visit"), "open", None) == (
        "orders may be created only from stage 'Visit' on; the deal is at no stage yet"
    )


# --------------------------------------------------------------------------------------------
# closing
# --------------------------------------------------------------------------------------------

REASONS = ("Too expensive", "Lost to a competitor", "No budget")


def closable(reasons: tuple[str, ...] = REASONS, outcomes: tuple[str, ...] = ()) -> ProcessRules:
    terminals = [
        TerminalRule("WonThrow", "won", "Won", 100),
        TerminalRule("Delivered", "won", "Won and delivered", 100),
        TerminalRule("Lost", "lost", "Lost", 0, lost_reasons=reasons),
        TerminalRule("Invalid", "invalid", "Invalid", 0),
    ]
    if outcomes:
        terminals = [t for t in terminals if t.outcome in outcomes]
    return ProcessRules(terminals=tuple(terminals))


def test_outcomes_come_from_the_terminals_in_order_without_repeats() -> None:
    assert closable().outcomes() == ["won", "lost", "invalid"]
    assert closable(outcomes=("lost", "won")).outcomes() == ["won", "lost"]
    assert ProcessRules().outcomes() == []


@pytest.mark.parametrize(
    ("outcome", "reason", "kept"),
    [
        ("won", None, None),
        ("won", "", None),
        ("won", "  big win ", "big win"),
        ("invalid", None, None),
        ("invalid", " duplicate ", "duplicate"),
        ("lost", "No budget", "No budget"),
        ("lost", "  No budget  ", "No budget"),
    ],
)
def test_close_request_accepted(outcome: str, reason: str | None, kept: str | None) -> None:
    assert closing.close_request(closable(), outcome, reason) == {
        "outcome": outcome,
        "reason": kept,
    }


@pytest.mark.parametrize("outcome", ["draw", "", None, "WON", 1, ["won"]])
def test_close_request_unknown_outcome(outcome: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(closable(), outcome, None)
    assert refused.value.message == f"outcome must be one of won, lost, invalid, not {outcome!r}"
    assert refused.value.field == "outcome"


def test_close_request_outcome_the_process_does_not_define() -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(closable(outcomes=("won", "lost")), "invalid", None)
    assert refused.value.message == "outcome must be one of won, lost, not 'invalid'"
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(ProcessRules(), "won", None)
    assert refused.value.message == "outcome must be one of (none defined), not 'won'"


@pytest.mark.parametrize("reason", ["Weather", "no budget", " Weather ", "Other"])
def test_lost_reason_must_be_listed(reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(closable(), "lost", reason)
    assert refused.value.message == (
        f"lost reason {reason.strip()!r} is not one of the configured reasons: "
        "Too expensive; Lost to a competitor; No budget"
    )
    assert refused.value.field == "reason"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_lost_with_listed_reasons_needs_one(reason: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(closable(), "lost", reason)
    assert refused.value.message == (
        "a lost deal needs a reason, one of: Too expensive; Lost to a competitor; No budget"
    )
    assert refused.value.field == "reason"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_lost_without_listed_reasons_needs_free_text(reason: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(closable(()), "lost", reason)
    assert refused.value.message == "a lost deal needs a reason"
    assert refused.value.field == "reason"


def test_lost_without_listed_reasons_takes_any_text() -> None:
    assert closing.close_request(closable(()), "lost", " went quiet ") == {
        "outcome": "lost",
        "reason": "went quiet",
    }


@pytest.mark.parametrize("outcome", ["won", "lost", "invalid"])
def test_long_reason(outcome: str) -> None:
    rules = closable(())
    assert closing.close_request(rules, outcome, "x" * 200)["reason"] == "x" * 200
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(rules, outcome, "x" * 201)
    assert refused.value.message == "the reason is longer than 200 characters"
    assert refused.value.field == "reason"


@pytest.mark.parametrize("reason", [5, ["No budget"], {"x": 1}, True])
def test_reason_must_be_text(reason: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.close_request(closable(), "lost", reason)
    assert refused.value.message == "the reason must be text"
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    ("outcome", "reason", "expected"),
    [
        ("won", None, {"outcome": "won", "reason": None}),
        ("lost", " No budget ", {"outcome": "lost", "reason": "No budget"}),
        ("lost", "", {"outcome": "lost", "reason": None}),
        ("invalid", "   ", {"outcome": "invalid", "reason": None}),
    ],
)
def test_validate_close(outcome: str, reason: str | None, expected: dict[str, Any]) -> None:
    assert closing.validate_close(outcome, reason) == expected
    if reason is None:
        assert closing.validate_close(outcome) == expected


@pytest.mark.parametrize("outcome", [None, "", "draw", "Won"])
def test_validate_close_bad_outcome(outcome: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.validate_close(outcome, None)
    assert refused.value.message == f"outcome must be one of won, lost, invalid, not {outcome!r}"
    assert refused.value.field == "outcome"


def test_validate_close_reason_must_be_text() -> None:
    with pytest.raises(InvalidInput) as refused:
        closing.validate_close("lost", 3)  # type: ignore[arg-type]
    assert refused.value.message == "the reason must be text"
    assert refused.value.field == "reason"


def test_validate_close_is_the_only_closing_service_task() -> None:
    assert tuple(closing.SERVICE_TASKS) == (closing.validate_close,)


# --------------------------------------------------------------------------------------------
# ProcessRules
# --------------------------------------------------------------------------------------------


def test_stage_lookup_and_pre_sale() -> None:
    rules = pipeline()
    assert rules.stage("quote") is rules.stages[2]
    assert rules.stage(None) is None
    assert rules.stage("gone") is None
    assert [s.key for s in rules.pre_sale] == ["visit", "design", "quote", "close"]
    assert rules.stages[4].post_sale
    assert not rules.stages[0].post_sale


def test_terminal_lookups() -> None:
    rules = closable()
    won = rules.terminal("won")
    assert won is not None
    assert won.element_id == "WonThrow"
    assert rules.terminal("draw") is None
    delivered = rules.terminal_at("Delivered")
    assert delivered is not None
    assert delivered.label == "Won and delivered"
    assert rules.terminal_at(None) is None
    assert rules.terminal_at("gone") is None


def test_lost_reasons_order_rules() -> None:
    assert closable().lost_reasons == list(REASONS)
    assert closable(outcomes=("won",)).lost_reasons == []
    assert pipeline().orders_from_stage == "quote"
    assert pipeline(None).orders_from_stage is None
    assert pipeline().order_required is False
    assert pipeline(order_required=True).order_required is True


def test_orders_from_stage_of_a_later_won_terminal() -> None:
    rules = ProcessRules(
        terminals=(
            TerminalRule("W1", "won", "Won", 100),
            TerminalRule("L", "lost", "Lost", 0, orders_from_stage="x"),
            TerminalRule("W2", "won", "Won", 100, orders_from_stage="quote", order_required=True),
        )
    )
    assert rules.orders_from_stage == "quote"
    assert rules.order_required is True


def test_obligatory_and_activities() -> None:
    a = ActivityRule("A", "A", "s1", obligatory=True)
    b = ActivityRule("B", "B", "s1")
    c = ActivityRule("C", "C", "s2", obligatory=True)
    rules = ProcessRules(
        stages=(
            StageRule("s1", "S1", "Stage_S1", 1, activities=(a, b)),
            StageRule("s2", "S2", "Stage_S2", 2, activities=(c,)),
        ),
        tasks={"A": a, "B": b, "C": c},
    )
    assert rules.obligatory() == [a, c]
    assert rules.activities == {"A": a, "B": b, "C": c}


def test_to_dict() -> None:
    activity = ActivityRule(
        "A",
        "Send quote",
        "s1",
        weight=2,
        obligatory=True,
        completed_by=("owner", "group:presales"),
        note_required="note",
        notify=("direct_manager",),
        follow_up=FollowUpRule("Call back", 3, "owner"),
        tip="t",
        description="d",
    )
    stage = StageRule(
        "s1",
        "S1",
        "Stage_S1",
        1,
        win_rate=10,
        required_fields=(FieldRef("deal", "budget", "number"), FieldRef("customer", "industry")),
        optional_fields=(FieldRef("stage", "visit_date", "date"),),
        min_contacts=2,
        approval="direct_manager",
        activities=(activity,),
    )
    lost = TerminalRule("L", "lost", "Lost", 0, lost_reasons=("No budget",))
    won = TerminalRule(
        "W", "won", "Won", 90, order_required=True, orders_from_stage="s1", orders_after_stage="s1"
    )
    rules = ProcessRules(stages=(stage,), terminals=(won, lost), free_moves=True)
    data = rules.to_dict()
    assert data["free_moves"] is True
    assert data["lost_reasons"] == ["No budget"]
    assert data["order_required"] is True
    assert data["orders_from_stage"] == data["orders_after_stage"] == "s1"
    assert data["terminals"] == [
        {
            "element_id": "W",
            "outcome": "won",
            "label": "Won",
            "probability": 90,
            "lost_reasons": [],
            "order_required": True,
            "orders_from_stage": "s1",
            "orders_after_stage": "s1",
        },
        {
            "element_id": "L",
            "outcome": "lost",
            "label": "Lost",
            "probability": 0,
            "lost_reasons": ["No budget"],
            "order_required": False,
            "orders_from_stage": None,
            "orders_after_stage": None,
        },
    ]
    (stage_data,) = data["stages"]
    assert stage_data["required_fields"] == ["deal.budget:number", "customer.industry"]
    assert stage_data["optional_fields"] == ["stage.visit_date:date"]
    assert stage_data["win_rate"] == 10
    assert stage_data["approval"] == "direct_manager"
    assert stage_data["phase"] == "pre_sale"
    assert stage_data["activities"] == [
        {
            "element_id": "A",
            "name": "Send quote",
            "stage": "s1",
            "weight": 2,
            "obligatory": True,
            "completed_by": ["owner", "group:presales"],
            "note_required": "note",
            "notify": ["direct_manager"],
            "follow_up": {"title": "Call back", "due_days": 3, "assignee": "owner"},
            "tip": "t",
            "description": "d",
            "approval": None,
            "due_days": None,
        }
    ]
    assert ActivityRule("B", "B", None).to_dict()["follow_up"] is None


def test_parties_strips_and_drops_blanks() -> None:
    assert parties([" owner ", "", "  ", "user:bob"]) == ("owner", "user:bob")


# --------------------------------------------------------------------------------------------
# engine/rules.read_rules on the bundled diagrams
# --------------------------------------------------------------------------------------------

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def process_info(engine: ProcessEngine, filename: str, text: str | None = None) -> ProcessInfo:
    data = text.encode() if text is not None else (BPMN / filename).read_bytes()
    forms = {p.name: p.read_bytes() for p in BPMN.glob("*.json")}  # the task forms it names
    (compiled,) = engine.compile({filename: data, **forms})
    return engine.info(f"{filename}:{hash(data)}", lambda: compiled.spec_json)


@pytest.fixture(scope="module")
def sales(engine: ProcessEngine) -> ProcessInfo:
    return process_info(engine, "sales_process.bpmn")


@pytest.fixture(scope="module")
def openfire(engine: ProcessEngine) -> ProcessInfo:
    return process_info(engine, "openfire_pipeline.bpmn")


def activity_summary(rules: ProcessRules) -> dict[str, tuple[Any, ...]]:
    """element id -> (stage, weight, obligatory, completed_by, note_required, notify, approval)."""
    return {
        a.element_id: (
            a.stage_key,
            a.weight,
            a.obligatory,
            a.completed_by,
            a.note_required,
            a.notify,
            a.approval,
        )
        for a in rules.tasks.values()
    }


def test_sales_process_identity(sales: ProcessInfo) -> None:
    assert (sales.key, sales.name) == ("sales_process", "Sales process")
    assert sales.messages == ["deal_close", "quote_generated"]
    assert sales.rules.free_moves is False


def test_sales_process_stages(sales: ProcessInfo) -> None:
    assert [
        (s.key, s.name, s.element_id, s.order, s.win_rate, s.phase) for s in sales.rules.stages
    ] == [
        ("initial_visit", "Initial visit", "Stage_InitialVisit", 1, 10, "pre_sale"),
        ("needs_analysis", "Needs analysis", "Stage_NeedsAnalysis", 2, 30, "pre_sale"),
        ("solution_design", "Solution design", "Stage_SolutionDesign", 3, 50, "pre_sale"),
        ("quote_and_bid", "Quote and bid", "Stage_QuoteAndBid", 4, 80, "pre_sale"),
        ("installation", "On-site installation", "Stage_Installation", 5, None, "post_sale"),
        ("training", "Implementation training", "Stage_Training", 6, None, "post_sale"),
        ("acceptance", "Acceptance", "Stage_Acceptance", 7, None, "post_sale"),
    ]
    assert [s.key for s in sales.rules.pre_sale] == [
        "initial_visit",
        "needs_analysis",
        "solution_design",
        "quote_and_bid",
    ]
    # The engine's stage list agrees with the rules.
    assert [(s.key, s.name, s.order) for s in sales.stages] == [
        (s.key, s.name, s.order) for s in sales.rules.stages
    ]


def test_sales_process_stage_requirements(sales: ProcessInfo) -> None:
    rules = sales.rules
    by_key = {s.key: s for s in rules.stages}
    fields = {k: [f"{f.path}:{f.type}" for f in s.required_fields] for k, s in by_key.items()}
    assert fields == {
        "initial_visit": ["customer.industry:text"],
        "needs_analysis": ["deal.budget:number", "deal.expected_close_date:text"],
        "solution_design": ["stage.design_summary:text", "stage.customer_feedback:text"],
        "quote_and_bid": [],
        "installation": [],
        "training": [],
        "acceptance": ["stage.acceptance_date:date"],
    }
    assert {k: s.min_contacts for k, s in by_key.items() if s.min_contacts} == {"initial_visit": 2}
    assert {k: s.approval for k, s in by_key.items() if s.approval} == {
        "solution_design": "direct_manager"
    }
    assert not any(s.optional for s in rules.stages)
    assert by_key["initial_visit"].requirements.startswith("Confirm the direct contact")
    assert by_key["initial_visit"].description == (
        "First meeting with the customer to understand who is involved."
    )
    assert all(s.description for s in rules.stages)


def test_sales_process_activities(sales: ProcessInfo) -> None:
    anyone = ("anyone",)
    assert activity_summary(sales.rules) == {
        "Activity_MeetCustomer": ("initial_visit", 2, True, anyone, "none", (), None),
        "Activity_IdentifyDecisionMakers": ("initial_visit", 1, False, anyone, "note", (), None),
        "Activity_AnalyseNeeds": ("needs_analysis", 2, True, anyone, "none", (), None),
        "Activity_QualifyBudget": ("needs_analysis", 1, False, anyone, "none", (), None),
        "Activity_DesignSolution": (
            "solution_design",
            2,
            True,
            anyone,
            "note_and_file",
            (),
            None,
        ),
        "Activity_PresentSolution": (
            "solution_design",
            1,
            False,
            anyone,
            "none",
            ("group:presales",),
            None,
        ),
        "Activity_ApproveSolution": (
            "solution_design",
            0,
            False,
            ("direct_manager",),
            "none",
            (),
            "direct_manager",
        ),
        "Activity_ReviseSolution": ("solution_design", 0, False, ("owner",), "none", (), None),
        "Activity_SendQuote": ("quote_and_bid", 1, True, anyone, "none", ("direct_manager",), None),
        "Activity_NegotiateTerms": ("quote_and_bid", 2, False, anyone, "none", (), None),
        "Activity_Install": ("installation", 1, False, anyone, "none", (), None),
        "Activity_TrainUsers": ("training", 1, False, anyone, "none", (), None),
        "Activity_ObtainSignOff": ("acceptance", 1, False, anyone, "none", (), None),
    }
    # Each stage's activities are the tasks of that stage.
    for stage in sales.rules.stages:
        assert {a.element_id for a in stage.activities} == {
            a.element_id for a in sales.rules.tasks.values() if a.stage_key == stage.key
        }
    assert [a.element_id for a in sales.rules.obligatory()] == [
        "Activity_MeetCustomer",
        "Activity_AnalyseNeeds",
        "Activity_DesignSolution",
        "Activity_SendQuote",
    ]


def test_sales_process_activity_details(sales: ProcessInfo) -> None:
    tasks = sales.rules.tasks
    meet = tasks["Activity_MeetCustomer"]
    assert meet.name == "Meet the customer"
    assert meet.tip == "Meet the direct contact in person; bring the reference list."
    assert tasks["Activity_AnalyseNeeds"].follow_up == FollowUpRule(
        "Send the needs summary to the customer", 2, "owner"
    )
    assert [a.element_id for a in tasks.values() if a.follow_up] == ["Activity_AnalyseNeeds"]
    approve = tasks["Activity_ApproveSolution"]
    assert approve.role == "manager"
    assert {a.role for a in tasks.values() if a is not approve} == {"rep"}
    # The approval task sits in the one stage needing approval.
    assert [(a.stage_key, a.element_id) for a in tasks.values() if a.approval] == [
        ("solution_design", "Activity_ApproveSolution")
    ]


def test_sales_process_terminals(sales: ProcessInfo) -> None:
    rules = sales.rules
    assert [
        (t.element_id, t.outcome, t.label, t.probability, t.order_required, t.orders_from_stage)
        for t in rules.terminals
    ] == [
        # The won throw event before the post-sale stages comes before the end event after them.
        ("Event_DealWon", "won", "Won", 100, True, "quote_and_bid"),
        ("Event_DealDelivered", "won", "Won and delivered", 100, False, None),
        ("Event_DealLost", "lost", "Lost", 0, False, None),
        ("Event_DealInvalid", "invalid", "Invalid", 0, False, None),
    ]
    assert rules.outcomes() == ["won", "lost", "invalid"]
    assert rules.lost_reasons == [
        "Too expensive",
        "Lost to a competitor",
        "No budget",
        "No decision",
        "Other",
    ]
    assert sales.lost_reasons == rules.lost_reasons
    assert rules.order_required is True
    assert rules.orders_from_stage == "quote_and_bid"
    won = rules.terminal("won")
    assert won is not None
    assert won.element_id == "Event_DealWon"


def test_sales_process_rules_at_work(sales: ProcessInfo) -> None:
    rules = sales.rules
    assert win_probability(rules, "initial_visit", ()) == 10
    assert win_probability(rules, "initial_visit", ("Activity_MeetCustomer",)) == 23  # 10+20*2/3
    assert (
        win_probability(rules, "solution_design", ("Activity_DesignSolution",)) == 70
    )  # 50+30*2/3
    # The approval and revise tasks weigh nothing: 50 + 30 * 3/3
    assert (
        win_probability(
            rules,
            "solution_design",
            ("Activity_DesignSolution", "Activity_PresentSolution", "Activity_ApproveSolution"),
        )
        == 80
    )
    assert win_probability(rules, "quote_and_bid", ("Activity_SendQuote",)) == 87  # 80+20/3
    assert win_probability(rules, "installation", ()) == 100
    assert orders.order_refusal(rules, "open", "solution_design") == (
        "orders may be created only from stage 'Quote and bid' on; the deal is at 'Solution design'"
    )
    assert orders.order_refusal(rules, "open", "quote_and_bid") is None
    assert closing.close_request(rules, "lost", "No budget") == {
        "outcome": "lost",
        "reason": "No budget",
    }
    assert [a.element_id for a in rules.obligatory()] == [
        "Activity_MeetCustomer",
        "Activity_AnalyseNeeds",
        "Activity_DesignSolution",
        "Activity_SendQuote",
    ]


def test_openfire_identity(openfire: ProcessInfo) -> None:
    assert (openfire.key, openfire.name) == ("openfire_pipeline", "Pipeline (OpenFire)")
    assert openfire.messages == ["deal_close", "deal_move"]
    assert openfire.rules.free_moves is True


def test_openfire_stages(openfire: ProcessInfo) -> None:
    assert [
        (s.key, s.name, s.order, s.win_rate, s.phase, s.optional, s.approval)
        for s in openfire.rules.stages
    ] == [
        ("nouveau", "Nouveau", 1, 10, "pre_sale", False, None),
        ("estimation", "Estimation", 2, 30, "pre_sale", True, None),
        ("visite_technique", "Visite technique", 3, 50, "pre_sale", False, None),
        ("devis", "Devis", 4, 80, "pre_sale", False, None),
    ]
    assert all(not s.required_fields and s.min_contacts == 0 for s in openfire.rules.stages)


def test_openfire_activities(openfire: ProcessInfo) -> None:
    anyone = ("anyone",)
    assert activity_summary(openfire.rules) == {
        "Activity_QualifierBesoin": ("nouveau", 1, False, anyone, "none", (), None),
        "Activity_GenererEstimation": ("estimation", 1, False, anyone, "none", (), None),
        "Activity_PlanifierVisite": ("visite_technique", 1, False, anyone, "none", (), None),
        "Activity_RealiserVisite": ("visite_technique", 2, True, anyone, "note", (), None),
        "Activity_EditerDevis": ("devis", 2, True, anyone, "none", (), None),
        "Activity_EnvoyerDevis": ("devis", 1, False, anyone, "none", (), None),
    }
    tasks = openfire.rules.tasks
    assert tasks["Activity_EnvoyerDevis"].follow_up == FollowUpRule(
        "Relancer le client", 7, "owner"
    )
    assert tasks["Activity_QualifierBesoin"].tip == (
        "Appeler le client pour préciser le besoin et le budget."
    )
    # No obligatory activity in the optional stage.
    assert [a.stage_key for a in openfire.rules.obligatory()] == ["visite_technique", "devis"]


def test_openfire_terminals(openfire: ProcessInfo) -> None:
    rules = openfire.rules
    assert [(t.element_id, t.outcome, t.label, t.probability) for t in rules.terminals] == [
        ("Event_Gagne", "won", "Gagné", 100),
        ("Event_Perdu", "lost", "Perdu", 0),
    ]
    assert rules.outcomes() == ["won", "lost"]
    assert rules.lost_reasons == ["Trop cher", "Concurrent retenu", "Projet abandonné", "Autre"]
    assert rules.order_required is False
    assert rules.orders_from_stage is None
    with pytest.raises(InvalidInput, match="outcome must be one of won, lost, not 'invalid'"):
        closing.close_request(rules, "invalid", None)


def test_openfire_free_move_over_the_optional_stage(openfire: ProcessInfo) -> None:
    rules = openfire.rules
    # Nouveau -> Visite technique skips the optional Estimation; nothing is required.
    assert leave_unmet(rules, DealFacts(), "nouveau", "visite_technique") == []
    # Visite technique -> Devis needs the obligatory visit.
    assert leave_unmet(rules, DealFacts(), "visite_technique", "devis") == [
        "Visite technique: obligatory activity 'Réaliser la visite' is not done"
    ]
    # Nouveau -> Devis passes over Visite technique, which is not optional.
    assert leave_unmet(rules, DealFacts(), "nouveau", "devis") == [
        "Visite technique: obligatory activity 'Réaliser la visite' is not done"
    ]
    assert win_probability(rules, "devis", ("Activity_EditerDevis",)) == 93  # 80+20*2/3


def test_lead_qualification_has_no_sales_rules(engine: ProcessEngine) -> None:
    info = process_info(engine, "lead_qualification.bpmn")
    assert info.rules.stages == ()
    assert info.rules.terminals == ()
    assert info.rules.free_moves is False
    review = info.rules.tasks["Activity_ReviewLead"]
    # A user task outside a stage: no stage, no weight.
    assert (review.stage_key, review.weight, review.completed_by) == (None, 0, ("anyone",))


def test_outcome_with_blanks_is_still_a_terminal(engine: ProcessEngine) -> None:
    text = (BPMN / "openfire_pipeline.bpmn").read_text()
    spaced = text.replace('name="outcome" value="won"', 'name="outcome" value=" won "')
    assert spaced != text
    assert [p for p in engine.lint({"x.bpmn": spaced.encode()}) if p.severity == "error"] == []
    info = process_info(engine, "openfire_pipeline.bpmn", spaced)
    assert info.rules.outcomes() == ["won", "lost"]
