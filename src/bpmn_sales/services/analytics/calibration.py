"""Stage win-rate calibration: configured rates against what the closed deals say.

Definitions (the page, the CLI help and docs/authoring.md say the same):
- A deal reached a stage if it entered it (the stage-visit projection, `deals.stages_reached`);
  a stage passed over on a free move was not reached and does not count.
- Observed rate of a stage = won / (won + lost) of the deals that reached it. Deals closed as
  invalid count in neither; open deals are shown as a count, not in the rate. With a period
  (start, end), the deals created in it count (a cohort, as in the funnel), whenever closed.
- A reopened deal is a new deal. The closed deal it was reopened from did not end the sale, so
  its outcome does not count (it shows as "reopened"); the new deal counts from the stages it
  reaches itself.
- The interval is Wilson's at 95 %; a rate is suggested only with at least 20 closed deals and
  the configured rate outside the interval (domain/calibration.py).
- Forecast against actual, per month: the weighted forecast as it stood when the month began,
  rebuilt from the stage visits: the deals open at that instant whose expected close date falls
  in the month, each weighted by the configured win rate of the stage it was in then; against
  the value won with a close date in the month. Values and expected close dates are the deals'
  present ones (changes to them are not versioned). Default months: the twelve before this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import cents, months_between, next_month
from bpmn_sales.domain.calibration import (
    MIN_EVIDENCE,
    MonthAccuracy,
    StageCalibration,
    tally,
    weighted,
)
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.queries.analytics import FunnelRows, Slice
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.analytics import forecasting
from bpmn_sales.services.analytics.scope import Filters, Scope, require_analyst, resolve

HISTORY_MONTHS = 12


@dataclass
class Calibration:
    process: str
    process_name: str
    filters: dict[str, str | None]
    stages: list[StageCalibration]
    months: list[MonthAccuracy]

    def to_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "process_name": self.process_name,
            "filters": self.filters,
            "min_evidence": MIN_EVIDENCE,
            "stages": [s.to_dict() for s in self.stages],
            "months": [
                {
                    "month": m.month,
                    "currency": m.currency,
                    "deals": m.deals,
                    "forecast": cents(m.forecast),
                    "won": cents(m.won),
                    "difference": cents(m.difference),
                    "ratio": m.ratio,
                }
                for m in self.months
            ],
            "note": self.note,
        }

    @property
    def note(self) -> str:
        """How to read the report, in the reader's language."""
        return _(
            "Observed: of the deals that entered the stage and were closed won or lost, the "
            "share won (invalid ones count in neither, open ones are not counted yet, a reopened "
            "deal counts as the new deal). The interval is the 95 %% Wilson interval; a rate is "
            "suggested when at least %(num)s deals are behind it and the configured rate lies "
            "outside the interval.",
            num=MIN_EVIDENCE,
        )


def calibration(ctx: Context, actor: Actor, filters: Filters) -> Calibration:
    """The calibration report for a manager's team or an admin's company."""
    now = ctx.clock()
    with ctx.uow() as store:
        scope = resolve(ctx, store, actor, filters)
        return calibration_in(store, scope, filters, scope.today(now))


def stage_rows(
    store: Store, scope: Scope, grouped: FunnelRows | None = None
) -> list[StageCalibration]:
    """The calibration of each pre-sale stage of the scope: the deals grouped by the stages
    they reached and their status (the funnel's statement; `grouped` if already read), and the
    reopened ones (one more grouped statement)."""
    found = store.funnel_rows(scope.part) if grouped is None else grouped
    return tally(
        [(s.key, s.name, s.win_rate) for s in scope.pre_sale],
        _by_status(found),
        _sets(store.calibration_reopened(scope.part)),
    )


def _by_status(grouped: FunnelRows) -> list[tuple[frozenset[str], str, int]]:
    """The funnel's groups summed over currencies: (stages reached, status, deals)."""
    counts: dict[tuple[str | None, str], int] = {}
    for reached, status, _currency, count, _value in grouped:
        counts[reached, status] = counts.get((reached, status), 0) + count
    return _sets([(reached, status, count) for (reached, status), count in counts.items()])


def observed_rates(store: Store, process_id: int) -> dict[str, StageCalibration]:
    """What the company's closed deals say of each stage key a deal of the process has entered
    (every version's deals; for the lint and the modeler, which compare a diagram's rates)."""
    part = Slice(store.version_ids(process_id), None)
    rows = _by_status(store.funnel_rows(part))
    keys = sorted({key for reached, _status, _count in rows for key in reached})
    found = tally([(k, k, None) for k in keys], rows, _sets(store.calibration_reopened(part)))
    return {stage.key: stage for stage in found}


def stage_observations(ctx: Context, actor: Actor, key: str) -> dict[str, Any]:
    """What the closed deals say of each stage of process `key` (`stages`, by stage key) and the
    evidence a suggestion needs (`min_evidence`), for the modeler's Sales rules panel (admins,
    who edit diagrams, and managers, who see analytics)."""
    require_analyst(actor)
    with ctx.uow() as store:
        process = store.process_by_key(key)
        if process is None:
            raise NotFound(_("process '%(process)s' does not exist", process=key), process=key)
        found = observed_rates(store, process.id)
    return {
        "min_evidence": MIN_EVIDENCE,
        "stages": {stage_key: seen.to_dict() for stage_key, seen in found.items()},
    }


def _sets(rows: list[tuple[str | None, str, int]]) -> list[tuple[frozenset[str], str, int]]:
    return [(frozenset(r.split("|")) if r else frozenset(), s, n) for r, s, n in rows]


def _months(today: date, first: date | None, last: date | None) -> list[str]:
    """The months compared: the period's, or the twelve before this one."""
    if first is None and last is None:
        back = today.year * 12 + today.month - 1 - HISTORY_MONTHS
        start = date(back // 12, back % 12 + 1, 1)
        return months_between(start, today)[:-1]
    start = first or (last or today).replace(day=1)
    months = months_between(start, max(start, last or today))
    if len(months) > forecasting.MAX_MONTHS:
        raise InvalidInput(
            _(
                "a calibration covers at most %(most)s months, not %(count)s: bring start and "
                "end closer",
                most=forecasting.MAX_MONTHS,
                count=len(months),
            ),
            field="end",
        )
    return months


def month_rows(
    store: Store, scope: Scope, today: date, won: list[tuple[str, str, Any]] | None = None
) -> list[MonthAccuracy]:
    """Forecast at each month's start (one statement) against the value won in it (one more,
    or `won` if already read for these months)."""
    months = history_months(scope, today)
    firsts = [date.fromisoformat(f"{m}-01") for m in months]
    after = next_month(firsts[-1])
    starts = [(m, day, scope.midnight(day)) for m, day in zip(months, firsts, strict=True)]
    rates = {s.key: s.win_rate for s in scope.stages}
    lines: dict[tuple[str, str], MonthAccuracy] = {}

    def line(month: str, code: str) -> MonthAccuracy:
        return lines.setdefault((month, code), MonthAccuracy(month, code))

    for month, stage, code, count, value in store.forecast_history(scope.part, starts, after):
        row = line(month, code)
        row.deals += count
        row.forecast += weighted(value, rates.get(stage))
    for month, code, value in (
        forecasting.won_in_months(store, scope, months) if won is None else won
    ):
        if month in months:
            line(month, code).won += Decimal(str(value or 0))
    codes = sorted({code for _month, code in lines}) or ["USD"]
    return [line(m, c) for m in months for c in codes]


def history_months(scope: Scope, today: date) -> list[str]:
    """The months the past forecasts cover for the scope's period (YYYY-MM, consecutive)."""
    return _months(today, scope.first_day, scope.last_day)


def calibration_in(
    store: Store,
    scope: Scope,
    filters: Filters,
    today: date,
    grouped: FunnelRows | None = None,
    won: list[tuple[str, str, Any]] | None = None,
) -> Calibration:
    """The calibration report of a resolved scope (the analytics page reads it with the
    others in one unit of work, giving the funnel's grouped deals and the value won by month it
    read for them)."""
    return Calibration(
        scope.process.key,
        scope.process.name,
        filters.to_dict(),
        stage_rows(store, scope, grouped),
        month_rows(store, scope, today, won),
    )
