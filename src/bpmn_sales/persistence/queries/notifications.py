"""Queries for in-app notifications (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.persistence.models import Notification
from bpmn_sales.persistence.queries.paging import Sort, read_page

NOTIFICATION_SORT = Sort("notifications", Notification.id, descending=True)


class NotificationQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- notifications -----------------------------------------------------------------
    def notification_page(
        self, user_id: int, unread_only: bool, cursor: Cursor | None, limit: int
    ) -> Page[Notification]:
        """A page of the user's notifications, newest first."""
        query = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return read_page(self.session, query, NOTIFICATION_SORT, cursor, limit)

    def unread_count(self, user_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(
                    Notification.user_id == user_id, Notification.read_at.is_(None)
                )
            )
            or 0
        )

    def mark_read(self, user_id: int, ids: Sequence[int] | None, at: datetime) -> int:
        query = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        result = self.session.execute(query.values(read_at=at))
        return int(getattr(result, "rowcount", 0) or 0)
