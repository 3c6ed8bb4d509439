"""Timer and message events of a running instance: what it waits for, firing what is due.

SpiffWorkflow decides whether a timer has fired by comparing its due time with its own
`datetime.now(timezone.utc)`; the product's clock (`ctx.clock()`) only chooses which instances
the worker looks at. In production both are the wall clock. Tests move both together (the fake
clock and `time-machine`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task, TaskState

from bpmn_sales.engine.running.instance import Instance, translate_errors


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event the instance waits at, and when it is due."""

    task_id: str
    element_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class ServiceCall:
    """A service task that ran during a step: its operation and the result it stored."""

    element_id: str
    operation: str
    result: Any


def _timer_definition(spec: Any) -> tuple[TimerEventDefinition, Any] | None:
    """The timer a catching event waits for, and the timer event's spec.

    An event-based gateway holds the definitions of the events after it, in their order.
    """
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        return definition, spec
    for index, inner in enumerate(getattr(definition, "event_definitions", None) or []):
        if isinstance(inner, TimerEventDefinition):
            outputs = getattr(spec, "outputs", [])
            return inner, outputs[index] if index < len(outputs) else spec
    return None


def _due_at(task: Task, definition: TimerEventDefinition) -> datetime | None:
    value = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        return datetime.fromisoformat(value["next"]) if isinstance(value, dict) else None
    if isinstance(definition, DurationTimerEventDefinition):
        due: datetime = TimerEventDefinition.get_datetime(value)
        return due
    if isinstance(definition, TimeDateEventDefinition):
        parsed = TimerEventDefinition.parse_time_or_duration(value)
        return parsed if isinstance(parsed, datetime) else None
    return None


def waiting_timers(instance: Instance) -> list[WaitingTimer]:
    """Every timer event the instance waits at, with its due time (UTC)."""
    found = []
    for task in instance.workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        timer = _timer_definition(spec)
        if timer is None:
            continue
        definition, event = timer
        due = _due_at(task, definition)
        if due is not None:
            element = event.bpmn_id or event.name
            found.append(WaitingTimer(str(task.id), element, event.bpmn_name or element, due))
    return found


def _completed(instance: Instance) -> set[Any]:
    return {t.id for t in instance.workflow.get_tasks(state=TaskState.COMPLETED)}


def _calls_since(instance: Instance, before: set[Any]) -> list[ServiceCall]:
    calls = []
    for task in instance.workflow.get_tasks(state=TaskState.COMPLETED):
        spec = task.task_spec
        operation = getattr(spec, "operation_name", None)
        if task.id in before or operation is None:
            continue
        result = task.data.get(spec.result_variable)
        calls.append(ServiceCall(spec.bpmn_id or spec.name, str(operation), result))
    return calls


def collecting_calls(instance: Instance, action: Callable[[], None]) -> list[ServiceCall]:
    """Run an engine action; return the service tasks it ran (their results, in tree order)."""
    before = _completed(instance)
    action()
    return _calls_since(instance, before)


def fire_due(instance: Instance) -> list[ServiceCall]:
    """Fire the timers due by Spiff's clock and run on to the next wait."""

    def run() -> None:
        instance.workflow.refresh_timers()
        instance.workflow.do_engine_steps()

    return collecting_calls(instance, lambda: translate_errors(run))


def activities_ended_by(instance: Instance, message: str) -> list[str]:
    """Ready user tasks an interrupting boundary event for `message` would end (complete).

    The diagram says "this message completes that activity" by attaching an interrupting
    message boundary event to the user task.
    """
    ended = []
    for task in instance.workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        definition = getattr(spec, "event_definition", None)
        if not (
            isinstance(spec, BoundaryEvent)
            and spec.cancel_activity
            and isinstance(definition, MessageEventDefinition)
            and definition.name == message
        ):
            continue
        for sibling in task.parent.children if task.parent else []:
            if sibling is not task and sibling.task_spec.manual:
                ended.append(sibling.task_spec.bpmn_id or sibling.task_spec.name)
    return ended
