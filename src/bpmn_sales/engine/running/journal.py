"""Instance state as a snapshot plus a journal of deltas: each step stores only what it changed.

A delta holds, for the top workflow and each sub-process the step changed, those of the
workflow's own attributes that changed, the tasks the step added or changed (in SpiffWorkflow's
own task format) and the ids of the tasks it removed; a sub-process in which nothing changed is
left out. Applied in order to the snapshot's dict, the deltas give exactly the dict a full dump
of the instance would: replaying is a dict merge, never a run of the diagram, so nothing the
step did (a notice, a service call) happens again. (Earlier deltas repeated every sub-process
and every attribute; the layout is the same, so `apply` reads both.)

Which tasks changed is found without converting the whole tree. A task's fingerprint hashes
what a step can change on a task that is not running (its state and when it last changed, its
children, its data and internal-data objects). Tasks that are READY, WAITING or STARTED may
change in place (SpiffWorkflow merges data into them), and a task's stored data is relative to
its parent's, so those tasks and the children of every candidate are converted, and written
when their JSON differs from what was stored last (a hash of it is kept, by task object: the
baseline holds the objects, so none can be freed and its address reused). A workflow's
attributes are compared one by one with what was stored: its data and correlations by a hash
of the JSON they would be written as, so a change in place is seen as well; the ids by value,
the flags by type and value (True == 1, but they are not the same JSON).

Leaving a part out is exact in the same sense as the rest: a sub-process is left out only when
none of its candidates' JSON differs from what was stored, none of its tasks was removed and
each attribute compares equal; an attribute is left out only under that comparison. The JSON
compared is the very JSON written (Codec, serialization.JournalJson: the registry's, byte for
byte), and hashes are 64-bit, as the fingerprints always were.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task, TaskState

DELTA_FORMAT = "bpmn-sales-delta/1"
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# A workflow's own attributes (as SpiffWorkflow's WorkflowConverter writes them), in the
# order deltas always held them.
ATTRIBUTES = ("root", "data", "correlations", "last_task", "success", "completed")

Convert = Callable[[Any], Any]
_EMPTY = b"{}"  # the JSON of an empty dict (a sub-process's data, most correlations)
_EMPTY_HASH = hash(_EMPTY)
_NOTHING: dict[Any, Any] = {}  # stands for every empty map a baseline keeps (never changed)
Marks = tuple[tuple[UUID, ...], "array[int]"]


@dataclass(frozen=True)
class Codec:
    """How the journal writes what it stores (serialization.JournalJson gives them)."""

    task_json: Callable[[Task], bytes]  # orjson.dumps(registry.convert(task)), byte for byte
    plain: Convert  # registry.convert, for a workflow's data
    convert: Convert  # registry.convert, for the pending events
    # registry.convert(sub) from the sub-process's attributes and its tasks' JSON
    subprocess: Callable[[Any, dict[str, Any], dict[Any, Any]], Any]


@dataclass(slots=True)
class Stored:
    """What the stored state holds of one workflow (the top one or a sub-process)."""

    marks: Marks  # its task ids and their fingerprints
    contents: dict[Task, int]  # task -> hash of its stored JSON, for those compared by content
    attributes: tuple[Any, ...]  # what the attributes are compared by (see _keys)
    # Of those, the ones without data of their own -> what their JSON takes from their parent
    parent_keys: dict[Task, int]


@dataclass
class Baseline:
    """What the stored state holds of each workflow, to compare the instance with at the next
    save; keyed by sub-process id (None: the top workflow)."""

    workflows: dict[UUID | None, Stored] = field(default_factory=dict)


def fingerprints(tasks: Iterable[Task]) -> array[int]:
    """For each task, a hash of what can change on a task that is not running: its state and
    when it last changed, its children, and which data and internal-data objects it holds and
    how many keys they have. (One comprehension: a call for each task was a tenth of it.)"""
    return array(
        "q",
        [
            hash(
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
            for task in tasks
        ],
    )


def workflows(top: BpmnWorkflow) -> Iterator[tuple[UUID | None, Any]]:
    """The top workflow (key None) and each sub-process (key: its task id)."""
    yield None, top
    yield from top.subprocesses.items()


def _candidates(workflow: Any, before: Marks | None) -> tuple[list[Task], Marks, list[str]]:
    """Tasks that may differ from what was stored (without the children of candidates), every
    task's fingerprint now, and the ids of the stored tasks the workflow no longer has.

    The tasks are mostly those the baseline lists, in its order (the same UUID objects), with
    new ones after them: then the ids compare by identity and the fingerprints as two machine-
    integer arrays, with no UUID hashed (a UUID hashes in Python, and dicts of them were a
    tenth of a delta); only otherwise are the old fingerprints looked up by id."""
    tasks = workflow.tasks
    listed = list(tasks.values())
    ids = tuple(tasks)
    now = fingerprints(listed)
    old_ids, old_marks = before if before is not None else ((), array("q"))
    count = len(old_ids)
    removed: list[str] = []
    if count <= len(ids) and old_ids == ids[:count]:
        changed = listed[count:]
        if now[:count] != old_marks:
            pairs = zip(listed, now, old_marks, strict=False)  # the known tasks, the first count
            changed += [task for task, mark, old in pairs if mark != old]
    else:
        known = dict(zip(old_ids, old_marks, strict=True))
        marked = zip(ids, listed, now, strict=True)
        changed = [task for tid, task, mark in marked if known.get(tid) != mark]
        removed = [str(tid) for tid in old_ids if tid not in tasks]
    changed += [task for task in listed if task._state & ACTIVE]
    return changed, (ids, now), removed


def _children(workflow: Any, candidates: list[Task]) -> set[Task]:
    """The candidates' children: a child's stored data is relative to its parent's."""
    children = set()
    get = workflow.tasks.get
    for task in candidates:
        for child in task._children:
            found = get(child)
            if found is not None:
                children.add(found)
    return children


def _parent_keys(workflow: Any, task: Task) -> int:
    """For a task without data of its own, a hash of all its stored JSON takes from its parent:
    which it is, if any, and the keys of the parent's data in their order (the task's delta
    against its parent: no updates, those keys as deletions)."""
    parent = workflow.tasks.get(task._parent) if task._parent is not None else None
    return hash((False,)) if parent is None else hash((task._parent, *parent.data))


def _attributes(workflow: Any, plain: Convert) -> tuple[Any, ...]:
    """A workflow's own attributes, in ATTRIBUTES' order (the root too: a sub-process started
    again under the same task has a new one); ids as UUIDs, data and correlations as JSON."""
    last = workflow.last_task
    data, correlations = workflow.data, workflow.correlations
    return (
        workflow.task_tree.id,
        _EMPTY if data.__class__ is dict and not data else orjson.dumps(plain(data)),
        _EMPTY
        if correlations.__class__ is dict and not correlations
        else orjson.dumps(correlations),
        last.id if last is not None else None,
        workflow.success,
        workflow.completed,
    )


def _keys(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """What attributes are compared by: the JSON's hash for data and correlations (the one int
    for empty ones), and the flags with their type (True == 1, but they are not the same
    JSON: a flag that is not a bool is kept with its type)."""
    root, data, correlations, last_task, success, completed = values
    return (
        root,
        _EMPTY_HASH if data is _EMPTY else hash(data),
        _EMPTY_HASH if correlations is _EMPTY else hash(correlations),
        last_task,
        success if success.__class__ is bool else (type(success), success),
        completed if completed.__class__ is bool else (type(completed), completed),
    )


def _written(name: str, value: Any) -> Any:
    """An attribute as SpiffWorkflow's WorkflowConverter writes it."""
    if name in ("data", "correlations"):
        return orjson.Fragment(value)
    if name in ("root", "last_task") and value is not None:
        return str(value)
    return value


def _all_written(values: tuple[Any, ...]) -> dict[str, Any]:
    return {name: _written(name, value) for name, value in zip(ATTRIBUTES, values, strict=True)}


def _changed_attributes(
    workflow: Any, before: Stored | None, plain: Convert
) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """The attributes that differ from what was stored (all of them if nothing was), and
    what to compare them by next time."""
    values = _attributes(workflow, plain)
    keys = _keys(values)
    if before is None:
        return _all_written(values), keys
    old = before.attributes
    if old == keys:  # item by item, by identity first: the common case, at C speed
        return {}, keys
    changed = {
        name: _written(name, values[index])
        for index, name in enumerate(ATTRIBUTES)
        if old[index] != keys[index]
    }
    return changed, keys


def _compare(
    workflow: Any,
    candidates: list[Task],
    before: Stored | None,
    codec: Codec,
    written: dict[Task, bytes] | None = None,
) -> tuple[dict[UUID, orjson.Fragment], dict[Task, int], dict[Task, int]]:
    """Compare the candidates and their children with what was stored: (the JSON of those that
    differ, in the workflow's task order; every compared task's JSON hash; the parent keys'
    hash of those without data of their own). `written`: every task's JSON, just made.

    A child that is no candidate and has no data of its own is not converted again when its
    parent's data keys are those it was last stored with: its state, children and internal
    data are as stored (its fingerprint), its data is empty, and the rest of its JSON is its
    parent's keys."""
    old_contents = before.contents if before is not None else {}
    old_keys = before.parent_keys if before is not None else {}
    changed: dict[UUID, orjson.Fragment] = {}
    contents: dict[Task, int] = {}
    parent_keys: dict[Task, int] = {}
    if not candidates:
        return changed, contents, parent_keys
    # Task -> whether it is a candidate (else a candidate's child).
    compared = dict.fromkeys(_children(workflow, candidates), False)
    compared.update(dict.fromkeys(candidates, True))
    for tid, task in workflow.tasks.items():
        candidate = compared.get(task)
        if candidate is None:
            continue
        keys = None if task.data else _parent_keys(workflow, task)
        if keys is not None:
            if not candidate and old_keys.get(task) == keys:
                contents[task], parent_keys[task] = old_contents[task], keys
                continue
            parent_keys[task] = keys
        blob = written[task] if written is not None else codec.task_json(task)
        mark = contents[task] = hash(blob)
        if old_contents.get(task) != mark:
            changed[tid] = orjson.Fragment(blob)
    return changed, contents, parent_keys


def _part(
    workflow: Any, before: Stored | None, codec: Codec
) -> tuple[dict[str, Any], bool, Stored]:
    """A workflow's part of the delta, whether anything in it changed, and what it now stores."""
    old_marks = before.marks if before is not None else None
    candidates, marks, removed = _candidates(workflow, old_marks)
    tasks, contents, parent_keys = _compare(workflow, candidates, before, codec)
    attributes, keys = _changed_attributes(workflow, before, codec.plain)
    part = {"workflow": attributes, "tasks": tasks, "removed": removed}
    changed = bool(tasks or removed or attributes)
    return part, changed, _stored(marks, contents, keys, parent_keys)


def _stored(
    marks: Marks, contents: dict[Task, int], keys: tuple[Any, ...], parent_keys: dict[Task, int]
) -> Stored:
    # A cached instance keeps one baseline: its empty maps are all the one empty dict.
    return Stored(marks, contents or _NOTHING, keys, parent_keys or _NOTHING)


def stored_of(workflow: Any, codec: Codec, written: dict[Task, bytes] | None = None) -> Stored:
    """What a workflow whose whole state was just stored or read holds: fingerprints of every
    task, and the stored JSON's hash of those compared by content at every save (`written`:
    the JSON of every task, when it was just written)."""
    tasks = workflow.tasks
    marks = (tuple(tasks), fingerprints(tasks.values()))
    active = [task for task in tasks.values() if task._state & ACTIVE]
    _, contents, parent_keys = _compare(workflow, active, None, codec, written)
    return _stored(marks, contents, _keys(_attributes(workflow, codec.plain)), parent_keys)


def _full(sub: Any, codec: Codec) -> tuple[Any, Stored]:
    """A new sub-process's whole state, and what it stores."""
    written = {task: codec.task_json(task) for task in sub.tasks.values()}
    values = _attributes(sub, codec.plain)
    attributes = _all_written(values)
    tasks = {tid: orjson.Fragment(written[task]) for tid, task in sub.tasks.items()}
    return codec.subprocess(sub, attributes, tasks), stored_of(sub, codec, written)


def baseline_of(top: BpmnWorkflow, codec: Codec) -> Baseline:
    """The baseline of an instance whose whole state was just stored or read."""
    return Baseline({key: stored_of(wf, codec) for key, wf in workflows(top)})


def _events(top: BpmnWorkflow, convert: Convert) -> orjson.Fragment:
    events = top.bpmn_events
    return orjson.Fragment(
        b"[]" if type(events) is list and not events else orjson.dumps(convert(events))
    )


def delta(top: BpmnWorkflow, before: Baseline, codec: Codec) -> tuple[bytes, Baseline]:
    """What changed since `before`, as the JSON of a delta, and the baseline to compare with
    next.

    The maps of tasks and of sub-processes are keyed by the UUIDs themselves, which orjson
    writes as `str` does (OPT_NON_STR_KEYS); everything else in the delta is JSON already (an
    orjson.Fragment) or plain text, so the option lets no other key through."""
    after = Baseline()
    known = before.workflows
    part, _, after.workflows[None] = _part(top, known.get(None), codec)
    body = {"format": DELTA_FORMAT, **part}
    body["bpmn_events"] = _events(top, codec.convert)
    subprocesses: dict[UUID, Any] = {}
    for key, sub in top.subprocesses.items():
        stored = known.get(key)
        if stored is None:
            full, after.workflows[key] = _full(sub, codec)
            subprocesses[key] = {"full": full}
            continue
        part, changed, after.workflows[key] = _part(sub, stored, codec)
        if changed:
            subprocesses[key] = part
    body["subprocesses"] = subprocesses
    body["removed_subprocesses"] = [
        str(k) for k in known if k is not None and k not in top.subprocesses
    ]
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), after


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
