"""The weighted forecast: open deals x computed probability, by expected close month, vs targets.

Each month (and quarter) of the period shows the open deals expected to close in it, their
value and their value weighted by the probability the engine computed on the deal's last
change; the value already won in that month; the target of the scope the filters select
(a person, a team, a department, else the company, or a manager's own team); and the gap:
target - (won + weighted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import cents, month_key, months_between, next_month, quarter_of
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.queries.analytics import Slice
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.analytics import targets
from bpmn_sales.services.analytics.scope import Filters, Scope, resolve

HORIZON_MONTHS = 6
MAX_MONTHS = 600  # fifty years of monthly lines is already more than a page can show
ZERO = Decimal(0)


@dataclass
class Line:
    period: str
    currency: str
    deals: int = 0
    value: Decimal = ZERO
    weighted: Decimal = ZERO
    won: Decimal = ZERO
    target: Decimal | None = None

    @property
    def projected(self) -> Decimal:
        return self.won + self.weighted

    def to_dict(self) -> dict[str, Any]:
        gap = None if self.target is None else self.target - self.projected
        return {
            "period": self.period,
            "currency": self.currency,
            "deals": self.deals,
            "value": cents(self.value),
            "weighted": cents(self.weighted),
            "won": cents(self.won),
            "projected": cents(self.projected),
            "target": None if self.target is None else cents(self.target),
            "gap": None if gap is None else cents(gap),
        }


@dataclass
class Forecast:
    process: str
    filters: dict[str, str | None]
    target_scope: str
    months: list[Line]
    quarters: list[Line]
    outside: list[Line]  # open deals expected before / after the period, or with no date

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "filters": self.filters,
            "target_scope": self.target_scope,
            "months": [m.to_dict() for m in self.months],
            "quarters": [q.to_dict() for q in self.quarters],
            "outside": [o.to_dict() for o in self.outside],
        }


def _range(today: date, first: date | None, last: date | None) -> list[str]:
    start = first or (today.replace(day=1) if last is None else last.replace(day=1))
    if last is None:
        last = start
        for _month in range(HORIZON_MONTHS - 1):
            last = next_month(last) or last
    months = months_between(start, last)
    if len(months) > MAX_MONTHS:
        raise InvalidInput(
            _(
                "a forecast covers at most %(most)s months, not %(count)s: bring start and end "
                "closer",
                most=MAX_MONTHS,
                count=len(months),
            ),
            field="end",
        )
    return months


def _month_bounds(months: list[str]) -> tuple[date, date | None]:
    """The first day of the first month, and of the month after the last (None: none)."""
    first = date.fromisoformat(f"{months[0]}-01")
    return first, next_month(date.fromisoformat(f"{months[-1]}-01"))


def forecast(ctx: Context, actor: Actor, filters: Filters) -> Forecast:
    now = ctx.clock()
    with ctx.uow() as store:
        scope = resolve(ctx, store, actor, filters)
        return forecast_in(store, scope, filters, scope.today(now))


def forecast_months(scope: Scope, today: date) -> list[str]:
    """The months the forecast covers for the scope's period (YYYY-MM, consecutive)."""
    return _range(today, scope.first_day, scope.last_day)


def won_in_months(store: Store, scope: Scope, months: list[str]) -> list[tuple[str, str, Any]]:
    """(month, currency, value) won in each of `months` (consecutive YYYY-MM), in the company's
    calendar: months begin at its midnight, not UTC's."""
    after = _month_bounds(months)[1]
    starts = [(m, scope.midnight(date.fromisoformat(f"{m}-01"))) for m in months]
    end = scope.midnight(after) if after else None
    won_part = Slice(scope.part.version_ids, scope.part.owner_ids, starts[0][1], end)
    return store.won_by_month(won_part, starts)


def forecast_in(
    store: Store,
    scope: Scope,
    filters: Filters,
    today: date,
    won: list[tuple[str, str, Any]] | None = None,
) -> Forecast:
    """The forecast report of a resolved scope (shareable with others in one
    unit of work: the analytics page reads them all at once, and gives the value won by month
    it read once for the forecast and the calibration as `won`, covering these months)."""
    months = _range(today, scope.first_day, scope.last_day)
    lines: dict[tuple[str, str], Line] = {}
    outside: dict[tuple[str, str], Line] = {}

    def line(book: dict[tuple[str, str], Line], period: str, code: str) -> Line:
        return book.setdefault((period, code), Line(period, code))

    for day, code, count, value, weighted in store.forecast_rows(scope.part):
        month = month_key(day) if day else None
        if month in months:
            row = line(lines, month, code)
        else:
            where = "no date" if month is None else ("earlier" if month < months[0] else "later")
            row = line(outside, where, code)
        row.deals += count
        row.value += Decimal(str(value or 0))
        row.weighted += Decimal(str(weighted or 0)) / 100
    for month, code, value in won_in_months(store, scope, months) if won is None else won:
        if month in months:
            line(lines, month, code).won += Decimal(str(value or 0))
    quarters = sorted({quarter_of(m) for m in months})
    kind, scope_id = scope.target_scope
    goals = {
        (t.period, t.currency): t.amount
        for t in targets.targets_of(store, kind, scope_id, [*months, *quarters])
    }
    codes = sorted({c for _, c in lines} | {c for _, c in goals} | {c for _, c in outside})
    codes = codes or ["USD"]
    month_lines = [line(lines, m, c) for m in months for c in codes]
    quarter_lines = []
    for quarter in quarters:
        for code in codes:
            total = Line(quarter, code)
            for m in (x for x in month_lines if x.currency == code):
                if quarter_of(m.period) == quarter:
                    total.deals += m.deals
                    total.value += m.value
                    total.weighted += m.weighted
                    total.won += m.won
            total.target = goals.get((quarter, code))
            quarter_lines.append(total)
    for m in month_lines:
        m.target = goals.get((m.period, m.currency))
    # "none": a department a manager filters on (its target is the admins' to see).
    label = (
        kind
        if kind in ("company", "none")
        else f"{kind}:{_scope_name(store, scope, kind, scope_id)}"
    )
    return Forecast(
        scope.process.key,
        filters.to_dict(),
        label,
        month_lines,
        quarter_lines,
        sorted(outside.values(), key=lambda x: (x.period, x.currency)),
    )


def _scope_name(store: Store, scope: Scope, kind: str, scope_id: int) -> str:
    if kind == "department":
        return next((d.name for d in store.departments() if d.id == scope_id), str(scope_id))
    # A target's person or manager is one the filters found among those the actor may see.
    known = next((u.username for u in scope.people if u.id == scope_id), None)
    return known or store.usernames([scope_id]).get(scope_id, str(scope_id))
