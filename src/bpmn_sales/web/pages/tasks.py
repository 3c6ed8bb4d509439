"""My tasks and my groups' tasks; one task's page with its form; claiming a group task."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from werkzeug.datastructures import FileStorage

from bpmn_sales.domain import forms
from bpmn_sales.domain.forms import TaskForm
from bpmn_sales.domain.model import TaskView
from bpmn_sales.domain.paging import Page, count_text
from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services import worklist
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import back, ctx, done, flash_error, form_text, page_actor
from bpmn_sales.web.pages.forms import field_errors
from bpmn_sales.web.pages.paging import cursor_arg

bp = Blueprint("tasks", __name__)
LIST_LIMIT = 50
# Where an error a use case names by field is shown on the task page.
FIELD_OF = {"note": "note", "files": "file", "attachment_ids": "file", "file": "file"}


def subject_url(task: TaskView) -> str:
    return f"/{task.subject_type}s/{task.subject_id}"


@bp.get("/tasks")
@login_required
def index() -> Any:
    """A page of my tasks (or my groups'), and how many each tab holds."""
    actor = page_actor()
    tab = "groups" if request.args.get("tab") == "groups" else "mine"
    other = "mine" if tab == "groups" else "groups"
    try:
        shown = worklist.list_tasks(ctx(), actor, scope=tab, cursor=cursor_arg(), limit=LIST_LIMIT)
    except InvalidInput as error:  # a cursor this list did not give out
        page = render_template(
            "tasks.html", tab=tab, tasks=Page([]), counts={}, errors=field_errors(error)
        )
        return page, 400
    counts = {tab: shown.total_text, other: count_text(worklist.count_tasks(ctx(), actor, other))}
    return render_template("tasks.html", tab=tab, tasks=shown, counts=counts, errors={})


def _page(found: TaskForm, values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    fields = forms.describe(found.schema, found.ui_schema, values, errors) if found.schema else []
    page = render_template(
        "task.html",
        found=found,
        task=found.task,
        fields=fields,
        errors=errors,
        note=form_text("note") if request.method == "POST" else None,
        back_url=subject_url(found.task),
    )
    return page, status


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str) -> Any:
    return _page(worklist.task_form(ctx(), page_actor(), task_id), {}, {}, 200)


def _missing(task: TaskView, note: str | None, upload: FileStorage | None) -> dict[str, str]:
    """The note and file the activity needs, checked before a file is stored."""
    errors = {}
    if task.note_required in ("note", "note_and_file") and not note:
        errors["note"] = _("'%(activity)s' needs a note", activity=task.title)
    if task.note_required == "note_and_file" and upload is None:
        errors["file"] = _("'%(activity)s' needs a file with the note", activity=task.title)
    return errors


def _complete(found: TaskForm, data: dict[str, Any], upload: FileStorage | None) -> TaskView:
    files = [(upload.filename or "", upload.read())] if upload is not None else None
    return worklist.complete_task(
        ctx(),
        page_actor(),
        found.task.task_id,
        data or None,
        found.version,
        form_text("note"),
        files=files,
    )


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> Any:
    found = worklist.task_form(ctx(), page_actor(), task_id)
    data, errors = forms.from_form(found.schema, request.form) if found.schema else ({}, {})
    if found.schema:
        errors = {**forms.validate(found.schema, data), **errors}
    upload = request.files.get("file")
    upload = upload if upload is not None and upload.filename else None
    errors.update(_missing(found.task, form_text("note"), upload))
    if upload is not None and found.task.subject_type != "deal":
        errors["file"] = _("files can be added to deals only")
    if errors:
        return _page(found, data, errors, 400)
    try:
        completed = _complete(found, data, upload)
    except InvalidInput as error:
        field = error.field or ""
        name = field[5:] if field.startswith("data.") else FIELD_OF.get(field)
        if name is None:
            flash_error(error)
        details: Any = error.details.get("errors")
        if isinstance(details, dict):
            errors.update(details)
        elif name is not None:
            errors[name] = error.message
        return _page(found, data, errors, 400)
    except SalesError as error:
        flash_error(error)
        return _page(found, data, errors, status_for(error))
    done(_("'%(activity)s' done", activity=found.task.title))
    for waits in completed.approval_waits_for:
        flash(waits, "warning")
    return redirect(subject_url(found.task))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Any:
    try:
        claimed = worklist.claim_task(ctx(), page_actor(), task_id)
    except SalesError as error:
        flash_error(error)
        return back("/tasks?tab=groups")
    done(_("You claimed '%(task)s'; it is in your tasks now", task=claimed.title))
    return back("/tasks?tab=groups")
