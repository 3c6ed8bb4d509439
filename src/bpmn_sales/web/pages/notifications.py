"""The signed-in user's in-app notifications: read them, mark them read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bpmn_sales.services.delivery import notices
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.pages.common import back, ctx, done, page_actor

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index() -> Any:
    listed = notices.list_notifications(ctx(), page_actor(), limit=200)
    return render_template("notifications.html", **listed)


@bp.post("/notifications/read")
@login_required
def read_all() -> Any:
    count = notices.mark_read(ctx(), page_actor())
    done(f"{count} notification(s) marked read")
    return back("/notifications")
