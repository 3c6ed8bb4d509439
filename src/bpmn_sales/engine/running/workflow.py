"""SpiffWorkflow's BPMN workflow with a faster walk of its task tree.

Every engine step asks the workflow for tasks by state or spec name several times (the ready
tasks of each sub-process and of the top workflow, a parallel gateway's siblings, ...), and
SpiffWorkflow answers each question with `BpmnTaskIterator`: a Python object per question that
pops the head of a list, rebuilds the list to prepend children, recounts its depth by walking
parents and filters through two method calls per task. That walk was most of an engine step.

`get_tasks_iterator` here gives the same tasks in the same order (depth first, a sub-process's
tasks before the children of the task that runs it, the same pruning of predicted branches)
with a stack and plain attribute reads, lazily like SpiffWorkflow's. It answers the questions
it can answer exactly and hands every other one (breadth first, a custom filter, a tree deep
enough for the depth limit to matter) to SpiffWorkflow's iterator.

Their tasks are `SalesTask`s, which build SpiffWorkflow's log record of a state change only
when it will be logged: a task's state changes about 14 times per completed user task, and
each change gathered the task's details (a dict, its parent looked up, two state names) for a
record that the default logging drops, 3.4 us of the 3.6 us a change took.

The classes serialize under SpiffWorkflow's own type names (serialization.py), so the stored
state does not change.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task, TaskState

# The keyword arguments the fast walk takes; any other (depth_first, task_filter) goes to
# SpiffWorkflow's iterator.
_WALK = frozenset({"skip_subprocesses", "end_at_spec", "max_depth"})
_FILTER = frozenset(
    {"state", "manual", "spec_name", "spec_class", "updated_ts", "lane", "catches_event"}
)
_KNOWN = _WALK | _FILTER
_MAX_DEPTH = 1000  # BpmnTaskIterator's default
_READY = TaskState.READY
_WAITING = TaskState.WAITING
_READY_QUERY = frozenset({"state", "manual"})  # what ready_tasks answers
_NAMED_QUERY = frozenset({"spec_name"})  # what named_tasks answers
_WORKFLOW_LOG = logging.getLogger("spiff.workflow")  # where SpiffWorkflow logs workflow events
_TASK_LOG = logging.getLogger("spiff.task")  # ... and task events


class SalesTask(Task):  # type: ignore[misc]
    """SpiffWorkflow's task, whose state changes skip the log record nobody will see and mark
    the task in its workflow's table when it becomes READY or WAITING (see TaskTable)."""

    def _set_state(self, value: int) -> None:
        task: Task = self  # (typed through its base: SpiffWorkflow's attributes are untyped)
        # SpiffWorkflow logs a change at INFO and a repeated state at DEBUG.
        if _TASK_LOG.isEnabledFor(logging.DEBUG if value == task._state else logging.INFO):
            super()._set_state(value)
        elif value != task._state:
            task.last_state_change = time.time()
            task._state = value
        if value in (_READY, _WAITING):
            tasks = task.workflow.tasks
            if type(tasks) is TaskTable:
                (tasks.ready if value == _READY else tasks.waiting).append(task)

    def is_descendant_of(self, task: Task) -> bool:
        """SpiffWorkflow's, as a loop: a parallel gateway asks it of each task of its name on
        each update, which recursed through the `parent` property once per level."""
        node: Task = self
        while True:
            parent = node.workflow.tasks.get(node._parent)
            if parent is None:
                return False
            if parent is task:
                return True
            node = parent


class TaskTable(dict[UUID, Task]):
    """A workflow's tasks by id: SpiffWorkflow creates each task as a plain `Task`, which adds
    itself here, and becomes a SalesTask (same attributes; a subclass with no state of its own).

    `ready` holds every task that may be READY: those READY when the table was made, each task
    added since (before its state is set) and each SalesTask set READY since (a task may be
    there twice). A question for the ready tasks reads these and drops those no longer READY
    (see ready_tasks). `waiting` does the same for WAITING tasks: SpiffWorkflow updates the
    waiting tasks of a workflow after each task completes, and most times there is none.

    `named` indexes the tasks by their spec's name, built at the first question by name (a
    parallel gateway asks one each time it is updated); tasks added since are indexed at the
    next. A task's spec changes only when an instance migrates to another version: the
    migration then calls `forget_names`. (Both cost a restored instance's cache little: a short
    list, and nothing until a gateway asks.)
    """

    __slots__ = ("named", "ready", "unnamed", "waiting")

    def __init__(self, tasks: dict[UUID, Task] | None = None) -> None:
        super().__init__(tasks or {})
        self.ready: list[Task] = [task for task in self.values() if task._state == _READY]
        self.waiting: list[Task] = [task for task in self.values() if task._state == _WAITING]
        self.named: dict[str, dict[int, Task]] | None = None
        self.unnamed: list[Task] | None = None  # added since `named` was built

    def __setitem__(self, key: UUID, task: Task) -> None:
        if type(task) is Task:
            task.__class__ = SalesTask
        dict.__setitem__(self, key, task)
        self.ready.append(task)
        self.waiting.append(task)
        if self.unnamed is not None:
            self.unnamed.append(task)  # its spec is set after it is added

    def ready_now(self, manual: bool | None) -> list[Task]:
        """The table's READY tasks (of `manual`, unless None), in no particular order; the marks
        of tasks no longer READY, or gone from the table, are dropped."""
        if not self.ready:
            return []
        kept: list[Task] = []
        found: list[Task] = []
        for task in self.ready:
            spec = task.task_spec
            if task._state != _READY or self.get(task.id) is not task or task in kept:
                continue  # set READY again later, it is marked again
            kept.append(task)
            if manual is None or spec.manual == manual:
                found.append(task)
        self.ready = kept
        return found

    def any_waiting(self) -> bool:
        """True when a task of the table may be WAITING (those marked that no longer are, or
        are gone from the table, are dropped)."""
        self.waiting = [
            task for task in self.waiting if task._state == _WAITING and self.get(task.id) is task
        ]
        return bool(self.waiting)

    def with_name(self, name: str) -> list[Task]:
        """The tasks in the table whose spec has this name (in no particular order)."""
        named = self.named
        pending: Any = self.unnamed
        if named is None:
            named = self.named = {}
            pending = self.values()
        for task in pending:
            named.setdefault(task.task_spec.name, {})[id(task)] = task
        self.unnamed = []
        found = named.get(name)
        if not found:
            return []
        held = [task for task in found.values() if self.get(task.id) is task]
        if len(held) != len(found):  # taken out of the tree since
            named[name] = {id(task): task for task in held}
        return held

    def forget_names(self) -> None:
        """Drop the index by spec name (the tasks' specs changed): rebuilt when next asked."""
        self.named = None
        self.unnamed = None


def adopt_tasks(workflow: Any) -> None:
    """Make the workflow's task table a TaskTable and each of its tasks a SalesTask."""
    tasks = workflow.tasks
    if type(tasks) is not TaskTable:
        workflow.tasks = tasks = TaskTable(tasks)
    for task in tasks.values():
        if type(task) is Task:
            task.__class__ = SalesTask


def forget_names(top: Any) -> None:
    """Drop every table's index by spec name (see TaskTable), as the tasks' specs change."""
    for wf in (top, *top.subprocesses.values()):
        if type(wf.tasks) is TaskTable:
            wf.tasks.forget_names()


def _few_tasks(top: Any, max_depth: int) -> bool:
    """True when the tree is too small for the iterator's depth limit to cut a branch: its
    depth grows by one at most per task it visits. (Half the limit: a lazy caller may add
    tasks while it iterates.)"""
    count = len(top.tasks)
    for sub in top.subprocesses.values():
        count += len(sub.tasks)
    return count < max_depth // 2


def walk_tasks(
    first: Task,
    state: int = TaskState.ANY_MASK,
    manual: bool | None = None,
    spec_name: str | None = None,
    skip_subprocesses: bool = False,
    end_at_spec: str | None = None,
    max_depth: int = _MAX_DEPTH,
    *,
    plain: bool = False,
    **other: Any,
) -> Iterator[Task]:
    """The tasks `BpmnTaskIterator(first, ...)` gives, in its order (see the module's doc);
    `plain`: those of SpiffWorkflow's plain `TaskIterator`, which never enters a sub-process."""
    del max_depth  # checked by the caller (_few_tasks)
    matches = BpmnTaskFilter(state=state, **other).matches if other else None
    if state & TaskState.PREDICTED_MASK:
        min_state = TaskState.MAYBE
    elif state & TaskState.DEFINITE_MASK:
        min_state = TaskState.FUTURE
    else:
        min_state = TaskState.COMPLETED
    # SpiffWorkflow's test, kept as written (no single state reaches the mask's value).
    finished_only = state <= TaskState.FINISHED_MASK
    top = first.workflow.top_workflow
    stack = [first]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        task = pop()
        spec = task.task_spec
        current = task._state
        children = task._children
        # Only a sub-process task runs one (checked first: hashing a UUID is not free).
        subprocess = (
            top.subprocesses.get(task.id)
            if not plain and isinstance(spec, SubWorkflowTask)
            else None
        )
        if subprocess is None:
            if children and current >= min_state and spec.name != end_at_spec:
                extend(map(task.workflow.tasks.get, reversed(children)))
        elif spec.name != end_at_spec:
            extend(map(task.workflow.tasks.get, reversed(children)))
            if not (skip_subprocesses or (current >= TaskState.FINISHED_MASK and finished_only)):
                push(subprocess.task_tree)
        if (
            current & state
            and (manual is None or spec.manual == manual)
            and (spec_name is None or spec.name == spec_name)
            and (matches is None or matches(task))
        ):
            yield task


def _tasks_iterator(workflow: Any, first_task: Task | None, kwargs: dict[str, Any]) -> Any:
    if kwargs.keys() <= _KNOWN and _few_tasks(
        workflow.top_workflow, kwargs.get("max_depth", _MAX_DEPTH)
    ):
        return walk_tasks(first_task or workflow.task_tree, **kwargs)
    return None


def ready_tasks(workflow: Any, manual: bool | None = None) -> list[Task] | None:
    """`workflow.get_tasks(state=READY, manual=manual)` without walking the tree: the tasks the
    tables mark as maybe ready (see TaskTable) that are READY and that the walk from
    `workflow.task_tree` reaches, in its order. None when it cannot answer exactly (a table
    that is not a TaskTable, a tree big enough for the iterator's depth limit).

    The engine asks this about seven times per user task completed (the ready tasks of each
    sub-process and of the top workflow, until none is left to run), each a walk of the whole
    tree before; a handful of tasks is marked at a time."""
    return _from_tables(workflow, lambda table: table.ready_now(manual), TaskState.FUTURE)


def named_tasks(workflow: Any, name: str) -> list[Task] | None:
    """`workflow.get_tasks(spec_name=name)` from the tables' index by spec name (see TaskTable),
    in the walk's order; None when it cannot answer exactly (as ready_tasks)."""
    # Every state is asked for: the walk enters the children of a task in any state.
    return _from_tables(workflow, lambda table: table.with_name(name), TaskState.MAYBE)


def _from_tables(
    workflow: Any, pick: Callable[[TaskTable], list[Task]], min_state: int
) -> list[Task] | None:
    """What `pick` finds in the task tables of the top workflow and of each sub-process, those
    of them the walk from `workflow.task_tree` reaches, in its order (`min_state`: the walk's
    pruning, see _place). None when it cannot answer exactly: a table that is not a TaskTable
    (no marks, no index), a tree big enough for the iterator's depth limit."""
    top = workflow.top_workflow
    tables = [wf.tasks for wf in (top, *top.subprocesses.values())]
    if not all(type(table) is TaskTable for table in tables):
        return None
    found = [task for table in tables for task in pick(table)]
    if not found:
        return found
    if not _few_tasks(top, _MAX_DEPTH):
        return None
    return _in_walk_order(found, workflow, top, min_state)


def _in_walk_order(found: list[Task], workflow: Any, top: Any, min_state: int) -> list[Task]:
    """Those of the tasks the walk from `workflow.task_tree` reaches, in its order."""
    placed = [
        (place, task)
        for task in found
        if (place := _place(task, workflow, top, min_state)) is not None
    ]
    placed.sort(key=lambda pair: pair[0])
    return [task for _, task in placed]


def _place(task: Task, workflow: Any, top: Any, min_state: int) -> list[int] | None:
    """Where the walk from `workflow.task_tree` (BpmnTaskIterator's) meets the task, as a list
    that sorts in the walk's order: the child index at each level down, and -1 where it enters
    the sub-process a task runs (before that task's children); empty for the root. None when
    the walk does not reach it: a parent under `min_state` (FUTURE when the walk asks for
    READY) keeps its children unwalked, unless it runs a sub-process."""
    path: list[int] = []
    node, wf = task, task.workflow
    while True:
        tasks = wf.tasks
        parent_id = node._parent
        while parent_id is not None:
            parent = tasks.get(parent_id)
            if parent is None:
                return None
            if parent._state < min_state and not _runs(top, parent):
                return None
            path.append(parent._children.index(node.id))
            node, parent_id = parent, parent._parent
        if node is not wf.task_tree:
            return None
        if wf is workflow:
            break
        runner = None if wf is top else _runner(top, wf)
        if runner is None:
            return None
        path.append(-1)
        node, wf = runner, runner.workflow
    path.reverse()
    return path


def _runs(top: Any, task: Task) -> bool:
    """True when the task runs a sub-process (the walk then enters it and walks its children
    whatever its state)."""
    return isinstance(task.task_spec, SubWorkflowTask) and task.id in top.subprocesses


def _runner(top: Any, sub: Any) -> Task | None:
    """The task that runs the sub-process, as the walk finds it (top.subprocesses by its id)."""
    task_id = sub.parent_task_id
    if top.subprocesses.get(task_id) is not sub:
        return None
    for wf in (top, *top.subprocesses.values()):
        runner = wf.tasks.get(task_id)
        if runner is not None:
            return runner if isinstance(runner.task_spec, SubWorkflowTask) else None
    return None


def _log_extras(collect: Any, dct: dict[str, Any] | None) -> dict[str, Any]:
    """SpiffWorkflow's details for a log record about the workflow, or only `dct` when the
    record will be dropped (the default): its details list every task id, a walk of the whole
    tree at each (sub-)process start and end."""
    if not _WORKFLOW_LOG.isEnabledFor(logging.INFO):
        return dict(dct or {})
    extras: dict[str, Any] = collect(dct)
    return extras


def _update_waiting_tasks(workflow: Any) -> bool:
    """`Workflow.update_waiting_tasks` (run after every task completes) with the fast walk;
    False when the tree is too big for it. With no WAITING task in the workflow's table, the
    walk would find none: nothing to do (five times in six on the bench's diagram)."""
    tasks = workflow.tasks
    if type(tasks) is TaskTable and not tasks.any_waiting():
        return True
    if not _few_tasks(workflow.top_workflow, _MAX_DEPTH):
        return False
    for task in walk_tasks(workflow.task_tree, TaskState.WAITING, plain=True):
        task.task_spec._update(task)
    return True


class _FastWalk:
    """What SalesWorkflow and its sub-processes share: the fast task walk, the fast update of
    waiting tasks and log details gathered only when logged (each falls back to SpiffWorkflow's
    own, next in the method resolution order)."""

    def get_tasks(self, first_task: Task | None = None, **kwargs: Any) -> list[Task]:
        if first_task is None and kwargs.get("state") == _READY and kwargs.keys() <= _READY_QUERY:
            ready = ready_tasks(self, kwargs.get("manual"))
            if ready is not None:
                return ready
        elif first_task is None and kwargs.keys() == _NAMED_QUERY:
            named = named_tasks(self, kwargs["spec_name"])
            if named is not None:
                return named
        found: list[Task] = super().get_tasks(first_task, **kwargs)  # type: ignore[misc]
        return found

    def get_tasks_iterator(self, first_task: Task | None = None, **kwargs: Any) -> Any:
        found = _tasks_iterator(self, first_task, kwargs)
        if found is None:
            found = super().get_tasks_iterator(first_task, **kwargs)  # type: ignore[misc]
        return found

    def update_waiting_tasks(self) -> None:
        if not _update_waiting_tasks(self):
            super().update_waiting_tasks()  # type: ignore[misc]

    def collect_log_extras(self, dct: dict[str, Any] | None = None) -> dict[str, Any]:
        return _log_extras(super().collect_log_extras, dct)  # type: ignore[misc]


class SalesWorkflow(_FastWalk, BpmnWorkflow):  # type: ignore[misc]
    """A BPMN workflow whose task queries walk the tree quickly; its sub-processes too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adopt_tasks(self)

    def create_subprocess(self, my_task: Task, spec_name: str) -> BpmnSubWorkflow:
        subprocess = SalesSubWorkflow(
            self.subprocess_specs[spec_name], parent_task_id=my_task.id, top_workflow=self
        )
        self.subprocesses[my_task.id] = subprocess
        return subprocess


class SalesSubWorkflow(_FastWalk, BpmnSubWorkflow):  # type: ignore[misc]
    """A sub-process of a SalesWorkflow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adopt_tasks(self)
