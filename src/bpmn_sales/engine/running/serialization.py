"""Serialize specs once per process version and instances as state only (no embedded spec):
a full state (the snapshot) or a delta of what one step changed (journal.py)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task, TaskState
from SpiffWorkflow.util.deep_merge import DeepMerge

from bpmn_sales.engine.running import journal
from bpmn_sales.engine.running.workflow import (
    SalesSubWorkflow,
    SalesTask,
    SalesWorkflow,
    adopt_tasks,
)

STATE_FORMAT = "bpmn-sales-state/1"


class InstanceStateConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Like Spiff's workflow converter, but the spec is handed in rather than stored."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: dict[str, BpmnProcessSpec] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            return super().from_dict(dct)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        self._restore_tree(dct, workflow)
        return workflow

    def _restore_tree(self, dct: dict[str, Any], workflow: BpmnWorkflow) -> None:
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))


def data_and_delta(task: Task) -> tuple[Task | None, dict[str, Any], dict[str, Any]]:
    """(the task's parent, read once; its data and delta as SpiffWorkflow's task converter
    writes them: the whole data for a task without a parent, else what differs from the
    parent's)."""
    parent = task.workflow.tasks.get(task._parent) if task._parent is not None else None
    if parent is None:
        return None, task.data, {}
    delta = {
        "updates": DeepMerge.get_updated_keys(parent.data, task.data),
        "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
    }
    return parent, {}, delta


class TaskStateConverter(TaskConverter):  # type: ignore[misc]
    """SpiffWorkflow's task converter, giving the same dict, with the parent read once: its
    `parent` property looks the task up by id (a UUID, hashed in Python) and was read four
    times for each task converted, a third of a journal delta's time."""

    def to_dict(self, task: Task) -> dict[str, Any]:
        parent, data, delta = data_and_delta(task)
        return {
            "id": str(task.id),
            "parent": str(task._parent) if parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }


# The types the registry hands back as they are: it registers none of them (JournalJson checks).
_SCALARS = frozenset({str, int, float, bool, type(None)})


class JournalJson:
    """The JSON the registry gives of a task or a data value, built for the journal without the
    registry's walk (a journal delta converts a dozen tasks and every workflow's data).

    `task_json(task)` is `orjson.dumps(registry.convert(task))` byte for byte, for the task
    classes the registry converts with TaskStateConverter: the dict of its to_dict with the
    typename the registry adds, but holding the task ids as
    the UUIDs themselves (orjson writes exactly what `str` gives of a UUID; it refuses anything
    else, and the registry's own conversion is used then) and its internal data through
    `plain`. `plain(value)` is `registry.convert(value)`: it takes the registry's own steps for
    dicts (dropping callables and modules), lists and scalars, whose types the registry does not
    register, and hands it every other value. tests/workflow/test_journal_delta.py compares both
    with the registry for every task at every step of real runs.
    """

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self.typename = registry.typenames[Task]
        # The task classes the registry converts with TaskStateConverter (Task, SalesTask).
        converter = getattr(registry.convert_to_dict[self.typename], "args", (None, None))[1]
        ours = getattr(converter, "__func__", None) is TaskStateConverter.to_dict
        self.task_classes = frozenset(
            cls for cls, name in registry.typenames.items() if ours and name == self.typename
        )
        if (_SCALARS | {dict, list}) & set(registry.typenames):
            self.plain = registry.convert  # type: ignore[method-assign]

    def plain(self, value: Any) -> Any:
        cls = value.__class__
        if cls in _SCALARS:
            return value
        if cls is dict:
            plain = self.plain
            return {
                key: item if item.__class__ in _SCALARS else plain(item)
                for key, item in value.items()
                if not callable(item) and not isinstance(item, ModuleType)
            }
        if cls is list:
            return [item if item.__class__ in _SCALARS else self.plain(item) for item in value]
        return self.registry.convert(value)

    def task_json(self, task: Task) -> bytes:
        if task.__class__ not in self.task_classes:
            return orjson.dumps(self.registry.convert(task))
        internal = task.internal_data
        parent, data, delta = data_and_delta(task)
        dct = {
            "id": task.id,
            "parent": task._parent if parent is not None else None,
            "children": task._children,
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": {}
            if not internal and internal.__class__ is dict
            else self.plain(internal),
            "data": data,
            "delta": delta,
            "typename": self.typename,
        }
        try:
            return orjson.dumps(dct)
        except TypeError:  # an id that is not a plain UUID: the registry writes it with str()
            return orjson.dumps(self.registry.convert(task))

    def subprocess(self, sub: Any, attributes: dict[str, Any], tasks: dict[Any, Any]) -> Any:
        """`registry.convert(sub)` of a sub-process (as a dict, or as its JSON), from its
        attributes as the journal writes them and its tasks' JSON: the dict of
        BpmnSubWorkflowConverter, when the registry converts it with that."""
        typename = self.registry.typenames.get(sub.__class__)
        converter = getattr(self.registry.convert_to_dict.get(typename), "args", (None, None))[1]
        if getattr(converter, "__func__", None) is not BpmnSubWorkflowConverter.to_dict:
            return orjson.Fragment(orjson.dumps(self.registry.convert(sub)))
        return {
            "data": attributes["data"],
            "correlations": attributes["correlations"],
            "last_task": attributes["last_task"],
            "success": attributes["success"],
            "completed": attributes["completed"],
            "tasks": tasks,
            "root": attributes["root"],
            "parent_task_id": str(sub.parent_task_id),
            "spec": sub.spec.name,
            "typename": typename,
        }


def share_ids(top: BpmnWorkflow) -> None:
    """Make every reference to a task id the task's own UUID object.

    A restore creates a new UUID for each mention of an id (the task, its parent's list of
    children, its own parent link, the tasks' dict key); sharing one saves a third of the memory
    a restored instance takes.
    """
    ids: dict[UUID, UUID] = {}
    for _, wf in journal.workflows(top):
        wf.tasks = {task.id: task for task in wf.tasks.values()}
        ids.update((tid, tid) for tid in wf.tasks)
    for _, wf in journal.workflows(top):
        for task in wf.tasks.values():
            if task._parent is not None:
                task._parent = ids.get(task._parent, task._parent)
            # A slice copy: a list just big enough (a comprehension leaves room to grow).
            task._children = [ids.get(child, child) for child in task._children][:]
        adopt_tasks(wf)
    subprocesses = {}
    for key, sub in top.subprocesses.items():
        sub.parent_task_id = ids.get(sub.parent_task_id, sub.parent_task_id)
        subprocesses[ids.get(key, key)] = sub
    top.subprocesses = subprocesses


FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
# Text values up to this long are interned when an instance is read (see intern_text).
SHORT_TEXT = 200


def _intern_in(value: Any, seen: set[int]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        for key, item in value.items():
            if type(item) is str and len(item) <= SHORT_TEXT:
                value[key] = sys.intern(item)
            elif isinstance(item, (dict, list)):
                _intern_in(item, seen)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if type(item) is str and len(item) <= SHORT_TEXT:
                value[index] = sys.intern(item)
            elif isinstance(item, (dict, list)):
                _intern_in(item, seen)


def intern_text(top: BpmnWorkflow) -> None:
    """Make equal short texts in a restored instance's data one string object.

    Each workflow's data and each task's data that differs from its parent's is read from its
    own JSON, so a deal's name, customer and currency were one string per copy (and per
    instance: a currency or a customer recurs across deals). Strings cannot change, so sharing
    them changes nothing else.
    """
    seen: set[int] = set()
    for _, wf in journal.workflows(top):
        _intern_in(wf.data, seen)
        for task in wf.tasks.values():
            _intern_in(task.data, seen)
            _intern_in(task.internal_data, seen)


def share_finished_data(top: BpmnWorkflow) -> None:
    """Let finished tasks with equal data hold one data object.

    SpiffWorkflow gives every task its own deep copy of the data, so a restored instance holds
    the deal's fields once per task. A completed or cancelled task's data is never changed
    again (only a running task's is, and a reset gives the task a fresh copy), so equal copies
    can be one object: a completed parent's when it is equal (the common case, checked
    first), else the first equal one among the finished tasks of the instance (a sub-process's
    first task, the tasks after a join).
    """
    pool: list[dict[str, Any]] = []
    for _, wf in journal.workflows(top):
        tasks = wf.tasks
        for task in tasks.values():
            if not task._state & FINISHED:
                continue
            data = task.data
            parent = tasks.get(task._parent) if task._parent is not None else None
            if parent is not None and parent._state & FINISHED:
                if parent.data is data:
                    continue
                if parent.data == data:
                    task.data = parent.data
                    continue
            for shared in pool:
                if shared is data:
                    break
                if shared == data:
                    task.data = shared
                    break
            else:
                pool.append(data)


class Serializer:
    """Spec and state (de)serialization; one instance is shared by the whole process."""

    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure(
            {**SPIFF_CONFIG, BpmnWorkflow: InstanceStateConverter, Task: TaskStateConverter}
        )
        # Restored instances are our workflow classes, stored under SpiffWorkflow's names.
        InstanceStateConverter(SalesWorkflow, registry, typename="BpmnWorkflow")
        SPIFF_CONFIG[BpmnSubWorkflow](SalesSubWorkflow, registry, typename="BpmnSubWorkflow")
        TaskStateConverter(SalesTask, registry, typename="Task")
        self.registry = registry
        fast = JournalJson(registry)
        self.codec = journal.Codec(fast.task_json, fast.plain, registry.convert, fast.subprocess)

    def dump_spec(self, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
        return json.dumps(
            {
                "spec": self.registry.convert(spec),
                "subprocess_specs": {
                    name: self.registry.convert(sub) for name, sub in subprocess_specs.items()
                },
            },
            separators=(",", ":"),
        )

    def load_spec(self, text: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
        dct = json.loads(text)
        spec = self.registry.restore(dct["spec"])
        subs = {name: self.registry.restore(sub) for name, sub in dct["subprocess_specs"].items()}
        return spec, subs

    # -- full state (the snapshot) -------------------------------------------------------
    def state_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = self.registry.convert(workflow)
        dct["format"] = STATE_FORMAT
        return dct

    def dump_state(self, workflow: BpmnWorkflow) -> str:
        return orjson.dumps(self.state_dict(workflow)).decode()

    def compose(self, snapshot: str, deltas: Sequence[str] = ()) -> dict[str, Any]:
        """The full state dict: the snapshot with each delta applied in order."""
        dct: dict[str, Any] = orjson.loads(snapshot)
        if dct.get("format") != STATE_FORMAT:
            raise ValueError("not a bpmn-sales instance state")
        for text in deltas:
            journal.apply(dct, orjson.loads(text))
        return dct

    def compose_state(self, snapshot: str, deltas: Sequence[str] = ()) -> str:
        """The full state text of a snapshot and its deltas (what a full dump would give)."""
        if not deltas:
            return snapshot
        return orjson.dumps(self.compose(snapshot, deltas)).decode()

    def load_dict(
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, BpmnProcessSpec],
    ) -> BpmnWorkflow:
        if dct.pop("format", None) != STATE_FORMAT:
            raise ValueError("not a bpmn-sales instance state")
        workflow: BpmnWorkflow = self.registry.restore(
            dct, spec=spec, subprocess_specs=subprocess_specs
        )
        share_ids(workflow)
        share_finished_data(workflow)
        intern_text(workflow)
        return workflow

    def load_state(
        self,
        text: str,
        spec: BpmnProcessSpec,
        subprocess_specs: dict[str, BpmnProcessSpec],
        deltas: Sequence[str] = (),
    ) -> BpmnWorkflow:
        return self.load_dict(self.compose(text, deltas), spec, subprocess_specs)

    # -- deltas (the journal) --------------------------------------------------------------
    def baseline(self, workflow: BpmnWorkflow) -> journal.Baseline:
        """What the next delta compares with, when the whole state was just stored or read."""
        return journal.baseline_of(workflow, self.codec)

    def dump_delta(
        self, workflow: BpmnWorkflow, before: journal.Baseline
    ) -> tuple[str, journal.Baseline]:
        text, after = journal.delta(workflow, before, self.codec)
        return text.decode(), after
