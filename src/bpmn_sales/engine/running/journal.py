"""Instance state as a snapshot plus a journal of deltas: each step stores only what it changed.

A delta holds, for the top workflow and each sub-process, the workflow's own attributes, the
tasks the step added or changed (in SpiffWorkflow's own task format) and the ids of the tasks it
removed. Applied in order to the snapshot's dict, the deltas give exactly the dict a full dump of
the instance would: replaying is a dict merge, never a run of the diagram, so nothing the step
did (a notice, a service call) happens again.

Which tasks changed is found without converting the whole tree. A task's fingerprint hashes
what a step can change on a task that is not running (its state and when it last changed, its
children, its data and internal-data objects). Tasks that are READY, WAITING or STARTED may
change in place (SpiffWorkflow merges data into them), and a task's stored data is relative to
its parent's, so those tasks and the children of every candidate are converted, and written
when their JSON differs from what was stored last (a hash of it is kept).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task, TaskState

DELTA_FORMAT = "bpmn-sales-delta/1"
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED

Convert = Callable[[Any], Any]


Marks = tuple[tuple[UUID, ...], "array[int]"]


def _packed(marks: dict[UUID, int]) -> Marks:
    """Task ids (the tasks' own UUID objects) and their fingerprints as a machine-integer
    array: a tenth of what a dict of int objects takes in a cached instance."""
    return tuple(marks), array("q", marks.values())


@dataclass
class Baseline:
    """What the stored state holds of each task, to compare the instance with at the next save."""

    # Sub-process id (None: the top workflow) -> its task ids and their fingerprints.
    fingerprints: dict[UUID | None, Marks] = field(default_factory=dict)
    # Task id -> hash of its stored JSON, for the tasks last compared by content.
    contents: dict[UUID, int] = field(default_factory=dict)


def fingerprint(task: Task) -> int:
    """A hash of what can change on a task that is not running."""
    return hash(
        (
            task._state,
            task.last_state_change,
            task.triggered,
            id(task.data),
            len(task.data),
            id(task.internal_data),
            len(task.internal_data),
            *task._children,
        )
    )


def workflows(top: BpmnWorkflow) -> Iterator[tuple[UUID | None, Any]]:
    """The top workflow (key None) and each sub-process (key: its task id)."""
    yield None, top
    yield from top.subprocesses.items()


def _candidates(workflow: Any, before: Marks | None) -> tuple[set[UUID], Marks]:
    """Tasks that may differ from what was stored, and every task's fingerprint now.

    The tasks are mostly in the order the baseline lists them (the same UUID objects), so
    their old fingerprints are read by position up to the first task out of place, and only
    from there by id: a UUID hashes in Python, and dicts of them were a tenth of a delta."""
    found: set[UUID] = set()
    ids, marks = before if before is not None else ((), array("q"))
    count = len(ids)
    index = 0
    known: dict[UUID, int] | None = None
    tasks = workflow.tasks
    now: list[int] = []
    for tid, task in tasks.items():
        mark = fingerprint(task)
        now.append(mark)
        if known is None and index < count and ids[index] is tid:
            old: int | None = marks[index]
            index += 1
        else:
            if known is None:
                known = dict(zip(ids, marks, strict=True))
            old = known.get(tid)
        if task._state & ACTIVE or old != mark:
            found.add(tid)
    # A machine-integer array of the exact size, as _packed makes.
    return _with_children(workflow, found), (tuple(tasks), array("q", now))


def _removed(before: Marks | None, now: tuple[UUID, ...]) -> list[str]:
    """Ids of the baseline's tasks the workflow no longer has."""
    if before is None:
        return []
    ids = before[0]
    if len(ids) <= len(now) and all(a is b for a, b in zip(ids, now, strict=False)):
        return []  # every known task is still there, in its place
    present = set(now)
    return [str(tid) for tid in ids if tid not in present]


def _with_children(workflow: Any, found: set[UUID]) -> set[UUID]:
    tasks = workflow.tasks
    for tid in list(found):
        found.update(tasks[tid]._children)
    return found


def _content(task: Task, convert: Convert) -> bytes:
    return orjson.dumps(convert(task))


def baseline_of(top: BpmnWorkflow, convert: Convert) -> Baseline:
    """The baseline of an instance whose whole state was just stored or read: fingerprints of
    every task, and the stored JSON's hash of those compared by content at every save."""
    baseline = Baseline()
    for key, wf in workflows(top):
        now = {}
        active: set[UUID] = set()
        for tid, task in wf.tasks.items():
            now[tid] = fingerprint(task)
            if task._state & ACTIVE:
                active.add(tid)
        baseline.fingerprints[key] = _packed(now)
        for tid in _with_children(wf, active):
            baseline.contents[tid] = hash(_content(wf.tasks[tid], convert))
    return baseline


def workflow_attributes(workflow: Any, convert: Convert, clean: Convert) -> dict[str, Any]:
    """A workflow's own attributes, as SpiffWorkflow's WorkflowConverter writes them (the root
    too: a sub-process started again under the same task has a new one)."""
    last = workflow.last_task
    return {
        "root": str(workflow.task_tree.id),
        "data": convert(clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(last.id) if last is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
    }


def _changed_tasks(
    workflow: Any, key: UUID | None, before: Baseline, after: Baseline, convert: Convert
) -> tuple[dict[str, orjson.Fragment], list[str]]:
    """(changed or added tasks as JSON, in the workflow's task order; removed task ids)."""
    known = before.fingerprints.get(key)
    candidates, now = _candidates(workflow, known)
    after.fingerprints[key] = now
    changed = {}
    for tid, task in workflow.tasks.items():
        if tid not in candidates:
            continue
        blob = _content(task, convert)
        mark = after.contents[tid] = hash(blob)
        if before.contents.get(tid) != mark:
            changed[str(tid)] = orjson.Fragment(blob)
    return changed, _removed(known, now[0])


def delta(
    top: BpmnWorkflow, before: Baseline, convert: Convert, clean: Convert
) -> tuple[dict[str, Any], Baseline]:
    """What changed since `before`, as a delta dict, and the baseline to compare with next."""
    after = Baseline()
    tasks, removed = _changed_tasks(top, None, before, after, convert)
    body: dict[str, Any] = {
        "format": DELTA_FORMAT,
        "workflow": workflow_attributes(top, convert, clean),
        "tasks": tasks,
        "removed": removed,
        "bpmn_events": convert(top.bpmn_events),
        "subprocesses": {},
        "removed_subprocesses": [
            str(k) for k in before.fingerprints if k is not None and k not in top.subprocesses
        ],
    }
    for key, sub in top.subprocesses.items():
        if key not in before.fingerprints:
            body["subprocesses"][str(key)] = {"full": convert(sub)}
            after.fingerprints[key] = _packed({tid: fingerprint(t) for tid, t in sub.tasks.items()})
            continue
        sub_tasks, sub_removed = _changed_tasks(sub, key, before, after, convert)
        body["subprocesses"][str(key)] = {
            "workflow": workflow_attributes(sub, convert, clean),
            "tasks": sub_tasks,
            "removed": sub_removed,
        }
    return body, after


def _apply_to_workflow(state: dict[str, Any], part: dict[str, Any]) -> None:
    state.update(part["workflow"])
    tasks = state["tasks"]
    for task_id in part["removed"]:
        del tasks[task_id]
    tasks.update(part["tasks"])


def apply(state: dict[str, Any], body: dict[str, Any]) -> None:
    """Apply one delta to a full state dict, in place (KeyError/ValueError if they do not fit)."""
    if body.get("format") != DELTA_FORMAT:
        raise ValueError("not a bpmn-sales state delta")
    _apply_to_workflow(state, body)
    state["bpmn_events"] = body["bpmn_events"]
    subprocesses = state["subprocesses"]
    for key in body["removed_subprocesses"]:
        del subprocesses[key]
    for key, part in body["subprocesses"].items():
        if "full" in part:
            subprocesses[key] = part["full"]
        else:
            _apply_to_workflow(subprocesses[key], part)
