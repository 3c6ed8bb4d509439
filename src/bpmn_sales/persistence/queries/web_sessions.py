"""Queries for web sessions (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import User, WebSession
from bpmn_sales.persistence.queries.people import setting_columns, settings_in


class WebSessionQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def web_session(self, token_hash: str) -> tuple[WebSession, User] | None:
        """A session by its token's hash, with its user (one statement)."""
        row = self.session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == token_hash)
        ).first()
        return (row[0], row[1]) if row else None

    def web_session_with_settings(
        self, token_hash: str, keys: Sequence[str]
    ) -> tuple[WebSession, User, dict[str, str]] | None:
        """A session with its user and those settings (one statement for all three)."""
        row = self.session.execute(
            select(WebSession, User, *setting_columns(keys))
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == token_hash)
        ).first()
        return (row[0], row[1], settings_in(keys, row[2:])) if row else None

    def touch_web_session(self, session_id: int, now: datetime) -> None:
        self.session.execute(
            update(WebSession)
            .where(WebSession.id == session_id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )

    def end_web_sessions(
        self,
        user_id: int | None = None,
        token_hash: str | None = None,
        idle_before: datetime | None = None,
        started_before: datetime | None = None,
    ) -> int:
        """Delete the sessions matching each given condition (any of them); how many."""
        conditions = []
        if user_id is not None:
            conditions.append(WebSession.user_id == user_id)
        if token_hash is not None:
            conditions.append(WebSession.token_hash == token_hash)
        if idle_before is not None:
            conditions.append(WebSession.last_seen_at < idle_before)
        if started_before is not None:
            conditions.append(WebSession.created_at < started_before)
        if not conditions:
            return 0
        result = self.session.execute(
            delete(WebSession).where(or_(*conditions)).execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
