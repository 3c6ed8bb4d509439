"""A running process instance: the operations use cases run on it, and what storage keeps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import (
    SpiffWorkflowException,
    TaskNotFoundException,
    WorkflowException,
)
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.domain.rules import ProcessRules
from bpmn_sales.engine.running import projection
from bpmn_sales.engine.running.journal import Baseline
from bpmn_sales.engine.running.projection import (
    GATEWAYS,
    Position,
    Snapshot,
    StageRef,
    WorkItem,
    message_names,
    stage_of,
)
from bpmn_sales.errors import DiagramError, InvalidState, NotFound, SalesError
from bpmn_sales.i18n import _, lazy_gettext

# A task's state as a designer reads it (SpiffWorkflow's names, lower-case).
_STATES = {
    "future": lazy_gettext("future"),
    "likely": lazy_gettext("likely"),
    "maybe": lazy_gettext("maybe"),
    "waiting": lazy_gettext("waiting"),
    "ready": lazy_gettext("ready"),
    "started": lazy_gettext("started"),
    "completed": lazy_gettext("completed"),
    "error": lazy_gettext("failed"),
    "cancelled": lazy_gettext("cancelled"),
}

T = TypeVar("T")

# What a task of an instance in memory takes beside its data (the Task object, its UUID, its
# children list, data and internal-data dicts, the journal baseline's entries), and how much
# more than its JSON the rest of the state takes (data shared between finished tasks, texts
# interned): calibrated with tracemalloc by bench/roundtrip.py, which prints the estimate
# beside it (29.6 KiB both, 2026-12-03; 464 since the journal's baseline keeps a map per
# workflow). The task tables' marks since add about 0.3 KiB the estimate leaves out (30.0 KiB
# measured against 29.6).
TASK_BYTES = 464
STATE_FACTOR = 1

__all__ = [
    "GATEWAYS",
    "Instance",
    "Position",
    "Snapshot",
    "StageRef",
    "WorkItem",
    "message_names",
    "stage_of",
    "translate_errors",
]


def _sales_cause(exc: BaseException) -> SalesError | None:
    """The first of our own errors in the exception's cause/context chain."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        if isinstance(current, SalesError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _root_cause(exc: BaseException) -> BaseException | None:
    current, seen = exc.__cause__ or exc.__context__, {id(exc)}
    last = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        last = current
        current = current.__cause__ or current.__context__
    return last


def translate_errors(action: Callable[[], T]) -> T:
    """Run an engine action, turning Spiff's exceptions into our error family."""
    try:
        return action()
    except SpiffWorkflowException as exc:
        task = getattr(exc, "task", None)
        element = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
        ours = _sales_cause(exc)
        if isinstance(ours, DiagramError) and ours.element_id is None and element:
            raise type(ours)(ours.reason, ours.file, element, ours.line) from None
        if ours is not None:
            raise ours from None
        detail = f"{exc.args[0] if exc.args else exc}"
        cause = _root_cause(exc)
        if cause is not None and str(cause) not in detail:
            detail += f": {type(cause).__name__}: {cause}"
        raise DiagramError(detail, element_id=element) from None


class Instance:
    """A SpiffWorkflow instance with the operations our use cases need.

    Besides the workflow it remembers what storage holds of it: the task fingerprints of the
    last stored state (None: nothing stored yet, so the next save is a full snapshot), how many
    deltas and bytes were journalled since that snapshot, and the work items and timers last
    projected (None: unknown).
    """

    def __init__(self, workflow: BpmnWorkflow, rules: ProcessRules) -> None:
        self.workflow = workflow
        self.rules = rules
        self.baseline: Baseline | None = None
        self.journal_entries = 0
        self.journal_bytes = 0
        self.snapshot_bytes = 0
        # The ready task ids and (timer task id, due time) pairs last written to the
        # projections, when known.
        self.projected: set[str] | None = None
        self.projected_timers: frozenset[tuple[str, Any]] | None = None
        self._snapshot: Snapshot | None = None

    def memory_estimate(self) -> int:
        """About how many bytes the instance takes in memory, without walking its tree: a
        share per task and the size of its last stored snapshot."""
        tasks = len(self.workflow.tasks) + sum(
            len(sub.tasks) for sub in self.workflow.subprocesses.values()
        )
        return TASK_BYTES * tasks + STATE_FACTOR * self.snapshot_bytes

    # -- running -------------------------------------------------------------------------
    def changed(self) -> None:
        """Forget what was read off the tree: the workflow was (or may have been) run."""
        self._snapshot = None

    def run(self, action: Callable[[], T]) -> T:
        """Run an engine action on the workflow, with our errors."""
        self._snapshot = None
        try:
            return translate_errors(action)
        finally:
            self._snapshot = None

    def advance(self) -> None:
        self.run(self.workflow.do_engine_steps)

    def ready_tasks(self) -> list[Task]:
        tasks: list[Task] = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        return tasks

    def find_ready(self, task_id: str) -> Task:
        try:
            uuid = UUID(task_id)
        except ValueError:
            raise NotFound(
                _("task '%(task)s' is not a task id", task=task_id), task_id=task_id
            ) from None
        try:
            task = self.workflow.get_task_from_id(uuid)
        except TaskNotFoundException:
            task = None
        if task is None:
            raise NotFound(_("task '%(task)s' does not exist", task=task_id), task_id=task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            state = TaskState.get_name(task.state).lower()
            raise InvalidState(
                _(
                    "task '%(task)s' is not ready (it is %(state)s)",
                    task=task.task_spec.bpmn_name or task.task_spec.name,
                    state=_STATES.get(state, state),
                ),
                task_id=task_id,
            )
        return task

    def complete(self, task_id: str, data: Mapping[str, Any]) -> WorkItem:
        """Complete a ready user task with form data, then run the engine to the next wait."""
        task = self.find_ready(task_id)
        item = self.work_item(task)
        task.set_data(**dict(data))

        def run() -> None:
            task.run()
            self.workflow.do_engine_steps()

        self.run(run)
        return item

    def send_message(self, name: str, payload: Mapping[str, Any]) -> None:
        """Deliver a BPMN message to the instance; refuse one it is not waiting for."""
        if name not in self.waiting_messages():
            raise InvalidState(
                _("the process is not waiting for message '%(name)s'", name=name),
                event=name,
            )
        event = BpmnEvent(MessageEventDefinition(name), payload=dict(payload))

        def deliver() -> None:
            try:
                self.workflow.send_event(event)
            except WorkflowException as exc:
                if isinstance(exc, WorkflowTaskException):
                    raise
                raise InvalidState(str(exc), event=name) from None
            self.workflow.do_engine_steps()

        self.run(deliver)

    # -- reading -------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Project the instance in one pass over its task tree (kept until it runs again)."""
        if self._snapshot is None:
            self._snapshot = projection.project(self.workflow, self.rules)
        return self._snapshot

    def waiting_messages(self) -> list[str]:
        return list(self.snapshot().waiting_messages)

    def running_stage(self) -> StageRef | None:
        """The stage the instance is in now (the highest-ordered running one), if any."""
        return self.snapshot().running_stage

    def work_item(self, task: Task) -> WorkItem:
        return projection.work_item(self.workflow, self.rules, task)

    def stage_for(self, task: Task) -> StageRef | None:
        return projection.stage_for(self.workflow, task)

    def position(self) -> Position:
        return projection.position(self.workflow)
