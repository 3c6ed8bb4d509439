"""Queries for analytics (part of the Store: persistence/store.py).

Every figure is an aggregate grouped in the database; nothing loads instances. Reports over
the whole history (no date range) and the forecasts read the rollups (models/rollups.py: running
totals the database's triggers keep), a few hundred rows whatever the number of deals; a date
range reads the deal projection (`deals`, with its covering indexes from 0006) or the
stage-visit projection, whose rows carry the instants the range cuts at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from bpmn_sales.persistence import stage_visits  # noqa: F401 - registers the projection
from bpmn_sales.persistence.models import (
    ClosedRollup,
    Deal,
    ForecastRollup,
    FunnelRollup,
    HistoryRollup,
    Lead,
    LeadRollup,
    ProcessVersion,
    ReopenedRollup,
    StageVisit,
    StayRollup,
    Target,
    User,
    UTCDateTime,
    WonRollup,
)

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
# (stages reached, status, currency, deals, value) groups of deals, as funnel_rows reads them.
FunnelRows = list[tuple[str | None, str, str, int, Any]]


@dataclass(frozen=True)
class Slice:
    """Which deals a report covers: process versions, owners (None: all), a date range."""

    version_ids: Sequence[int]
    owner_ids: Sequence[int] | None
    start: datetime | None = None
    end: datetime | None = None  # exclusive


def _merged(rows: Any, keys: int) -> list[tuple[Any, ...]]:
    """Rows grouped by version first (the covering index's order: it streams, unsorted), then
    summed over the versions: the first `keys` columns after the version are the group, the
    rest are sums (None when every part's is None)."""
    found: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        key, sums = tuple(row[1 : 1 + keys]), row[1 + keys :]
        seen = found.get(key)
        if seen is None:
            found[key] = list(sums)
            continue
        for n, value in enumerate(sums):
            if value is not None:
                seen[n] = value if seen[n] is None else seen[n] + value
    return [(*key, *sums) for key, sums in found.items()]


def _within(query: Q, column: Any, part: Slice) -> Q:
    if part.start is not None:
        query = query.where(column >= part.start)
    if part.end is not None:
        query = query.where(column < part.end)
    return query


def _owned(query: Q, column: Any, part: Slice) -> Q:
    if part.owner_ids is not None:
        query = query.where(column.in_(part.owner_ids))
    return query


def _whole(part: Slice) -> bool:
    """Whether the slice covers all time: the rollups answer it."""
    return part.start is None and part.end is None


def _amount(total_cents: Any) -> Decimal:
    return Decimal(int(total_cents or 0)) / 100


def _utc_month(key: str) -> datetime:
    """The instant the month YYYY-MM begins in UTC."""
    return datetime.fromisoformat(f"{key}-01").replace(tzinfo=UTC)


def _month_after(key: str) -> str:
    year, month = int(key[:4]), int(key[5:])
    return f"{year + month // 12:04}-{month % 12 + 1:02}"


def _blank(key: str) -> str | None:
    """A rollup's key back to what the deal holds: '' stands for none."""
    return key or None


class AnalyticsQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _seconds_between(self, start: Any, end: Any) -> ColumnElement[Any]:
        if self._dialect() == "postgresql":
            return func.extract("epoch", end - start)
        return (func.julianday(end) - func.julianday(start)) * 86400.0

    def version_ids(self, process_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(ProcessVersion.id).where(ProcessVersion.process_id == process_id)
            )
        )

    def user_ids_in_department(self, department_id: int) -> list[int]:
        return list(
            self.session.scalars(select(User.id).where(User.department_id == department_id))
        )

    # -- funnel -----------------------------------------------------------------------------
    def funnel_rows(self, part: Slice) -> FunnelRows:
        """(stages reached, status, currency, deals, value) of deals created in the slice."""
        if _whole(part):
            return self._funnel_totals(part)
        query = select(
            Deal.process_version_id,
            Deal.stages_reached,
            Deal.status,
            Deal.currency,
            func.count(),
            func.sum(Deal.value),
        ).where(Deal.process_version_id.in_(part.version_ids))
        query = _owned(_within(query, Deal.created_at, part), Deal.owner_id, part)
        query = query.group_by(
            Deal.process_version_id, Deal.stages_reached, Deal.status, Deal.currency
        )
        # SQLite's planner prefers the one-column process index, which is not covering.
        query = query.with_hint(Deal, "INDEXED BY ix_deals_funnel", "sqlite")
        rows = _merged(self.session.execute(query), 3)
        return [(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    def _funnel_totals(self, part: Slice) -> FunnelRows:
        r = FunnelRollup
        query = select(
            r.stages_reached, r.status, r.currency, func.sum(r.deals), func.sum(r.value_cents)
        ).where(r.process_version_id.in_(part.version_ids))
        query = _owned(query, r.owner_id, part).group_by(r.stages_reached, r.status, r.currency)
        rows = self.session.execute(query.having(func.sum(r.deals) != 0))
        return [(_blank(a), b, c, int(n), _amount(v)) for a, b, c, n, v in rows]

    def lead_rows(self, part: Slice) -> dict[str, int]:
        """Leads created in the slice (any lead process) by status."""
        if _whole(part):
            totals = select(LeadRollup.status, func.sum(LeadRollup.leads))
            totals = _owned(totals, LeadRollup.owner_id, part).group_by(LeadRollup.status)
            found = self.session.execute(totals.having(func.sum(LeadRollup.leads) != 0))
            return {r[0]: int(r[1]) for r in found}
        query = select(Lead.status, func.count())
        query = _owned(_within(query, Lead.created_at, part), Lead.owner_id, part)
        return {r[0]: int(r[1]) for r in self.session.execute(query.group_by(Lead.status))}

    # -- closed deals -----------------------------------------------------------------------
    def closed_rows(self, part: Slice) -> list[tuple[str, str | None, str | None, str, int, Any]]:
        """(status, stage at close, lost reason, currency, deals, value) closed in the slice."""
        if _whole(part):
            r = ClosedRollup
            totals = select(
                r.status,
                r.stage_key,
                r.lost_reason,
                r.currency,
                func.sum(r.deals),
                func.sum(r.value_cents),
            ).where(r.process_version_id.in_(part.version_ids))
            totals = _owned(totals, r.owner_id, part)
            totals = totals.group_by(r.status, r.stage_key, r.lost_reason, r.currency)
            return [
                (status, _blank(stage), _blank(reason), code, int(n), _amount(v))
                for status, stage, reason, code, n, v in self.session.execute(
                    totals.having(func.sum(r.deals) != 0)
                )
            ]
        query = select(
            Deal.process_version_id,
            Deal.status,
            Deal.stage_key,
            Deal.lost_reason,
            Deal.currency,
            func.count(),
            func.sum(Deal.value),
        ).where(Deal.status.in_(("won", "lost", "invalid")))
        query = _within(query, Deal.closed_at, part).where(
            Deal.process_version_id.in_(part.version_ids)
        )
        query = _owned(query, Deal.owner_id, part)
        if part.start is None and part.end is None:  # else the closed_at range index is better
            # In the index's order (status, version, ...): it streams without a sort.
            query = query.group_by(
                Deal.status, Deal.process_version_id, Deal.stage_key, Deal.lost_reason
            ).group_by(Deal.currency)
            query = query.with_hint(Deal, "INDEXED BY ix_deals_closed", "sqlite")
        else:
            query = query.group_by(
                Deal.process_version_id, Deal.status, Deal.stage_key, Deal.lost_reason
            ).group_by(Deal.currency)
        rows = _merged(self.session.execute(query), 4)
        return [(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows]

    def reopened_lost(self, part: Slice) -> dict[str | None, int]:
        """Lost deals closed in the slice that were reopened since, by stage at close."""
        if _whole(part):
            r = ReopenedRollup
            totals = select(r.stage_key, func.sum(r.deals)).where(
                r.status == "lost", r.process_version_id.in_(part.version_ids)
            )
            totals = _owned(totals, r.owner_id, part).group_by(r.stage_key)
            found = self.session.execute(totals.having(func.sum(r.deals) != 0))
            return {_blank(stage): int(n) for stage, n in found}
        again = aliased(Deal)
        # From the (few) reopened deals to the lost ones, through the unique link's index.
        query = (
            select(Deal.stage_key, func.count())
            .select_from(again)
            .join(Deal, Deal.id == again.reopened_from_id)
            # "> 0", not "IS NOT NULL": a range SQLite seeks the unique index with, so the
            # join starts from the reopened deals instead of every lost one.
            .where(again.reopened_from_id > 0)
            .where(Deal.status == "lost", Deal.process_version_id.in_(part.version_ids))
        )
        query = _owned(_within(query, Deal.closed_at, part), Deal.owner_id, part)
        return {r[0]: int(r[1]) for r in self.session.execute(query.group_by(Deal.stage_key))}

    def cycle_seconds(self, part: Slice) -> tuple[int, float | None]:
        """(won deals closed in the slice, their mean seconds from creation to close)."""
        if _whole(part):
            r = ClosedRollup
            totals = select(func.sum(r.deals), func.sum(r.cycle_seconds), func.sum(r.timed)).where(
                r.status == "won", r.process_version_id.in_(part.version_ids)
            )
            deals, seconds, timed = self.session.execute(_owned(totals, r.owner_id, part)).one()
            mean = float(seconds) / int(timed) if timed else None
            return int(deals or 0), mean
        query = select(
            func.count(), func.avg(self._seconds_between(Deal.created_at, Deal.closed_at))
        ).where(Deal.status == "won", Deal.process_version_id.in_(part.version_ids))
        query = _owned(_within(query, Deal.closed_at, part), Deal.owner_id, part)
        row = self.session.execute(query).one()
        return int(row[0]), (float(row[1]) if row[1] is not None else None)

    # -- time in stage ----------------------------------------------------------------------
    def stay_hours(self, process_id: int, part: Slice) -> list[tuple[str, int, int]]:
        """(stage, whole hours, stays) of stays that ended in the slice."""
        if _whole(part):
            r = StayRollup
            totals = select(r.stage_key, r.hours, func.sum(r.stays)).where(
                r.process_id == process_id
            )
            # Everyone's stays are kept under owner 0 as well (fewer groups than by owner).
            everyone = Slice(part.version_ids, [0])
            totals = _owned(totals, r.owner_id, part if part.owner_ids is not None else everyone)
            totals = totals.group_by(r.stage_key, r.hours)
            found = self.session.execute(totals.having(func.sum(r.stays) != 0))
            return [(stage, int(hours), int(n)) for stage, hours, n in found]
        query = select(StageVisit.stage_key, StageVisit.hours, func.count()).where(
            StageVisit.process_id == process_id, StageVisit.left_at.is_not(None)
        )
        query = _owned(_within(query, StageVisit.left_at, part), StageVisit.owner_id, part)
        query = query.group_by(StageVisit.stage_key, StageVisit.hours)
        return [(r[0], int(r[1] or 0), int(r[2])) for r in self.session.execute(query)]

    def stuck_deals(
        self, part: Slice, stage_key: str, entered_before: datetime, limit: int
    ) -> tuple[int, Sequence[Deal]]:
        """Open deals in a stage since before a moment: how many, and the longest-waiting."""
        query = select(Deal).where(
            Deal.status == "open",
            Deal.stage_key == stage_key,
            Deal.stage_entered_at < entered_before,
            Deal.process_version_id.in_(part.version_ids),
        )
        query = _owned(query, Deal.owner_id, part)
        # One statement: the count is an uncorrelated subquery (read once, from the index),
        # beside the first rows in the order of the same index. (A window count would build
        # every matching row before LIMIT cuts them: 3x slower at 100k deals.)
        total = select(func.count()).select_from(query.subquery()).scalar_subquery()
        found = self.session.execute(
            query.add_columns(total).order_by(Deal.stage_entered_at).limit(limit)
        ).all()
        return (int(found[0][1]) if found else 0), [deal for deal, _ in found]

    # -- forecast ---------------------------------------------------------------------------
    def forecast_rows(self, part: Slice) -> list[tuple[date | None, str, int, Any, Any]]:
        """(expected close date or None, currency, deals, value, value x probability%) of open
        deals, from the rollup: by month (its first day stands for it; the caller sums months)."""
        r = ForecastRollup
        query = select(
            r.close_month,
            r.currency,
            func.sum(r.deals),
            func.sum(r.value_cents),
            func.sum(r.weighted),
        ).where(r.process_version_id.in_(part.version_ids))
        query = _owned(query, r.owner_id, part).group_by(r.close_month, r.currency)
        return [
            (
                date.fromisoformat(f"{month}-01") if month else None,
                code,
                int(n),
                _amount(value),
                Decimal(int(weighted or 0)) / 100,
            )
            for month, code, n, value, weighted in self.session.execute(
                query.having(func.sum(r.deals) != 0)
            )
        ]

    def won_by_month(
        self, part: Slice, starts: Sequence[tuple[str, datetime]]
    ) -> list[tuple[str, str, Any]]:
        """(close month, currency, value) of deals won in the slice, by the months `starts`
        names with the instant each begins (in the company's time zone, so not UTC's months).

        From the won rollup's UTC months: what was won by an instant t is what was won by the
        UTC month start U nearest it (the rollup), plus or minus what was won between U and t
        (the rows of at most a few hours for a month in any time zone; none in UTC)."""
        if not starts or part.start != starts[0][1]:
            return self.won_scan(part, starts)
        keys = [key for key, _ in starts]
        bounds = [(_utc_month(key), at) for key, at in starts]
        if part.end is not None:
            bounds.append((_utc_month(_month_after(keys[-1])), part.end))
        r = WonRollup
        totals = select(
            r.close_month, r.currency, func.sum(r.deals), func.sum(r.value_cents)
        ).where(r.close_month >= keys[0], r.process_version_id.in_(part.version_ids))
        if part.end is not None:
            totals = totals.where(r.close_month < _month_after(keys[-1]))
        totals = _owned(totals, r.owner_id, part).group_by(r.close_month, r.currency)
        found: dict[tuple[str, str], tuple[int, Decimal]] = {}

        def add(index: int, code: str, deals: int, amount: Decimal) -> None:
            if 0 <= index < len(keys):
                count, total = found.get((keys[index], code), (0, Decimal(0)))
                found[keys[index], code] = count + deals, total + amount

        for month, code, deals, cents in self.session.execute(totals):
            at = keys.index(month) if month in keys else len(keys) - 1
            add(at, code, int(deals), _amount(cents))
        edges = [(n, utc, at) for n, (utc, at) in enumerate(bounds) if utc != at]
        if edges:
            windows = [
                (and_(Deal.closed_at >= min(u, t), Deal.closed_at < max(u, t)), literal(n))
                for n, u, t in edges
            ]
            edge = case(*windows).label("edge")
            query = select(edge, Deal.currency, func.count(), func.sum(Deal.value)).where(
                Deal.status == "won",
                Deal.process_version_id.in_(part.version_ids),
                or_(*(w for w, _ in windows)),
            )
            query = _owned(query, Deal.owner_id, part).group_by(edge, Deal.currency)
            later = {n: utc < at for n, utc, at in edges}
            for n, code, deals, value in self.session.execute(query):
                # Won in [U, t): the month before t, not the one U begins; [t, U) the other way.
                sign = 1 if later[n] else -1
                amount = Decimal(str(value or 0)) * sign
                add(n - 1, code, int(deals) * sign, amount)
                add(n, code, -int(deals) * sign, -amount)
        return [(month, code, value) for (month, code), (n, value) in found.items() if n]

    def won_scan(
        self, part: Slice, starts: Sequence[tuple[str, datetime]]
    ) -> list[tuple[str, str, Any]]:
        """won_by_month from the won deals' rows."""
        # CASE WHEN closed_at < start of month 2 THEN month 1 WHEN ... ELSE the last month.
        whens = [
            (Deal.closed_at < start, literal(key)) for (key, _), (_, start) in pairwise(starts)
        ]
        last = literal(starts[-1][0]) if starts else literal("")
        month = (case(*whens, else_=last) if whens else last).label("month")
        query = select(month, Deal.currency, func.sum(Deal.value)).where(
            Deal.status == "won", Deal.process_version_id.in_(part.version_ids)
        )
        query = _owned(_within(query, Deal.closed_at, part), Deal.owner_id, part)
        return [
            (r[0], r[1], r[2]) for r in self.session.execute(query.group_by(month, Deal.currency))
        ]

    # -- targets ----------------------------------------------------------------------------
    def targets_for(self, periods: Sequence[str]) -> Sequence[Target]:
        query = select(Target).where(Target.period.in_(periods))
        return self.session.scalars(
            query.order_by(Target.period, Target.scope, Target.scope_id)
        ).all()

    def target(self, period: str, scope: str, scope_id: int, currency: str) -> Target | None:
        return self.session.scalars(
            select(Target).where(
                Target.period == period,
                Target.scope == scope,
                Target.scope_id == scope_id,
                Target.currency == currency,
            )
        ).first()

    def delete_target(self, target_id: int) -> None:
        self.session.execute(delete(Target).where(Target.id == target_id))

    # -- calibration ------------------------------------------------------------------------
    def calibration_reopened(self, part: Slice) -> list[tuple[str | None, str, int]]:
        """(stages reached, status, deals) of the slice's deals (created in its period) that were
        closed and reopened since: few, found from the reopened ones through the unique link."""
        if _whole(part):
            r = ReopenedRollup
            totals = select(r.stages_reached, r.status, func.sum(r.deals)).where(
                r.process_version_id.in_(part.version_ids)
            )
            totals = _owned(totals, r.owner_id, part).group_by(r.stages_reached, r.status)
            found = self.session.execute(totals.having(func.sum(r.deals) != 0))
            return [(_blank(reached), status, int(n)) for reached, status, n in found]
        again = aliased(Deal)
        query = (
            select(Deal.stages_reached, Deal.status, func.count())
            .select_from(again)
            .join(Deal, Deal.id == again.reopened_from_id)
            .where(again.reopened_from_id > 0)  # seeks the unique index (see reopened_lost)
            .where(Deal.process_version_id.in_(part.version_ids))
        )
        query = _owned(_within(query, Deal.created_at, part), Deal.owner_id, part)
        query = query.group_by(Deal.stages_reached, Deal.status)
        return [(r[0], r[1], int(r[2])) for r in self.session.execute(query)]

    def forecast_history(
        self, part: Slice, months: Sequence[tuple[str, date, datetime]], after: date | None
    ) -> list[tuple[str, str, str, int, Any]]:
        """(month, stage, currency, deals, value) of the deals open when each month began that
        were expected to close in it, by the stage they were in then (the stage visit open at
        that instant). `months` are (YYYY-MM, first day, the instant it begins); `after` the
        first day after the last month (None: none). Months that begin at UTC midnight are read
        from the rollup, which holds the deals open then; other time zones' from the rows."""
        if all(at == datetime(d.year, d.month, 1, tzinfo=UTC) for _, d, at in months):
            return self._history_totals(part, [key for key, _, _ in months])
        return self.history_scan(part, months, after)

    def _history_totals(self, part: Slice, keys: list[str]) -> list[tuple[str, str, str, int, Any]]:
        r = HistoryRollup
        totals = select(
            r.close_month, r.stage_key, r.currency, func.sum(r.deals), func.sum(r.value_cents)
        ).where(
            r.close_month.in_(keys),
            r.process_version_id.in_(part.version_ids),
        )
        totals = _owned(totals, r.owner_id, part)
        totals = totals.group_by(r.close_month, r.stage_key, r.currency)
        return [
            (month, stage, code, int(n), _amount(value))
            for month, stage, code, n, value in self.session.execute(
                totals.having(func.sum(r.deals) != 0)
            )
        ]

    def history_scan(
        self, part: Slice, months: Sequence[tuple[str, date, datetime]], after: date | None
    ) -> list[tuple[str, str, str, int, Any]]:
        """forecast_history from the deals and their stage visits (any time zone's months)."""
        visit = StageVisit
        whens = [
            (Deal.expected_close_date < next_day, literal(key))
            for (key, _, _), (_, next_day, _) in pairwise(months)
        ]
        starts = [
            (Deal.expected_close_date < next_day, literal(instant, UTCDateTime()))
            for (_, _, instant), (_, next_day, _) in pairwise(months)
        ]
        last_key, _, last_start = months[-1]
        month = (case(*whens, else_=literal(last_key)) if whens else literal(last_key)).label(
            "month"
        )
        began: ColumnElement[Any] = literal(last_start, UTCDateTime())
        if starts:
            began = case(*starts, else_=began)
        query = (
            select(month, visit.stage_key, Deal.currency, func.count(), func.sum(Deal.value))
            .select_from(Deal)
            .join(visit, visit.deal_id == Deal.id)
            .where(
                Deal.process_version_id.in_(part.version_ids),
                Deal.expected_close_date >= months[0][1],
                visit.entered_at <= began,
                or_(visit.left_at.is_(None), visit.left_at > began),
                or_(Deal.closed_at.is_(None), Deal.closed_at > began),
            )
        )
        if after is not None:
            query = query.where(Deal.expected_close_date < after)
        query = _owned(query, Deal.owner_id, part)
        query = query.group_by(month, visit.stage_key, Deal.currency)
        return [(r[0], r[1], r[2], int(r[3]), r[4]) for r in self.session.execute(query)]
