"""Timer and message events of a running instance: what it waits for, firing what is due.

SpiffWorkflow decides whether a timer has fired by comparing its due time with its own
`datetime.now(timezone.utc)`; the product's clock (`ctx.clock()`) only chooses which instances
the worker looks at. In production both are the wall clock. Tests move both together (the fake
clock and `time-machine`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import TaskState

from bpmn_sales.engine.running.instance import Instance
from bpmn_sales.engine.running.projection import walk
from bpmn_sales.engine.running.timer_events import WaitingTimer

__all__ = [
    "ServiceCall",
    "WaitingTimer",
    "activities_ended_by",
    "collecting_calls",
    "fire_due",
    "waiting_timers",
]


@dataclass(frozen=True)
class ServiceCall:
    """A service task that ran during a step: its operation and the result it stored."""

    element_id: str
    operation: str
    result: Any


def waiting_timers(instance: Instance) -> list[WaitingTimer]:
    """Every timer event the instance waits at, with its due time (UTC)."""
    return list(instance.snapshot().timers)


def _completed(instance: Instance) -> set[Any]:
    return {t.id for t in walk(instance.workflow) if t.state == TaskState.COMPLETED}


def _calls_since(instance: Instance, before: set[Any]) -> list[ServiceCall]:
    calls = []
    for task in walk(instance.workflow):
        spec = task.task_spec
        operation = getattr(spec, "operation_name", None)
        if task.state != TaskState.COMPLETED or task.id in before or operation is None:
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

    return collecting_calls(instance, lambda: instance.run(run))


def activities_ended_by(instance: Instance, message: str) -> list[str]:
    """Ready user tasks an interrupting boundary event for `message` would end (complete).

    The diagram says "this message completes that activity" by attaching an interrupting
    message boundary event to the user task.
    """
    ended = []
    for task in walk(instance.workflow):
        spec = task.task_spec
        definition = getattr(spec, "event_definition", None)
        if not (
            task.state == TaskState.WAITING
            and isinstance(spec, BoundaryEvent)
            and spec.cancel_activity
            and isinstance(definition, MessageEventDefinition)
            and definition.name == message
        ):
            continue
        for sibling in task.parent.children if task.parent else []:
            if sibling is not task and sibling.task_spec.manual:
                ended.append(sibling.task_spec.bpmn_id or sibling.task_spec.name)
    return ended
