"""Task verbs (list, complete, claim, form) and your notifications."""

from __future__ import annotations

import json
from typing import Any

import click

from bpmn_sales.cli.base import State, emit, handled, json_option, main, pass_state
from bpmn_sales.cli.paging import emit_pages, paged_options
from bpmn_sales.cli.views import (
    task_line,
    upload_files,
    version_option,
)
from bpmn_sales.domain.model import TaskView
from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.services import worklist
from bpmn_sales.services.delivery import notices


# -- tasks ------------------------------------------------------------------------------------
@main.group(name="task")
def task_group() -> None:
    """Ready user tasks of leads and deals."""


@task_group.command(name="list")
@click.option("--role", type=click.Choice(["rep", "manager", "admin"]))
@click.option(
    "--scope",
    type=click.Choice(["all", "mine", "groups"]),
    help="mine: assigned to you or on your records; groups: offered to your groups.",
)
@paged_options()
@json_option
@pass_state
@handled
def task_list(
    state: State,
    role: str | None,
    scope: str | None,
    limit: int,
    after: str | None,
    every: bool,
    as_json: bool,
) -> None:
    """List ready tasks and open follow-ups by due: overdue, today, upcoming, no due date."""
    actor = state.actor()

    def read(cursor: str | None) -> Page[TaskView]:
        return worklist.list_tasks(state.ctx, actor, role, scope=scope, cursor=cursor, limit=limit)

    emit_pages(read, after, every, as_json, TaskView.to_dict, task_line)


@task_group.command(name="complete")
@click.argument("task_id")
@click.option("--data", "data_json", default=None, help="Form data as a JSON object.")
@click.option("--note", help="A note, where the activity needs one.")
@click.option("--file", "paths", multiple=True, type=click.Path(dir_okay=False))
@click.option("--approve", "decision", flag_value="approve", help="Approval tasks: approve.")
@click.option("--reject", "decision", flag_value="reject", help="Approval tasks: reject.")
@click.option("--comment", help="Approval comment (needed to reject).")
@version_option
@json_option
@pass_state
@handled
def task_complete(
    state: State,
    task_id: str,
    data_json: str | None,
    note: str | None,
    paths: tuple[str, ...],
    decision: str | None,
    comment: str | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Complete a ready task (an activity of a deal's stage, an approval, or a lead review)."""
    try:
        data = json.loads(data_json) if data_json else None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--data is not JSON: {exc.msg}", field="data") from None
    if decision is not None:
        data = {**(data if isinstance(data, dict) else {}), "decision": decision}
        if comment:
            data["comment"] = comment
    ids: list[int] = []
    if paths:
        # The task itself, not a search through the task list (which is read a page at a time).
        try:
            task: TaskView | None = worklist.task_form(state.ctx, state.actor(), task_id).task
        except NotFound:
            task = None
        if task is None or task.subject_type != "deal":
            raise InvalidInput("--file needs a ready task of a deal", field="file")
        ids = upload_files(state, task.subject_id, paths)
    view = worklist.complete_task(
        state.ctx, state.actor(), task_id, data, expected_version, note, ids or None
    )
    emit(view.to_dict(), as_json, [f"completed {task_line(view)}", *view.approval_waits_for])


@main.group(name="notifications")
def notifications_group() -> None:
    """Your in-app notifications."""


@notifications_group.command(name="list")
@click.option("--unread", is_flag=True)
@paged_options()
@json_option
@pass_state
@handled
def notifications_list(
    state: State, unread: bool, limit: int, after: str | None, every: bool, as_json: bool
) -> None:
    """Your notifications, newest first, a page at a time (the first line: how many unread)."""
    actor = state.actor()
    found = notices.list_notifications(state.ctx, actor, unread, limit, after)
    pages = [found.page]
    while every and pages[-1].next:
        pages.append(
            notices.list_notifications(state.ctx, actor, unread, limit, pages[-1].next).page
        )
    listed = [n for page in pages for n in page]
    lines = [f"{found.unread} unread", *(notification_line(n) for n in listed)]
    emit({"unread": found.unread, "notifications": listed}, as_json, lines)
    if pages[-1].next and not every:
        click.echo(f"more: --after {pages[-1].next}", err=True)


def notification_line(n: dict[str, Any]) -> str:
    return f"{n['id']:<6} {'*' if not n['read_at'] else ' '} {n['created_at'][:16]} {n['message']}"


@notifications_group.command(name="read")
@click.argument("ids", nargs=-1, type=int)
@pass_state
@handled
def notifications_read(state: State, ids: tuple[int, ...]) -> None:
    """Mark notifications read (all when no ids are given)."""
    count = notices.mark_read(state.ctx, state.actor(), list(ids) if ids else None)
    click.echo(f"{count} marked read")


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
    found = worklist.task_form(state.ctx, state.actor(), task_id)
    lines = [task_line(found.task)]
    if found.schema is None:
        lines.append("no form: complete it without --data")
    else:
        lines.append(json.dumps(found.schema, indent=2))
    emit(found.to_dict(), as_json, lines)
