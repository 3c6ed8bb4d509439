"""The processes admin page: enable or disable a process, choose where it applies (admins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import Forbidden, SalesError
from bpmn_sales.services import processes
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.errors import status_for
from bpmn_sales.web.pages.common import ctx, done, flash_error, page_actor

bp = Blueprint("admin_processes", __name__)


@bp.get("/processes")
@login_required
def index() -> Any:
    listed = processes.list_for_admin(ctx(), page_actor())
    return render_template(
        "admin/processes.html", processes=listed, departments=processes.department_names(ctx())
    )


def _switch(key: str, enabled: bool) -> Response:
    try:
        view = processes.set_enabled(ctx(), page_actor(), key, enabled)
    except Forbidden:
        raise
    except SalesError as error:
        flash_error(error)
    else:
        done(f"Process '{view.name}' {'enabled' if enabled else 'disabled'}")
    return redirect("/processes")


@bp.post("/processes/<key>/enable")
@login_required
def enable(key: str) -> Response:
    return _switch(key, True)


@bp.post("/processes/<key>/disable")
@login_required
def disable(key: str) -> Response:
    return _switch(key, False)


@bp.post("/processes/<key>/departments")
@login_required
def departments(key: str) -> Any:
    actor = page_actor()
    require_admin(actor, "set the departments of processes")
    try:
        view = processes.set_departments(ctx(), actor, key, request.form.getlist("departments"))
    except SalesError as error:
        listed = processes.list_for_admin(ctx(), actor)
        page = render_template(
            "admin/processes.html",
            processes=listed,
            departments=processes.department_names(ctx()),
            errors={key: error.message},
        )
        return page, status_for(error)
    done(f"Process '{view.name}' applies to: {', '.join(view.departments) or 'every department'}")
    return redirect("/processes")
