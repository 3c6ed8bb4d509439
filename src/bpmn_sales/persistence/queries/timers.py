"""Queries for timers (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import Timer

TIMER_COLUMNS = tuple(c.key for c in Timer.__table__.columns)


class TimerQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def replace_timers(self, subject_type: str, subject_id: int, rows: list[Timer]) -> None:
        """Make the subject's timer rows exactly `rows` (called with every instance save).

        Most saves leave the timers as they were (a task done inside a stage keeps its
        reminder): then nothing is written.
        """
        current = self.session.execute(
            select(Timer.task_id, Timer.due_at).where(
                Timer.subject_type == subject_type, Timer.subject_id == subject_id
            )
        )
        if {(r.task_id, r.due_at) for r in current} == {(r.task_id, r.due_at) for r in rows}:
            return
        self.session.execute(
            delete(Timer)
            .where(Timer.subject_type == subject_type, Timer.subject_id == subject_id)
            .execution_options(synchronize_session=False)
        )
        if rows:
            self.session.execute(
                insert(Timer), [{c: getattr(r, c) for c in TIMER_COLUMNS} for r in rows]
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
