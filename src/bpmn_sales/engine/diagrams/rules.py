"""Read a parsed process's sales rules (stages, activities, terminals) from its task specs."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from bpmn_sales.domain.rules import (
    OUTCOME_LABELS,
    ActivityRule,
    FieldRef,
    FollowUpRule,
    ProcessRules,
    StageRule,
    TerminalRule,
)
from bpmn_sales.engine.diagrams import vocabulary

MOVE_MESSAGE = "deal_move"


def properties(task_spec: Any) -> dict[str, str]:
    extensions = getattr(task_spec, "extensions", None) or {}
    props: dict[str, str] = extensions.get("properties", {})
    return props


def typed(kind: str, props: Mapping[str, str]) -> dict[str, Any]:
    """Known properties of the kind, coerced and with defaults; deploy-time lint checked them."""
    known = set(vocabulary.names(kind))
    values, _ = vocabulary.read(kind, {k: v for k, v in props.items() if k in known})
    return vocabulary.with_defaults(kind, values)


def _label(task_spec: Any) -> str:
    return str(task_spec.bpmn_name or task_spec.bpmn_id or task_spec.name)


def _manual_specs(
    spec_name: str, subprocess_specs: Mapping[str, Any], seen: set[str]
) -> Iterator[Any]:
    """User tasks of a sub-process spec, including those of nested non-stage sub-processes."""
    if spec_name in seen or spec_name not in subprocess_specs:
        return
    seen.add(spec_name)
    for task_spec in subprocess_specs[spec_name].task_specs.values():
        if task_spec.manual:
            yield task_spec
        elif isinstance(task_spec, SubWorkflowTask) and "stage_order" not in properties(task_spec):
            yield from _manual_specs(task_spec.spec, subprocess_specs, seen)


def activity_rule(task_spec: Any, stage_key: str | None) -> ActivityRule:
    values = typed("activity" if stage_key else "task", properties(task_spec))
    follow_up = None
    if values.get("follow_up_title"):
        follow_up = FollowUpRule(
            str(values["follow_up_title"]),
            int(values.get("follow_up_due_days", 0)),
            str(values.get("follow_up_assignee", "owner")),
        )
    completed_by = tuple(values.get("completed_by") or ("anyone",))
    if values.get("approval"):
        completed_by = ("direct_manager",)
    return ActivityRule(
        element_id=task_spec.bpmn_id or task_spec.name,
        name=_label(task_spec),
        stage_key=stage_key,
        weight=float(values.get("weight", 1)) if stage_key else 0,
        obligatory=bool(values.get("obligatory", False)),
        completed_by=completed_by,
        note_required=str(values.get("note_required", "none")),
        notify=tuple(values.get("notify") or ()),
        follow_up=follow_up,
        tip=str(values.get("tip", "")),
        description=str(values.get("description", "")),
        approval=values.get("approval"),
        form=values.get("formJsonSchemaFilename"),
        ui_form=values.get("formUiSchemaFilename"),
        due_days=int(values["due_days"]) if values.get("due_days") is not None else None,
    )


def _fields(values: Mapping[str, Any], name: str) -> tuple[FieldRef, ...]:
    fields = []
    for ref in values.get(name, []):
        try:
            fields.append(FieldRef.parse(str(ref)))
        except ValueError:
            continue
    return tuple(fields)


def _checklist(task_specs: list[Any]) -> list[Any]:
    """The stage's user tasks in checklist order: by activity_order, then as parsed."""

    def position(pair: tuple[int, Any]) -> tuple[int, int]:
        order = typed("activity", properties(pair[1])).get("activity_order")
        return (order if isinstance(order, int) else 1 << 30), pair[0]

    return [spec for _, spec in sorted(enumerate(task_specs), key=position)]


def stage_rule(task_spec: Any, subprocess_specs: Mapping[str, Any]) -> StageRule:
    values = typed("stage", properties(task_spec))
    key = str(values.get("stage_key") or task_spec.bpmn_id or task_spec.name)
    manual = _checklist(list(_manual_specs(task_spec.spec, subprocess_specs, set())))
    activities = tuple(activity_rule(ts, key) for ts in manual)
    fields = _fields(values, "stage_required_fields")
    rate = values.get("stage_win_rate")
    return StageRule(
        key=key,
        name=_label(task_spec),
        element_id=task_spec.bpmn_id or task_spec.name,
        order=int(values.get("stage_order", 0)),
        description=str(values.get("stage_description", "")),
        requirements=str(values.get("stage_requirements", "")),
        win_rate=float(rate) if isinstance(rate, int | float) else None,
        required_fields=fields,
        optional_fields=tuple(f for f in _fields(values, "stage_fields") if f not in fields),
        min_contacts=int(values.get("stage_min_contacts", 0)),
        optional=bool(values.get("stage_optional", False)),
        approval=values.get("stage_approval"),
        phase=str(values.get("stage_phase", "pre_sale")),
        activities=activities,
    )


def terminal_rule(task_spec: Any) -> TerminalRule:
    values = typed("terminal", properties(task_spec))
    outcome = str(values["outcome"])
    probability = values.get("outcome_probability", 100 if outcome == "won" else 0)
    return TerminalRule(
        element_id=task_spec.bpmn_id or task_spec.name,
        outcome=outcome,
        label=str(values.get("outcome_label") or OUTCOME_LABELS.get(outcome, outcome)),
        probability=float(probability),
        lost_reasons=tuple(str(r) for r in values.get("lost_reasons", [])),
        order_required=bool(values.get("order_required", False)),
        orders_from_stage=values.get("orders_from_stage"),
        orders_after_stage=values.get("orders_after_stage"),
    )


def _literal(expression: str) -> str | None:
    """The text of a string-literal expression (`'P7D'`), None for a computed one."""
    try:
        value = ast.literal_eval(expression.strip())
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _notice_kind(event_spec: Any, depth: int = 6) -> str | None:
    """The `kind` of the first `notify` service task on the path after an event, if any."""
    current = list(event_spec.outputs)
    for _ in range(depth):
        following = []
        for spec in current:
            if getattr(spec, "operation_name", None) == "notify":
                kind = (spec.operation_params.get("kind") or {}).get("value", "")
                return _literal(kind)
            following.extend(spec.outputs)
        current = following
    return None


def reminders(process_specs: list[Any]) -> dict[str, str]:
    """Stage element id -> ISO 8601 duration of its reminder: a non-interrupting boundary
    timer whose path notifies with kind 'reminder'."""
    found: dict[str, str] = {}
    for process_spec in process_specs:
        for split in process_spec.task_specs.values():
            if not isinstance(split, BoundaryEventSplit):
                continue
            hosts = [o for o in split.outputs if not isinstance(o, BoundaryEvent)]
            for event in split.outputs:
                definition = getattr(event, "event_definition", None)
                if (
                    hosts
                    and isinstance(event, BoundaryEvent)
                    and not event.cancel_activity
                    and isinstance(definition, TimerEventDefinition)
                    and _notice_kind(event) == "reminder"
                ):
                    duration = _literal(definition.expression)
                    if duration:
                        found.setdefault(hosts[0].bpmn_id or hosts[0].name, duration)
    return found


def read_rules(spec: Any, subprocess_specs: Mapping[str, Any]) -> ProcessRules:
    """The sales rules of a process and the sub-processes it calls."""
    stages: list[StageRule] = []
    terminals: list[tuple[bool, TerminalRule]] = []
    tasks: dict[str, ActivityRule] = {}
    free_moves = False
    stage_specs: set[str] = set()
    for process_spec in [spec, *subprocess_specs.values()]:
        for task_spec in process_spec.task_specs.values():
            props = properties(task_spec)
            if isinstance(task_spec, SubWorkflowTask) and "stage_order" in props:
                stage = stage_rule(task_spec, subprocess_specs)
                stages.append(stage)
                stage_specs.add(task_spec.spec)
                for activity in stage.activities:
                    tasks[activity.element_id] = activity
            elif (props.get("outcome") or "").strip() in ("won", "lost", "invalid"):
                terminals.append((isinstance(task_spec, EndEvent), terminal_rule(task_spec)))
            definition = getattr(task_spec, "event_definition", None)
            if getattr(definition, "name", None) == MOVE_MESSAGE:
                free_moves = True
    for process_spec in [spec, *subprocess_specs.values()]:
        for task_spec in process_spec.task_specs.values():
            element = task_spec.bpmn_id or task_spec.name
            if task_spec.manual and element not in tasks:
                tasks[element] = activity_rule(task_spec, None)
    reminder = reminders([spec, *subprocess_specs.values()])
    stages = [dataclasses.replace(s, reminder_after=reminder.get(s.element_id)) for s in stages]
    stages.sort(key=lambda s: s.order)
    # A won throw event before post-sale stages is met before the end event after them.
    terminals.sort(key=lambda pair: pair[0])
    return ProcessRules(tuple(stages), tuple(t for _, t in terminals), tasks, free_moves)
