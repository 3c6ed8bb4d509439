"""The timer a waiting task waits for, and when it is due (UTC), read from Spiff's task data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.task import Task


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event the instance waits at, and when it is due."""

    task_id: str
    element_id: str
    name: str
    due_at: datetime


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


def waiting_timer(task: Task) -> WaitingTimer | None:
    """The timer a WAITING task waits for, if it is a timer event with a due time."""
    timer = _timer_definition(task.task_spec)
    if timer is None:
        return None
    definition, event = timer
    due = _due_at(task, definition)
    if due is None:
        return None
    element = event.bpmn_id or event.name
    return WaitingTimer(str(task.id), element, event.bpmn_name or element, due)
