"""A user's in-app notifications over HTTP."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.delivery import notices
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import get, post
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.people import Marked, MarkRead, NotificationQuery, Notifications


@get("/notifications", query=NotificationQuery, responses={200: page_of(Notifications)})
def list_notifications(query: NotificationQuery) -> Any:
    """Your notifications, newest first, with the unread count.

    A page at a time: `notifications` holds the page; paging headers as for deals.
    """
    found = notices.list_notifications(ctx(), actor(), query.unread, query.limit, query.cursor)
    return paged(found.page, found.to_dict())


@post("/notifications/read", body=MarkRead, responses={200: Marked})
def mark_notifications_read(body: MarkRead) -> Any:
    """Mark your notifications read (all of them without ids)."""
    return {"marked": notices.mark_read(ctx(), actor(), body.ids)}
