"""Queries for timers (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import Timer, table_of
from bpmn_sales.persistence.queries.batches import Pending

TIMER_COLUMNS = tuple(c.key for c in Timer.__table__.columns)
TIMERS = table_of(Timer)
SUBJECT_TIMERS = select(TIMERS.c.task_id, TIMERS.c.due_at).where(
    TIMERS.c.subject_type == bindparam("kind"), TIMERS.c.subject_id == bindparam("id")
)
DROP_TIMERS = delete(TIMERS).where(
    TIMERS.c.subject_type == bindparam("kind"), TIMERS.c.subject_id == bindparam("id")
)
ADD_TIMERS = insert(TIMERS)


class TimerQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
    pending: Pending | None

    def replace_timers(
        self,
        subject_type: str,
        subject_id: int,
        rows: list[Timer],
        previous: frozenset[tuple[str, datetime]] | None = None,
    ) -> None:
        """Make the subject's timer rows exactly `rows` (called with every instance save).

        Most saves leave the timers as they were (a task done inside a stage keeps its
        reminder): then nothing is written. `previous` is the (task id, due time) pairs written
        last time, when the caller knows them; it saves reading them back.
        """
        connection = self.session.connection()
        key = {"kind": subject_type, "id": subject_id}
        if previous is None:
            previous = frozenset(
                (r.task_id, r.due_at) for r in connection.execute(SUBJECT_TIMERS, key)
            )
        if previous == {(r.task_id, r.due_at) for r in rows}:
            return
        if not previous and self.pending is not None:  # none stored: add with the batch's
            self.pending.add(TIMERS, [{c: getattr(r, c) for c in TIMER_COLUMNS} for r in rows])
            return
        connection.execute(DROP_TIMERS, key)
        if rows:
            connection.execute(
                ADD_TIMERS, [{c: getattr(r, c) for c in TIMER_COLUMNS} for r in rows]
            )

    def due_subjects(self, now: datetime, limit: int) -> list[tuple[str, int]]:
        """Leads and deals with a timer due at `now`, earliest first (a range scan on due_at)."""
        rows = self.session.execute(
            select(Timer.subject_type, Timer.subject_id)
            .where(Timer.due_at <= now)
            .order_by(Timer.due_at)
            .limit(limit)
        )
        return list(dict.fromkeys((row.subject_type, row.subject_id) for row in rows))

    def claim_due_timers(self, subject_type: str, subject_id: int, now: datetime) -> list[Timer]:
        """Lock the subject's due timers; rows another worker holds are skipped (PostgreSQL).

        SQLite ignores FOR UPDATE: there one worker runs (see README).
        """
        return list(
            self.session.scalars(
                select(Timer)
                .where(
                    Timer.subject_type == subject_type,
                    Timer.subject_id == subject_id,
                    Timer.due_at <= now,
                )
                .order_by(Timer.due_at)
                .with_for_update(skip_locked=True)
            )
        )

    def timers_for(self, subject_type: str, subject_id: int) -> Sequence[Timer]:
        return self.session.scalars(
            select(Timer)
            .where(Timer.subject_type == subject_type, Timer.subject_id == subject_id)
            .order_by(Timer.due_at)
        ).all()
