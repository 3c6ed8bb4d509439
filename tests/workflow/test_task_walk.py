"""The engine's fast task walk gives exactly what SpiffWorkflow's iterators give.

Instances run on SalesWorkflow (engine/running/workflow.py), whose `get_tasks` and waiting-task
update walk the tree with a stack. At every step of real deals and leads, each query the engine
and SpiffWorkflow's specs ask is answered here and by SpiffWorkflow's own iterator, and the two
lists must be the same tasks in the same order.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.task import Task, TaskState
from SpiffWorkflow.util.task import TaskIterator

from bpmn_sales.engine.running.projection import walk
from bpmn_sales.engine.running.workflow import (
    SalesSubWorkflow,
    SalesTask,
    SalesWorkflow,
    TaskTable,
    forget_names,
    named_tasks,
    ready_tasks,
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
        # Ancestry (parallel gateways ask it), against the chain of SpiffWorkflow's `parent`.
        listed = list(wf.tasks.values())
        for task in listed[::3]:
            ancestors = []
            parent = task.parent
            while parent is not None:
                ancestors.append(parent)
                parent = parent.parent
            for other in listed:
                assert task.is_descendant_of(other) == any(a is other for a in ancestors)
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


STATES = [
    TaskState.MAYBE,
    TaskState.LIKELY,
    TaskState.FUTURE,
    TaskState.WAITING,
    TaskState.READY,
    TaskState.STARTED,
    TaskState.COMPLETED,
    TaskState.ERROR,
    TaskState.CANCELLED,
]


def check_ready(top: Any) -> int:
    """The ready tasks of the top workflow and of each sub-process, answered from the tables'
    marks (ready_tasks, what the engine asks between tasks), and the tasks of each spec name,
    from their index (named_tasks), equal SpiffWorkflow's walk; return how many READY tasks
    that walk found."""
    found = 0
    for wf in [top, *top.subprocesses.values()]:
        for manual in (None, True, False):
            query: dict[str, Any] = {"state": TaskState.READY}
            if manual is not None:
                query["manual"] = manual
            theirs = list(BpmnTaskIterator(wf.task_tree, **query))
            assert ready_tasks(wf, manual) == theirs, (wf, manual)
            assert wf.get_tasks(**query) == theirs
            found += len(theirs) if manual is None else 0
    workflows = [top, *top.subprocesses.values()]
    for wf in workflows:  # the waiting tasks' update is skipped when this says there are none
        assert wf.tasks.any_waiting() == any(
            t._state == TaskState.WAITING for t in wf.tasks.values()
        )
    # The projection's walk of every task (projection.walk) is the iterator's.
    assert list(walk(top)) == list(BpmnTaskIterator(top.task_tree))
    names = {t.task_spec.name for wf in workflows for t in wf.tasks.values()}
    for wf in workflows:
        for name in sorted(names):  # by name, from the tables' index (parallel gateways ask)
            theirs = list(BpmnTaskIterator(wf.task_tree, spec_name=name))
            assert named_tasks(wf, name) == theirs, (wf, name)
            assert wf.get_tasks(spec_name=name) == theirs
    return found


def test_ready_tasks_match_spiffworkflow_in_any_state(start: StartRun) -> None:
    """Any mix of states, set on a deal's restored copy at each step of its life: a READY task
    under a parent the walk does not enter, ready tasks both inside a sub-process and among
    the children of the task that runs it, ready tasks of another sub-process than the one
    asked about. (The engine never makes most of these; the answer must still be the walk's.)"""
    run = start("sales_process", {"deal": {"name": "Acme", "value": 1000}}, False)
    rng = random.Random(17)
    found = steps = 0
    while steps < 12:
        top = run.restore(run.dump()).workflow
        workflows = [top, *top.subprocesses.values()]
        for _ in range(15):
            for wf in workflows:
                for task in wf.tasks.values():
                    task._set_state(rng.choice(STATES))
            found += check_ready(top)
            # Tasks added READY (as SpiffWorkflow adds a loop's first pass), then tasks taken
            # out of the tree while READY (as a cancelled branch's are).
            for wf in workflows:
                parents = [t for t in wf.tasks.values() if t._state & TaskState.DEFINITE_MASK]
                if not parents:
                    continue
                first, *others = rng.sample(parents, min(3, len(parents)))
                # Made READY or WAITING, with no state change to see: the table marks it when
                # added.
                Task(wf, first.task_spec, first, state=TaskState.READY)
                Task(wf, first.task_spec, first, state=TaskState.WAITING)
                for parent in others:
                    parent._add_child(parent.task_spec, TaskState.READY)
            found += check_ready(top)
            for wf in workflows:
                ready = [t for t in wf.tasks.values() if t._state == TaskState.READY]
                for task in rng.sample(ready, min(2, len(ready))):
                    if task.id in wf.tasks and task is not wf.task_tree:
                        wf._remove_task(task.id)
            found += check_ready(top)
        ready = run.snap().ready
        if not ready:
            break
        run.complete(ready[0].title, APPROVED if ready[0].title == APPROVAL else {"note": "done"})
        steps += 1
    assert steps > 5 and found > 500


def test_ready_tasks_are_the_walks_after_a_restore(start: StartRun) -> None:
    """A restored instance's tables mark the tasks READY as read; the ready tasks are the
    walk's at every step, live and restored."""
    for roundtrip in (False, True):
        run = start("sales_process", {"deal": {"name": "Acme", "value": 1000}}, roundtrip)
        for _ in range(8):
            assert check_ready(run.instance.workflow) > 0
            assert check_ready(run.restore(run.dump()).workflow) > 0
            ready = run.snap().ready
            run.complete(ready[0].title, APPROVED if ready[0].title == APPROVAL else {})


def test_tasks_by_name_follow_a_change_of_spec(start: StartRun) -> None:
    """A migration points tasks at other specs and then forgets the index by spec name: the
    answers by name are the walk's again (and were not before it forgot)."""
    run = start("sales_process", {"deal": {"name": "Acme", "value": 1000}}, False)
    top = run.restore(run.dump()).workflow
    check_ready(top)  # every table's index built
    tasks = list(top.tasks.values())
    first = tasks[1]
    second = next(t for t in tasks if t.task_spec.name != first.task_spec.name)
    old = first.task_spec
    first.task_spec = second.task_spec
    walked = list(BpmnTaskIterator(top.task_tree, spec_name=second.task_spec.name))
    assert first in walked
    assert first not in named_tasks(top, second.task_spec.name)  # stale until forgotten
    forget_names(top)
    assert named_tasks(top, second.task_spec.name) == walked
    assert named_tasks(top, old.name) == list(BpmnTaskIterator(top.task_tree, spec_name=old.name))
    check_ready(top)
