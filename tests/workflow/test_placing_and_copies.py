"""An imported deal placed at a later stage of the real sales process, and the copies of one
placed instance for many deals: each runs on like one started there, through a round trip."""

from __future__ import annotations

import orjson
import pytest

from bpmn_sales.engine import InstanceCopies, placeholders
from bpmn_sales.engine.running.placing import place_at_stage
from bpmn_sales.errors import InvalidState
from tests.workflow.conftest import DEAL, StartRun

DATA = {"name": "Rollout", "customer": "Acme", "currency": "EUR", "value": "10.00"}


@pytest.mark.parametrize("roundtrip", [False, True], ids=["in-memory", "roundtrip"])
def test_a_deal_placed_at_a_later_stage_works_that_stage_and_goes_on(
    start: StartRun, roundtrip: bool
) -> None:
    run = start(DEAL, {"deal": DATA}, roundtrip)
    place_at_stage(run.instance, "needs_analysis")
    run.save()
    snap = run.snap()
    assert snap.running_stage is not None and snap.running_stage.key == "needs_analysis"
    assert run.ready_titles() == ["Analyse needs", "Qualify budget"]
    # The first stage's reminders stopped; the stage's own wait.
    assert sorted(t.element_id for t in snap.timers) == [
        "Event_NeedsAnalysisEscalation",
        "Event_NeedsAnalysisReminder",
    ]
    run.complete("Analyse needs")
    run.complete("Qualify budget")
    assert run.snap().running_stage.key == "solution_design"  # type: ignore[union-attr]
    run.send("deal_close", {"outcome": "lost", "reason": "No budget"})
    assert run.snap().outcome_event == "Event_DealLost"


def test_a_stage_off_the_path_is_refused(start: StartRun) -> None:
    run = start(DEAL, {"deal": DATA}, False)
    with pytest.raises(InvalidState, match="cannot place a deal at stage 'installation'"):
        place_at_stage(run.instance, "installation")


def test_copies_have_their_own_task_ids_and_values_and_restore(start: StartRun) -> None:
    marks = placeholders(tuple(DATA))
    run = start(DEAL, {"deal": dict(marks)}, False)
    place_at_stage(run.instance, "quote_and_bid")
    copies = InstanceCopies.of(run.dump(), run.instance, marks)
    assert copies.copyable
    first, second = copies.copy(DATA), copies.copy({**DATA, "name": 'Say "hi"', "customer": None})
    assert not set(first.ids.values()) & set(second.ids.values())
    for copy, name, customer in ((first, "Rollout", "Acme"), (second, 'Say "hi"', None)):
        state = orjson.loads(copy.state)
        assert state["data"]["deal"] == {**DATA, "name": name, "customer": customer}
        restored = run.restore(copy.state)
        ready = restored.snapshot().ready
        assert [i.title for i in ready] == ["Send quote", "Negotiate terms"]
        assert {i.task_id for i in ready} <= set(copy.ids.values())
        restored.complete(ready[0].task_id, {})
        assert [i.title for i in restored.snapshot().ready] == ["Negotiate terms"]
    # A value worked into another text cannot be replaced: such a state is not copied.
    worked = InstanceCopies.of(run.dump() + marks["name"], run.instance, marks)
    assert not worked.copyable
