"""A running process instance and the projection of it that storage and queries need."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    EventBasedGateway,
    IntermediateCatchEvent,
)
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import (
    SpiffWorkflowException,
    TaskNotFoundException,
    WorkflowException,
)
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.domain.rules import ActivityRule, ProcessRules
from bpmn_sales.engine.diagrams.rules import properties
from bpmn_sales.errors import DiagramError, InvalidState, NotFound, SalesError

T = TypeVar("T")


@dataclass(frozen=True)
class StageRef:
    key: str
    name: str
    order: int


@dataclass(frozen=True)
class WorkItem:
    """A ready user task: who should do it (lane, role) and where it sits (stage)."""

    task_id: str
    element_id: str
    title: str
    lane: str | None
    role: str
    stage: StageRef | None
    rule: ActivityRule
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Position:
    """Diagram element ids: where the instance is now, and what it has completed so far."""

    current: list[str]
    completed: list[str]


GATEWAYS = (ExclusiveGateway, InclusiveGateway, ParallelGateway, EventBasedGateway)


@dataclass(frozen=True)
class Snapshot:
    """What the rest of the product needs to know about an instance after a step."""

    completed: bool
    ready: list[WorkItem]
    waiting_messages: list[str]
    stage: StageRef | None
    running_stage: StageRef | None
    end_event: str | None
    outcome_event: str | None
    state_properties: dict[str, str]
    data: dict[str, Any]


def message_names(definition: Any) -> list[str]:
    """Messages an event definition catches (an event-based gateway holds several)."""
    if isinstance(definition, MessageEventDefinition):
        return [definition.name]
    inner = getattr(definition, "event_definitions", None) or []
    return [d.name for d in inner if isinstance(d, MessageEventDefinition)]


def stage_of(spec: Any) -> StageRef | None:
    props = properties(spec)
    if "stage_order" not in props:
        return None
    key = props.get("stage_key") or spec.bpmn_id or spec.name
    return StageRef(key, spec.bpmn_name or key, int(props["stage_order"]))


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
    """A SpiffWorkflow instance with the operations our use cases need."""

    def __init__(self, workflow: BpmnWorkflow, rules: ProcessRules) -> None:
        self.workflow = workflow
        self.rules = rules
        # The ready task ids last written to the work-item projection, when known.
        self.projected: set[str] | None = None

    def advance(self) -> None:
        translate_errors(self.workflow.do_engine_steps)

    def ready_tasks(self) -> list[Task]:
        tasks: list[Task] = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        return tasks

    def find_ready(self, task_id: str) -> Task:
        try:
            uuid = UUID(task_id)
        except ValueError:
            raise NotFound(f"task '{task_id}' is not a task id", task_id=task_id) from None
        try:
            task = self.workflow.get_task_from_id(uuid)
        except TaskNotFoundException:
            task = None
        if task is None:
            raise NotFound(f"task '{task_id}' does not exist", task_id=task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise InvalidState(
                f"task '{task.task_spec.bpmn_name or task.task_spec.name}' is not ready "
                f"(it is {TaskState.get_name(task.state).lower()})",
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

        translate_errors(run)
        return item

    def waiting_messages(self) -> list[str]:
        names = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            names.extend(message_names(getattr(task.task_spec, "event_definition", None)))
        return names

    def send_message(self, name: str, payload: Mapping[str, Any]) -> None:
        """Deliver a BPMN message to the instance; refuse one it is not waiting for."""
        if name not in self.waiting_messages():
            raise InvalidState(f"the process is not waiting for message '{name}'", event=name)
        event = BpmnEvent(MessageEventDefinition(name), payload=dict(payload))

        def deliver() -> None:
            try:
                self.workflow.send_event(event)
            except WorkflowException as exc:
                if isinstance(exc, WorkflowTaskException):
                    raise
                raise InvalidState(str(exc), event=name) from None
            self.workflow.do_engine_steps()

        translate_errors(deliver)

    def enclosing_task(self, task: Task) -> Task | None:
        parent_id = getattr(task.workflow, "parent_task_id", None)
        if parent_id is None:
            return None
        parent: Task | None = self.workflow.get_task_from_id(parent_id)
        return parent

    def stage_for(self, task: Task) -> StageRef | None:
        current: Task | None = task
        while current is not None:
            stage = stage_of(current.task_spec)
            if stage is not None and current is not task:
                return stage
            current = self.enclosing_task(current)
        return None

    def lane_for(self, task: Task) -> str | None:
        current: Task | None = task
        while current is not None:
            lane: str | None = current.task_spec.lane
            if lane:
                return lane
            current = self.enclosing_task(current)
        return None

    def work_item(self, task: Task) -> WorkItem:
        spec = task.task_spec
        element = spec.bpmn_id or spec.name
        title = spec.bpmn_name or spec.bpmn_id or spec.name
        stage = self.stage_for(task)
        rule = self.rules.tasks.get(element) or ActivityRule(element, title, None, weight=0)
        return WorkItem(
            task_id=str(task.id),
            element_id=element,
            title=title,
            lane=self.lane_for(task),
            role=rule.role,
            stage=stage,
            rule=rule,
            properties=properties(spec),
        )

    def running_stage(self) -> StageRef | None:
        """The stage the instance is in now (the highest-ordered running one), if any."""
        running = [
            stage
            for task in self.workflow.get_tasks(state=TaskState.STARTED)
            if (stage := stage_of(task.task_spec)) is not None
        ]
        return max(running, key=lambda s: s.order) if running else None

    def position(self) -> Position:
        """Element ids to mark on the diagram.

        Current: ready or waiting user tasks, intermediate events waiting for something, and the
        stage the instance runs in. Completed: tasks, events and sub-processes (stages) done so
        far; gateways are left out (they are routing, not work).
        """
        current: list[str] = []
        completed: list[str] = []
        stages: list[tuple[int, str]] = []
        for task in self.workflow.get_tasks():
            spec, state = task.task_spec, task.state
            element = spec.bpmn_id
            if element is None:
                continue
            if state == TaskState.COMPLETED:
                if not isinstance(spec, GATEWAYS):
                    completed.append(element)
            elif state & (TaskState.READY | TaskState.WAITING):
                # Boundary events wait too, but they are not where the instance is.
                if spec.manual or isinstance(spec, IntermediateCatchEvent):
                    current.append(element)
                elif isinstance(spec, EventBasedGateway) and state == TaskState.WAITING:
                    current.extend(o.bpmn_id for o in spec.outputs if o.bpmn_id)
            elif state == TaskState.STARTED and (stage := stage_of(spec)) is not None:
                stages.append((stage.order, element))
        if stages:
            current.append(max(stages)[1])
        return Position(list(dict.fromkeys(current)), list(dict.fromkeys(completed)))

    def snapshot(self) -> Snapshot:
        """Project the instance in one pass over its task tree."""
        ready: list[WorkItem] = []
        messages: list[str] = []
        started: list[StageRef] = []
        finished: list[StageRef] = []
        state_props: dict[str, str] = {}
        data: dict[str, Any] = dict(self.workflow.data)
        end: Task | None = None
        outcome: Task | None = None
        for task in self.workflow.get_tasks():
            state, spec = task.state, task.task_spec
            if state == TaskState.COMPLETED:
                # A side path's plain end event (e.g. after a reminder) does not hide the
                # end event that carries the outcome or status.
                if (
                    isinstance(spec, EndEvent)
                    and task.workflow is self.workflow
                    and (end is None or not properties(end.task_spec) or properties(spec))
                ):
                    end = task
                if "outcome" in properties(spec) and (
                    outcome is None or task.last_state_change >= outcome.last_state_change
                ):
                    outcome = task
            elif state & (TaskState.READY | TaskState.WAITING):
                state_props.update(properties(spec))
                if isinstance(spec, EventBasedGateway):
                    # It waits for its events, which carry the properties (Spiff parses none
                    # on gateways).
                    for event_spec in spec.outputs:
                        state_props.update(properties(event_spec))
                data.update(task.data)
                if state == TaskState.READY and spec.manual:
                    ready.append(self.work_item(task))
                definition = getattr(spec, "event_definition", None)
                if state == TaskState.WAITING:
                    messages.extend(message_names(definition))
            stage = stage_of(spec) if state & (TaskState.STARTED | TaskState.COMPLETED) else None
            if stage is not None:
                (started if state == TaskState.STARTED else finished).append(stage)
        running = max(started, key=lambda s: s.order) if started else None
        current = running or (max(finished, key=lambda s: s.order) if finished else None)
        completed = bool(self.workflow.completed)
        if completed and end is not None:
            state_props = properties(end.task_spec)
            data = {**self.workflow.data, **end.data}
        return Snapshot(
            completed=completed,
            ready=ready,
            waiting_messages=messages,
            stage=current,
            running_stage=running,
            end_event=(end.task_spec.bpmn_id if completed and end is not None else None),
            outcome_event=(outcome.task_spec.bpmn_id if outcome is not None else None),
            state_properties=dict(state_props),
            data=data,
        )
