"""The sales process on the real diagram: three stages, closing won/lost, closing early."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bpmn_sales.errors import InvalidInput, InvalidState

pytestmark = pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])

StartRun = Callable[..., Any]
DEAL = "sales_process"
DEAL_DATA: dict[str, Any] = {"deal": {"name": "Acme opportunity", "value": 12000}}
LOST_REASONS = ["Too expensive", "Lost to a competitor", "No budget", "No decision", "Other"]

# stage key -> (stage name, {task title: role})
STAGES: dict[str, tuple[str, dict[str, str]]] = {
    "needs_analysis": (
        "Needs analysis",
        {"Analyse needs": "rep", "Identify decision makers": "rep"},
    ),
    "proposal": ("Proposal", {"Prepare proposal": "rep", "Review proposal": "manager"}),
    "negotiation": ("Negotiation", {"Negotiate terms": "rep", "Send contract": "rep"}),
}


def complete_stage(run: Any, key: str) -> None:
    for title in sorted(STAGES[key][1]):
        run.complete(title, {"note": f"{title} done"})


def test_start_enters_needs_analysis(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    snap = run.snap()

    assert not snap.completed
    assert snap.stage is not None
    assert (snap.stage.key, snap.stage.name, snap.stage.order) == (
        "needs_analysis",
        "Needs analysis",
        1,
    )
    assert {w.title: w.role for w in snap.ready} == STAGES["needs_analysis"][1]
    assert all(w.stage == snap.stage for w in snap.ready)
    assert all(w.lane == "Sales rep" for w in snap.ready)
    # The early-close boundary event listens from the start.
    assert snap.waiting_messages == ["deal_close"]
    assert (snap.activities_done, snap.activities_total) == (0, 6)
    assert snap.data["deal"] == DEAL_DATA["deal"]


def test_walk_all_stages_then_close_won(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    done = 0
    for order, (key, (name, tasks)) in enumerate(STAGES.items(), start=1):
        snap = run.snap()
        assert snap.stage is not None
        assert (snap.stage.key, snap.stage.name, snap.stage.order) == (key, name, order)
        assert {w.title: w.role for w in snap.ready} == tasks
        assert {w.stage.key for w in snap.ready if w.stage} == {key}
        for title in sorted(tasks):
            assert run.snap().activities_done == done
            run.complete(title, {"note": title})
            done += 1
            assert run.snap().activities_done == done
            assert title not in run.ready_titles()

    snap = run.snap()
    assert not snap.completed
    assert snap.ready == []
    assert snap.waiting_messages == ["deal_close"]
    assert snap.stage is not None and snap.stage.key == "negotiation"
    assert (snap.activities_done, snap.activities_total) == (6, 6)

    run.send("deal_close", {"outcome": "won"})
    snap = run.snap()
    assert snap.completed
    assert snap.end_event == "Event_DealWon"
    assert snap.state_properties == {"deal_status": "won"}
    assert snap.data["close"] == {"outcome": "won", "reason": None, "probability": 100}
    assert snap.ready == []
    assert snap.waiting_messages == []
    assert (snap.activities_done, snap.activities_total) == (6, 6)


def test_review_proposal_is_a_manager_task(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    complete_stage(run, "needs_analysis")
    review = run.item("Review proposal")
    prepare = run.item("Prepare proposal")

    assert review.role == "manager"
    assert review.properties.get("performer_role") == "manager"
    assert prepare.role == "rep"
    assert review.stage is not None and review.stage.key == "proposal"


@pytest.mark.parametrize("reason", ["Too expensive", "No decision", "Other"])
def test_close_lost_with_a_listed_reason(start: StartRun, roundtrip: bool, reason: str) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    for key in STAGES:
        complete_stage(run, key)
    run.send("deal_close", {"outcome": "lost", "reason": reason})
    snap = run.snap()

    assert snap.completed
    assert snap.end_event == "Event_DealLost"
    assert snap.state_properties == {"deal_status": "lost"}
    assert snap.data["close"] == {"outcome": "lost", "reason": reason, "probability": 0}


@pytest.mark.parametrize("reason", ["Bad weather", "too expensive", "", None])
def test_close_lost_with_an_unlisted_reason_is_refused(
    start: StartRun, roundtrip: bool, reason: str | None
) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    for key in STAGES:
        complete_stage(run, key)
    before_state = run.dump()
    before = run.snap()

    with pytest.raises(InvalidInput) as refused:
        run.send("deal_close", {"outcome": "lost", "reason": reason})
    assert refused.value.field == "reason"
    assert "Lost to a competitor" in refused.value.message

    run.reset_to(before_state)
    assert run.snap() == before
    assert run.snap().waiting_messages == ["deal_close"]


def test_close_with_an_unknown_outcome_is_refused(start: StartRun, roundtrip: bool) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    with pytest.raises(InvalidInput) as refused:
        run.send("deal_close", {"outcome": "postponed"})
    assert refused.value.field == "outcome"


@pytest.mark.parametrize(
    ("outcome", "reason", "end_event"),
    [("won", None, "Event_DealWon"), ("lost", "No budget", "Event_DealLost")],
)
@pytest.mark.parametrize("stages_done", [0, 1], ids=["in-stage-1", "in-stage-2"])
def test_close_early_cancels_the_open_stage(
    start: StartRun,
    roundtrip: bool,
    stages_done: int,
    outcome: str,
    reason: str | None,
    end_event: str,
) -> None:
    run = start(DEAL, DEAL_DATA, roundtrip)
    keys = list(STAGES)
    for key in keys[:stages_done]:
        complete_stage(run, key)
    # Leave the current stage half done.
    first_title = sorted(STAGES[keys[stages_done]][1])[0]
    run.complete(first_title)
    snap = run.snap()
    assert snap.stage is not None and snap.stage.key == keys[stages_done]
    open_ids = [w.task_id for w in snap.ready]
    assert len(open_ids) == 1
    done_before = snap.activities_done
    assert done_before == 2 * stages_done + 1

    run.send("deal_close", {"outcome": outcome, "reason": reason})
    snap = run.snap()

    assert snap.completed
    assert snap.end_event == end_event
    assert snap.state_properties == {"deal_status": outcome}
    assert snap.data["close"]["outcome"] == outcome
    assert snap.data["close"]["probability"] == (100 if outcome == "won" else 0)
    assert snap.ready == []
    assert snap.waiting_messages == []
    assert (snap.activities_done, snap.activities_total) == (done_before, 6)
    for task_id in open_ids:
        with pytest.raises(InvalidState, match="cancelled"):
            run.instance.complete(task_id, {})
