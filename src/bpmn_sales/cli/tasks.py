"""Task verbs beyond list and complete: claim a group task, show a task's form."""

from __future__ import annotations

import json

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, pass_state
from bpmn_sales.cli.lifecycle import task_group, task_line
from bpmn_sales.services import task_forms, worklist


@task_group.command(name="claim")
@click.argument("task_id")
@json_option
@pass_state
@handled
def task_claim(state: State, task_id: str, as_json: bool) -> None:
    """Take a task assigned to one of your groups: it becomes yours."""
    view = worklist.claim_task(state.ctx, state.actor(), task_id)
    emit(view.to_dict(), as_json, [f"claimed {task_line(view)}"])


@task_group.command(name="form")
@click.argument("task_id")
@json_option
@pass_state
@handled
def task_form(state: State, task_id: str, as_json: bool) -> None:
    """Show the JSON Schema form a task is completed with (`task complete --data`)."""
    found = task_forms.task_form(state.ctx, state.actor(), task_id)
    lines = [task_line(found.task)]
    if found.schema is None:
        lines.append("no form: complete it without --data")
    else:
        lines.append(json.dumps(found.schema, indent=2))
    emit(found.to_dict(), as_json, lines)
