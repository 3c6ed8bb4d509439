"""What the rest of the product reads off an instance, found in one walk of its task tree."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    EventBasedGateway,
    IntermediateCatchEvent,
)
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.domain.rules import ActivityRule, ProcessRules
from bpmn_sales.engine.diagrams.rules import properties
from bpmn_sales.engine.running.timer_events import WaitingTimer, waiting_timer

GATEWAYS = (ExclusiveGateway, InclusiveGateway, ParallelGateway, EventBasedGateway)
READY_OR_WAITING = TaskState.READY | TaskState.WAITING
STARTED_OR_COMPLETED = TaskState.STARTED | TaskState.COMPLETED


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
    timers: list[WaitingTimer] = field(default_factory=list)


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


@dataclass(frozen=True, slots=True)
class _Traits:
    """What the projection reads of a task spec, worked out once per spec (the projection
    visits every task of the tree after each step; most are finished)."""

    properties: dict[str, str]
    end_event: bool
    outcome: bool  # its properties name an outcome
    event_gateway: bool
    stage: StageRef | None


_TRAITS = "_bpmn_sales_traits"  # where a spec keeps its _Traits (specs never change once parsed)


def _traits_of(spec: Any) -> _Traits:
    props = properties(spec)
    traits = _Traits(
        props,
        isinstance(spec, EndEvent),
        "outcome" in props,
        isinstance(spec, EventBasedGateway),
        stage_of(spec),
    )
    setattr(spec, _TRAITS, traits)
    return traits


def walk(top: BpmnWorkflow) -> Iterator[Task]:
    """Every task, in the order `workflow.get_tasks()` gives them (depth first, a sub-process's
    tasks before the children of the task that runs it), without its per-task filter work."""
    subprocesses = top.subprocesses
    stack = [top.task_tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        task = pop()
        yield task
        # A task is never falsy: filter drops only the ids the table no longer holds.
        extend(filter(None, map(task.workflow.tasks.get, reversed(task._children))))
        # Only a sub-process task runs one (checked first: hashing a UUID is not free).
        if isinstance(task.task_spec, SubWorkflowTask):
            sub = subprocesses.get(task.id)
            if sub is not None:
                push(sub.task_tree)


def enclosing_task(top: BpmnWorkflow, task: Task) -> Task | None:
    parent_id = getattr(task.workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    parent: Task | None = top.get_task_from_id(parent_id)
    return parent


def stage_for(top: BpmnWorkflow, task: Task) -> StageRef | None:
    current: Task | None = task
    while current is not None:
        stage = stage_of(current.task_spec)
        if stage is not None and current is not task:
            return stage
        current = enclosing_task(top, current)
    return None


def lane_for(top: BpmnWorkflow, task: Task) -> str | None:
    current: Task | None = task
    while current is not None:
        lane: str | None = current.task_spec.lane
        if lane:
            return lane
        current = enclosing_task(top, current)
    return None


def work_item(top: BpmnWorkflow, rules: ProcessRules, task: Task) -> WorkItem:
    spec = task.task_spec
    element = spec.bpmn_id or spec.name
    title = spec.bpmn_name or spec.bpmn_id or spec.name
    rule = rules.tasks.get(element) or ActivityRule(element, title, None, weight=0)
    return WorkItem(
        task_id=str(task.id),
        element_id=element,
        title=title,
        lane=lane_for(top, task),
        role=rule.role,
        stage=stage_for(top, task),
        rule=rule,
        properties=properties(spec),
    )


def project(top: BpmnWorkflow, rules: ProcessRules) -> Snapshot:
    """Project the instance in one pass over its task tree."""
    ready: list[WorkItem] = []
    messages: list[str] = []
    timers: list[WaitingTimer] = []
    started: list[StageRef] = []
    finished: list[StageRef] = []
    state_props: dict[str, str] = {}
    data: dict[str, Any] = dict(top.data)
    end: Task | None = None
    outcome: Task | None = None
    for task in walk(top):
        state, spec = task._state, task.task_spec
        traits = spec.__dict__.get(_TRAITS) or _traits_of(spec)
        if state == TaskState.COMPLETED:
            # A side path's plain end event (e.g. after a reminder) does not hide the
            # end event that carries the outcome or status.
            if (
                traits.end_event
                and task.workflow is top
                and (end is None or not properties(end.task_spec) or traits.properties)
            ):
                end = task
            if traits.outcome and (
                outcome is None or task.last_state_change >= outcome.last_state_change
            ):
                outcome = task
        elif state & READY_OR_WAITING:
            state_props.update(traits.properties)
            if traits.event_gateway:
                # It waits for its events, which carry the properties (Spiff parses none
                # on gateways).
                for event_spec in spec.outputs:
                    state_props.update(properties(event_spec))
            data.update(task.data)
            if state == TaskState.READY and spec.manual:
                ready.append(work_item(top, rules, task))
            if state == TaskState.WAITING:
                messages.extend(message_names(getattr(spec, "event_definition", None)))
                timer = waiting_timer(task)
                if timer is not None:
                    timers.append(timer)
        stage = traits.stage if state & STARTED_OR_COMPLETED else None
        if stage is not None:
            (started if state == TaskState.STARTED else finished).append(stage)
    running = max(started, key=lambda s: s.order) if started else None
    current = running or (max(finished, key=lambda s: s.order) if finished else None)
    completed = bool(top.completed)
    if completed and end is not None:
        state_props = properties(end.task_spec)
        data = {**top.data, **end.data}
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
        timers=timers,
    )


def position(top: BpmnWorkflow) -> Position:
    """Element ids to mark on the diagram.

    Current: ready or waiting user tasks, intermediate events waiting for something, and the
    stage the instance runs in. Completed: tasks, events and sub-processes (stages) done so
    far; gateways are left out (they are routing, not work).
    """
    current: list[str] = []
    completed: list[str] = []
    stages: list[tuple[int, str]] = []
    for task in walk(top):
        spec, state = task.task_spec, task.state
        element = spec.bpmn_id
        if element is None:
            continue
        if state == TaskState.COMPLETED:
            if not isinstance(spec, GATEWAYS):
                completed.append(element)
        elif state & READY_OR_WAITING:
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
