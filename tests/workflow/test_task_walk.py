"""The engine's fast task walk gives exactly what SpiffWorkflow's iterators give.

Instances run on SalesWorkflow (engine/running/workflow.py), whose `get_tasks` and waiting-task
update walk the tree with a stack. At every step of real deals and leads, each query the engine
and SpiffWorkflow's specs ask is answered here and by SpiffWorkflow's own iterator, and the two
lists must be the same tasks in the same order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.task import TaskState
from SpiffWorkflow.util.task import TaskIterator

from bpmn_sales.engine.running.workflow import (
    SalesSubWorkflow,
    SalesTask,
    SalesWorkflow,
    TaskTable,
    walk_tasks,
)
from tests.helpers import APPROVAL, APPROVED

StartRun = Callable[..., Any]

QUERIES: list[dict[str, Any]] = [
    {},
    {"state": TaskState.READY},
    {"state": TaskState.READY, "manual": True},
    {"state": TaskState.READY, "manual": False},
    {"state": TaskState.WAITING},
    {"state": TaskState.COMPLETED},
    {"state": TaskState.CANCELLED},
    {"state": TaskState.FINISHED_MASK},
    {"state": TaskState.NOT_FINISHED_MASK},
    {"state": TaskState.PREDICTED_MASK},
    {"state": TaskState.DEFINITE_MASK},
    {"skip_subprocesses": True},
    {"state": TaskState.NOT_FINISHED_MASK, "skip_subprocesses": True},
    {"updated_ts": 1.0, "state": TaskState.COMPLETED},
]


def check_walks(top: Any) -> int:
    """Compare every query on the top workflow and each sub-process; return how many."""
    assert isinstance(top, SalesWorkflow)
    compared = 0
    for wf in [top, *top.subprocesses.values()]:
        assert wf is top or isinstance(wf, SalesSubWorkflow)
        # Every task, new or restored, changes state without building an unseen log record.
        assert type(wf.tasks) is TaskTable
        assert {type(t) for t in wf.tasks.values()} == {SalesTask}
        names = sorted({t.task_spec.name for t in wf.tasks.values()})
        queries = [*QUERIES, *({"spec_name": n} for n in names)]
        queries += [{"end_at_spec": n} for n in names[:3]]
        queries += [{"lane": t.task_spec.lane} for t in list(wf.tasks.values())[:3]]
        for query in queries:
            ours = wf.get_tasks(**query)
            theirs = list(BpmnTaskIterator(wf.task_tree, **query))
            assert ours == theirs, query
            compared += 1
        for task in wf.tasks.values():  # from a task, as catching events ask
            name = task.task_spec.name
            assert wf.get_tasks(task, spec_name=name) == list(
                BpmnTaskIterator(task, spec_name=name)
            )
        # The waiting tasks SpiffWorkflow updates after each task (its plain iterator).
        ours_waiting = list(walk_tasks(wf.task_tree, TaskState.WAITING, plain=True))
        assert ours_waiting == list(TaskIterator(wf.task_tree, state=TaskState.WAITING))
        # What the fast walk does not take goes to SpiffWorkflow's iterator.
        assert wf.get_tasks(max_depth=3) == list(BpmnTaskIterator(wf.task_tree, max_depth=3))
        assert wf.get_tasks(depth_first=False) == list(
            BpmnTaskIterator(wf.task_tree, depth_first=False)
        )
    return compared


@pytest.mark.parametrize("roundtrip", [False, True], ids=["live", "restored"])
def test_deal_walks_match_spiffworkflow_at_every_step(start: StartRun, roundtrip: bool) -> None:
    run = start("sales_process", {"deal": {"name": "Acme", "value": 1000}}, roundtrip)
    compared = check_walks(run.instance.workflow)
    steps = 0
    while steps < 40:
        ready = run.snap().ready
        if not ready:
            if "deal_close" not in run.snap().waiting_messages:
                break
            run.send("deal_close", {"outcome": "won"})
        else:
            item = ready[0]
            run.complete(item.title, APPROVED if item.title == APPROVAL else {"note": "done"})
        steps += 1
        compared += check_walks(run.instance.workflow)
    assert steps > 10  # the deal went through its stages, was won and delivered
    assert run.instance.workflow.subprocesses  # stages are sub-processes: those were compared
    assert compared > 500


def test_lead_walks_match_spiffworkflow(start: StartRun) -> None:
    run = start("lead_qualification", {"lead": {"name": "Acme", "company": "Acme"}}, True)
    check_walks(run.instance.workflow)
    for _ in range(10):
        ready = run.snap().ready
        if not ready:
            break
        run.complete(ready[0].title, {"decision": "qualify", "note": "ok"})
        check_walks(run.instance.workflow)


def test_state_changes_are_logged_when_someone_listens(
    start: StartRun, caplog: pytest.LogCaptureFixture
) -> None:
    """With SpiffWorkflow's task log on, a SalesTask logs each state change as SpiffWorkflow's
    own task does, with its details; off (the default), the change is made all the same."""
    run = start("sales_process", {"deal": {"name": "Acme", "value": 1000}}, False)
    task = run.snap().ready[0]
    quiet_before = run.instance.workflow.get_task_from_id(UUID(task.task_id)).last_state_change
    with caplog.at_level(logging.INFO, logger="spiff.task"):
        run.complete(task.title, {"note": "done"})
    changed = [r for r in caplog.records if r.getMessage() == "State changed to COMPLETED"]
    assert str(task.task_id) in {str(getattr(r, "task_id", "")) for r in changed}
    assert all(hasattr(r, "elapsed") and hasattr(r, "task_spec") for r in changed)
    done = run.instance.workflow.get_task_from_id(UUID(task.task_id))
    assert done.state == TaskState.COMPLETED and done.last_state_change > quiet_before
    caplog.clear()
    ready = run.snap().ready[0]  # the default: nothing recorded, the state still moves
    run.complete(ready.title, {"note": "done"})
    assert not [r for r in caplog.records if r.name == "spiff.task"]
    assert run.instance.workflow.get_task_from_id(UUID(ready.task_id)).state == TaskState.COMPLETED
