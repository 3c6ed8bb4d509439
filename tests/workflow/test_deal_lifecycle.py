"""The sales process on the real diagram: four pre-sale stages with an approval, closing
won (into the post-sale stages), lost or invalid, and closing early."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.tasks.closing import close_request
from tests.helpers import APPROVAL, APPROVED, REJECTED, run_pre_sale, run_stage

pytestmark = pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])

StartRun = Callable[..., Any]
DEAL = "sales_process"
DEAL_DATA: dict[str, Any] = {"deal": {"name": "Acme opportunity", "value": 12000}}

# stage key -> (stage name, {activity title: role}); the approval comes after the activities.
STAGES: dict[str, tuple[str, dict[str, str]]] = {
    "initial_visit": (
        "Initial visit",
        {"Meet the customer": "rep", "Identify decision makers": "rep"},
    ),
    "needs_analysis": ("Needs analysis", {"Analyse needs": "rep", "Qualify budget": "rep"}),
    "solution_design": ("Solution design", {"Design solution": "rep", "Present solution": "rep"}),
    "quote_and_bid": ("Quote and bid", {"Send quote": "rep", "Negotiate terms": "rep"}),
}
POST_SALE = [
    ("installation", "On-site installation", 5, "Install the solution"),
    ("training", "Implementation training", 6, "Train the users"),
    ("acceptance", "Acceptance", 7, "Obtain sign-off"),
]


def test_start_enters_initial_visit(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    snap = run.snap()

    assert not snap.completed
    assert snap.stage is not None
    assert (snap.stage.key, snap.stage.name, snap.stage.order) == (
        "initial_visit",
        "Initial visit",
        1,
    )
    assert snap.running_stage == snap.stage
    assert {w.title: w.role for w in snap.ready} == STAGES["initial_visit"][1]
    assert all(w.stage == snap.stage for w in snap.ready)
    assert all(w.lane == "Sales rep" for w in snap.ready)
    # The early-close boundary event listens from the start.
    assert snap.waiting_messages == ["deal_close"]
    assert snap.outcome_event is None
    assert snap.data["deal"] == DEAL_DATA["deal"]


def test_walk_all_stages_then_close_won(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    for order, (key, (name, tasks)) in enumerate(STAGES.items(), start=1):
        snap = run.snap()
        assert snap.stage is not None
        assert (snap.stage.key, snap.stage.name, snap.stage.order) == (key, name, order)
        assert snap.running_stage == snap.stage
        assert {w.title: w.role for w in snap.ready} == tasks
        assert {w.stage.key for w in snap.ready if w.stage} == {key}
        for title in tasks:
            run.complete(title, {"note": title})
            assert title not in run.ready_titles()
        if key == "solution_design":
            # The stage is left only once the manager approves.
            assert run.ready_titles() == [APPROVAL]
            assert run.snap().stage == snap.stage
            run.complete(APPROVAL, APPROVED)

    snap = run.snap()
    assert not snap.completed
    assert snap.ready == []
    assert snap.waiting_messages == ["deal_close"]
    assert snap.stage is not None and snap.stage.key == "quote_and_bid"
    assert snap.running_stage is None  # every stage is done: the deal waits to be closed
    assert snap.outcome_event is None

    run.send("deal_close", {"outcome": "won"})
    snap = run.snap()
    # Won is a throw event: the process goes on into the post-sale stages.
    assert not snap.completed
    assert snap.outcome_event == "Event_DealWon"
    assert snap.end_event is None
    assert snap.data["close"] == {"outcome": "won", "reason": None}
    assert snap.waiting_messages == []
    for key, name, order, title in POST_SALE:
        snap = run.snap()
        assert snap.running_stage is not None
        assert (snap.running_stage.key, snap.running_stage.name) == (key, name)
        assert snap.running_stage.order == order
        assert [(w.title, w.lane) for w in snap.ready] == [(title, "Delivery team")]
        run.complete(title)

    snap = run.snap()
    assert snap.completed
    assert snap.end_event == "Event_DealDelivered"
    assert snap.outcome_event == "Event_DealDelivered"
    assert snap.state_properties == {"outcome": "won", "outcome_label": "Won and delivered"}
    assert snap.ready == []
    assert snap.waiting_messages == []


def test_approve_solution_is_a_manager_task(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    run_stage(run, "initial_visit")
    run_stage(run, "needs_analysis")
    design = run.complete("Design solution")
    run.complete("Present solution")
    approval = run.item(APPROVAL)

    assert approval.role == "manager"
    assert approval.rule.completed_by == ("direct_manager",)
    assert approval.properties.get("approval") == "direct_manager"
    assert design.role == "rep"
    assert approval.stage is not None and approval.stage.key == "solution_design"


def test_a_rejected_solution_goes_back_for_revision(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    run_stage(run, "initial_visit")
    run_stage(run, "needs_analysis")
    run.complete("Design solution")
    run.complete("Present solution")

    run.complete(APPROVAL, REJECTED)
    revise = run.item("Revise solution")
    assert revise.rule.completed_by == ("owner",)
    assert revise.stage is not None and revise.stage.key == "solution_design"
    run.complete("Revise solution")
    assert run.ready_titles() == [APPROVAL]
    run.complete(APPROVAL, APPROVED)

    snap = run.snap()
    assert snap.stage is not None and snap.stage.key == "quote_and_bid"
    assert sorted(w.title for w in snap.ready) == ["Negotiate terms", "Send quote"]


@pytest.mark.parametrize("reason", ["Too expensive", "No decision", "Other"])
def test_close_lost_with_a_listed_reason(start: StartRun, roundtrip: bool, reason: str) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    run_pre_sale(run)
    run.send("deal_close", close_request(run.instance.rules, "lost", reason))
    snap = run.snap()

    assert snap.completed
    assert snap.end_event == snap.outcome_event == "Event_DealLost"
    assert snap.state_properties["outcome"] == "lost"
    assert snap.state_properties["outcome_label"] == "Lost"
    assert snap.data["close"] == {"outcome": "lost", "reason": reason}


@pytest.mark.parametrize("reason", ["Bad weather", "too expensive", "", None])
def test_close_lost_with_an_unlisted_reason_is_refused(
    start: StartRun, roundtrip: bool, reason: str | None
) -> None:
    """The lost reasons are the diagram's (on the lost end event); the close request is
    checked against them before the message is sent, so the instance is left as it was."""
    run = start(DEAL, DEAL_DATA, roundtrip)
    run_pre_sale(run)
    before_state = run.dump()
    before = run.snap()

    with pytest.raises(InvalidInput) as refused:
        run.send("deal_close", close_request(run.instance.rules, "lost", reason))
    assert refused.value.field == "reason"
    assert "Lost to a competitor" in refused.value.message

    assert run.dump() == before_state
    assert run.snap() == before
    assert run.snap().waiting_messages == ["deal_close"]


def test_close_with_an_unknown_outcome_is_refused(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    with pytest.raises(InvalidInput) as refused:
        run.send("deal_close", {"outcome": "postponed"})
    assert refused.value.field == "outcome"


@pytest.mark.parametrize(
    ("outcome", "reason", "outcome_event", "next_tasks"),
    [
        ("won", None, "Event_DealWon", ["Install the solution"]),
        ("lost", "No budget", "Event_DealLost", []),
        ("invalid", None, "Event_DealInvalid", []),
    ],
)
@pytest.mark.parametrize("stages_done", [0, 1], ids=["in-stage-1", "in-stage-2"])
def test_close_early_cancels_the_open_stage(
    start: StartRun,
    roundtrip: bool,
    stages_done: int,
    outcome: str,
    reason: str | None,
    outcome_event: str,
    next_tasks: list[str],
) -> None:
    """The engine closes from any stage; the win rules are the use case's (close_deal)."""
    run = start(DEAL, DEAL_DATA, roundtrip)
    keys = list(STAGES)
    for key in keys[:stages_done]:
        run_stage(run, key)
    # Leave the current stage half done.
    first_title = next(iter(STAGES[keys[stages_done]][1]))
    run.complete(first_title)
    snap = run.snap()
    assert snap.stage is not None and snap.stage.key == keys[stages_done]
    open_ids = [w.task_id for w in snap.ready]
    assert len(open_ids) == 1

    run.send("deal_close", {"outcome": outcome, "reason": reason})
    snap = run.snap()

    assert snap.outcome_event == outcome_event
    assert snap.data["close"] == {"outcome": outcome, "reason": reason}
    assert snap.completed is (outcome != "won")
    assert snap.end_event == (None if outcome == "won" else outcome_event)
    assert [w.title for w in snap.ready] == next_tasks
    assert snap.waiting_messages == []
    for task_id in open_ids:
        with pytest.raises(InvalidState, match="cancelled"):
            run.instance.complete(task_id, {})
