"""The signed-in user's in-app notifications: read them, mark them read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from bpmn_sales.domain.paging import Page
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import ngettext
from bpmn_sales.services.delivery import notices
from bpmn_sales.web.auth import login_required
from bpmn_sales.web.pages.common import back, ctx, done, page_actor
from bpmn_sales.web.pages.forms import field_errors
from bpmn_sales.web.pages.paging import cursor_arg

bp = Blueprint("notifications", __name__)
LIST_LIMIT = 50


@bp.get("/notifications")
@login_required
def index() -> Any:
    try:
        listed = notices.list_notifications(
            ctx(), page_actor(), limit=LIST_LIMIT, cursor=cursor_arg()
        )
    except InvalidInput as error:  # a cursor this list did not give out
        page = render_template(
            "notifications.html", unread=0, notifications=Page([]), errors=field_errors(error)
        )
        return page, 400
    return render_template(
        "notifications.html", unread=listed.unread, notifications=listed.page, errors={}
    )


@bp.post("/notifications/read")
@login_required
def read_all() -> Any:
    count = notices.mark_read(ctx(), page_actor())
    done(
        ngettext(
            "%(num)s notification(s) marked read", "%(num)s notification(s) marked read", count
        )
    )
    return back("/notifications")
