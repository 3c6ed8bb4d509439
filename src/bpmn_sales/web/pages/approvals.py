"""The approvals inbox: managers approve, or reject with a comment, right from the list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template

from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import InvalidInput, SalesError
from bpmn_sales.i18n import _
from bpmn_sales.services import worklist
from bpmn_sales.services.worklist import approvals
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import ctx, done, flash_error, form_text, page_actor
from bpmn_sales.web.pages.forms import field_errors
from bpmn_sales.web.pages.paging import cursor_arg

bp = Blueprint("approvals", __name__)
LIST_LIMIT = 50


def _inbox(status: int = 200, task_id: str | None = None, **entered: Any) -> Any:
    """The inbox; after a refused decision, that approval's error and comment beside it."""
    try:
        waiting = approvals.approval_inbox(
            ctx(), page_actor(), cursor=cursor_arg(), limit=LIST_LIMIT
        )
    except InvalidInput as error:  # a cursor this list did not give out
        waiting, status, entered = Page([]), 400, {"errors": field_errors(error)}
    return render_template("approvals.html", waiting=waiting, failed=task_id, **entered), status


@bp.get("/approvals")
@login_required
def index() -> Any:
    return _inbox()


@bp.post("/approvals/<task_id>")
@login_required
def decide(task_id: str) -> Any:
    approvals.approval_inbox(ctx(), page_actor(), limit=1)  # managers and admins only
    decision, comment = form_text("decision"), form_text("comment")
    data = {"decision": decision} | ({"comment": comment} if comment else {})
    try:
        decided = worklist.complete_task(ctx(), page_actor(), task_id, data)
    except InvalidInput as error:
        field = (error.field or "").removeprefix("data.")
        errors: Any = error.details.get("errors") or {field: error.message}
        return _inbox(400, task_id, errors=errors, comment=comment)
    except SalesError as error:
        flash_error(error)
        return _inbox(status_for(error), task_id, errors={}, comment=comment)
    if decision == "approve":
        done(_("Approved: '%(task)s' on %(deal)s", task=decided.title, deal=decided.subject_name))
    else:
        done(_("Rejected: '%(task)s' on %(deal)s", task=decided.title, deal=decided.subject_name))
    return redirect("/approvals")
