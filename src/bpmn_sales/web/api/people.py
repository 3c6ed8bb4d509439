"""A user's in-app notifications over HTTP."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.delivery import notices
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import get, post
from bpmn_sales.web.schemas.people import Marked, MarkRead, NotificationQuery, Notifications


@get("/notifications", query=NotificationQuery, responses={200: Notifications})
def list_notifications(query: NotificationQuery) -> Any:
    """Your notifications, newest first, with the unread count."""
    return notices.list_notifications(ctx(), actor(), query.unread, query.limit)


@post("/notifications/read", body=MarkRead, responses={200: Marked})
def mark_notifications_read(body: MarkRead) -> Any:
    """Mark your notifications read (all of them without ids)."""
    return {"marked": notices.mark_read(ctx(), actor(), body.ids)}
