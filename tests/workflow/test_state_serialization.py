"""Instance state is stored without the spec and restores against the cached spec."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from bpmn_sales.engine import CompiledProcess, ProcessEngine
from bpmn_sales.tasks import SERVICE_TASKS

StartRun = Callable[..., Any]
LEAD = "lead_qualification"
DEAL = "sales_process"

# Text that exists only in the diagrams (names, conditions, parameters), never in state.
SPEC_ONLY_TEXT = [
    "Identify decision makers",
    "Approve solution",
    "close['outcome'] == 'won'",
    "approval['decision'] == 'approve'",
    "Lost to a competitor",
    "stage_win_rate",
    "stage_order",
]


def deal_in_stage_two(start: StartRun) -> Any:
    """Initial visit done; in needs analysis, "Analyse needs" done and "Qualify budget" open."""
    run = start(DEAL, {"deal": {"name": "Acme"}}, False)
    run.complete("Meet the customer")
    run.complete("Identify decision makers")
    run.complete("Analyse needs", {"summary": "three licences"})
    return run


def test_state_does_not_contain_the_spec(
    start: StartRun, compiled: dict[str, CompiledProcess]
) -> None:
    run = deal_in_stage_two(start)
    state = run.dump()
    spec_json = compiled[DEAL].spec_json
    dct = json.loads(state)

    assert dct["format"] == "bpmn-sales-state/1"
    assert "spec" not in dct
    assert "subprocess_specs" not in dct
    assert "task_specs" not in state
    for text in SPEC_ONLY_TEXT:
        assert text in spec_json
        assert text not in state
    assert len(state) < len(spec_json)
    # The data the tasks were completed with is state, though.
    assert "three licences" in state


def test_state_is_much_smaller_than_the_spec_at_start(
    start: StartRun, compiled: dict[str, CompiledProcess]
) -> None:
    for key, data in ((DEAL, {"deal": {}}), (LEAD, {"lead": {"name": "A"}})):
        state = start(key, data, False).dump()
        assert len(state) < 0.7 * len(compiled[key].spec_json), key


def test_restore_gives_the_same_instance(start: StartRun) -> None:
    run = deal_in_stage_two(start)
    restored = run.restore(run.dump())

    assert [w.task_id for w in restored.snapshot().ready] == [w.task_id for w in run.snap().ready]
    assert restored.snapshot() == run.snap()
    # Dump -> restore -> dump is stable.
    assert run.engine.dump(restored) == run.dump()


def test_restore_on_a_fresh_engine_loads_the_spec_once(
    start: StartRun, compiled: dict[str, CompiledProcess]
) -> None:
    run = deal_in_stage_two(start)
    state = run.dump()
    spec_json = compiled[DEAL].spec_json
    loads = []

    def loader() -> str:
        loads.append(1)
        return spec_json

    other = ProcessEngine(SERVICE_TASKS)
    key = hashlib.sha256(spec_json.encode()).hexdigest()
    first = other.restore(key, loader, state)
    second = other.restore(key, loader, state)

    assert len(loads) == 1
    assert first.snapshot() == run.snap() == second.snapshot()
    # And the restored instance really runs on the other engine.
    (budget,) = first.snapshot().ready
    assert budget.title == "Qualify budget"
    first.complete(budget.task_id, {})
    assert first.snapshot().stage is not None
    assert first.snapshot().stage.key == "solution_design"
    # The original is untouched by what the copy did.
    assert run.snap().stage is not None and run.snap().stage.key == "needs_analysis"


def test_two_instances_of_one_spec_are_independent(start: StartRun) -> None:
    one = start(LEAD, {"lead": {"name": "One", "company": "One Inc"}}, True)
    two = start(LEAD, {"lead": {"name": "Two"}}, True)
    one.complete("Review lead", {"decision": "qualify"})

    assert one.snap().completed
    assert not two.snap().completed
    assert two.ready_titles() == ["Review lead"]
    two.complete("Review lead", {"decision": "disqualify", "disqualify_reason": "small"})
    assert one.snap().data["opportunity"]["customer"] == "One Inc"
    assert "disqualification" not in one.snap().data
    assert two.snap().data["disqualification"] == {"reason": "small"}


@pytest.mark.parametrize("process", [LEAD, DEAL])
def test_info_describes_the_process(
    engine: ProcessEngine, compiled: dict[str, CompiledProcess], process: str
) -> None:
    spec_json = compiled[process].spec_json
    info = engine.info(hashlib.sha256(spec_json.encode()).hexdigest(), lambda: spec_json)

    if process == DEAL:
        assert info.key == "sales_process"
        assert info.name == "Sales process"
        assert [(s.key, s.name, s.order) for s in info.stages] == [
            ("initial_visit", "Initial visit", 1),
            ("needs_analysis", "Needs analysis", 2),
            ("solution_design", "Solution design", 3),
            ("quote_and_bid", "Quote and bid", 4),
            ("installation", "On-site installation", 5),
            ("training", "Implementation training", 6),
            ("acceptance", "Acceptance", 7),
        ]
        assert [(s.key, s.win_rate) for s in info.rules.pre_sale] == [
            ("initial_visit", 10),
            ("needs_analysis", 30),
            ("solution_design", 50),
            ("quote_and_bid", 80),
        ]
        assert {t.element_id: t.outcome for t in info.rules.terminals} == {
            "Event_DealWon": "won",
            "Event_DealLost": "lost",
            "Event_DealInvalid": "invalid",
            "Event_DealDelivered": "won",
        }
        # A close "won" means the throw event before the post-sale stages.
        won = info.rules.terminal("won")
        assert won is not None and won.element_id == "Event_DealWon"
        assert info.messages == ["deal_close", "quote_generated"]
        assert info.lost_reasons == [
            "Too expensive",
            "Lost to a competitor",
            "No budget",
            "No decision",
            "Other",
        ]
    else:
        assert info.key == "lead_qualification"
        assert info.name == "Lead qualification"
        assert info.stages == []
        assert info.messages == ["lead_renewed"]
        assert info.lost_reasons == []


def test_tasks_convert_as_spiffworkflow_converts_them(start: StartRun) -> None:
    """Our task converter (the parent read once) gives SpiffWorkflow's dict for every task of
    the top workflow and its sub-processes, at the start and after each completion."""
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    from bpmn_sales.engine.running.workflow import SalesTask

    stock = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    TaskConverter(SalesTask, stock, typename="Task")  # SpiffWorkflow's own, for our subclass
    run = start(DEAL, {"deal": {"name": "Acme"}}, False)
    steps = ["Meet the customer", "Identify decision makers", "Analyse needs"]
    compared = 0
    for title in [None, *steps]:
        if title is not None:
            run.complete(title, {"summary": title})
        workflow = run.instance.workflow
        for wf in [workflow, *workflow.subprocesses.values()]:
            for task in wf.tasks.values():
                ours = run.engine.serializer.registry.convert(task)
                assert ours == stock.convert(task), task.task_spec.name
                compared += 1
    assert compared > 40
