"""What an open deal needs next: its next due activity, and whether it has gone quiet.

Pipedrive, HubSpot and Odoo organise a rep's day around each deal's next activity and flag
the deals that need attention ("rotting"). Here an open deal is flagged when nothing is
scheduled on it (no ready task or open follow-up with a due date) or when nothing has changed
on it for longer than its stage's reminder period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

NOTHING_SCHEDULED = "nothing_scheduled"
QUIET = "quiet"


@dataclass(frozen=True)
class Due:
    """An open item of a deal: a ready task (due_at) or a follow-up (due_on)."""

    deal_id: int
    title: str
    kind: str  # task or follow_up
    due_at: datetime | None = None
    due_on: date | None = None

    @property
    def moment(self) -> datetime | None:
        """When it is due, as a UTC time (a follow-up at the start of its day)."""
        if self.due_at is not None:
            return self.due_at
        if self.due_on is not None:
            return datetime.combine(self.due_on, time(), tzinfo=UTC)
        return None


@dataclass(frozen=True)
class NextActivity:
    title: str
    kind: str
    due_at: datetime | None
    due_on: date | None
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class Attention:
    """An open deal's next activity and its flag (None, nothing_scheduled or quiet)."""

    next_activity: NextActivity | None = None
    flag: str | None = None
    quiet_since: datetime | None = None


def next_activity(items: Iterable[Due], now: datetime, today: date) -> NextActivity | None:
    """The earliest due of the items (None when none has a due date)."""
    dated = [i for i in items if i.moment is not None]
    if not dated:
        return None
    first = min(dated, key=lambda i: (i.moment, i.title))
    overdue = first.due_at < now if first.due_at is not None else (first.due_on or today) < today
    return NextActivity(first.title, first.kind, first.due_at, first.due_on, overdue)


def attention(
    items: Iterable[Due],
    touched_at: datetime,
    reminder: timedelta | None,
    now: datetime,
    today: date,
) -> Attention:
    """An open deal's next activity and flag: nothing scheduled comes first; quiet when it was
    last changed (`touched_at`) longer ago than its stage's `reminder` period."""
    upcoming = next_activity(items, now, today)
    if upcoming is None:
        return Attention(None, NOTHING_SCHEDULED)
    if reminder is not None and now - touched_at > reminder:
        return Attention(upcoming, QUIET, touched_at)
    return Attention(upcoming)
