"""The analytics page's reports, read together: one scope, one unit of work.

Each report is also a use case of its own (the API and the CLI ask for one at a time); the page
shows all four with the filter menus, and resolving the scope once instead of five times keeps
its statement count a small constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bpmn_sales.context import Context
from bpmn_sales.domain.analytics import months_between
from bpmn_sales.domain.model import Actor, currency
from bpmn_sales.services.analytics.calibration import Calibration, calibration_in, history_months
from bpmn_sales.services.analytics.forecasting import (
    Forecast,
    forecast_in,
    forecast_months,
    won_in_months,
)
from bpmn_sales.services.analytics.reports import (
    Funnel,
    Losses,
    TimeInStage,
    funnel_in,
    losses_in,
    time_in_stage_in,
)
from bpmn_sales.services.analytics.scope import Filters, choices, resolve
from bpmn_sales.services.analytics.targets import Decomposition, check_period, decomposition_in
from bpmn_sales.services.people.preferences import company_preferences


@dataclass(frozen=True)
class Overview:
    """The funnel, losses, time in stage, forecast and win-rate calibration of one scope, the
    targets of one period, and the filter menus."""

    funnel: Funnel
    losses: Losses
    timing: TimeInStage
    forecast: Forecast
    goals: Decomposition
    menus: dict[str, list[tuple[str, str]]]
    zone: str = "UTC"  # the company's time zone: where days, months and quarters begin
    calibration: Calibration | None = None


def overview(
    ctx: Context, actor: Actor, filters: Filters, period: object, currency_code: object = None
) -> Overview:
    """Every report of the analytics page for the actor's view of `filters`, with the targets
    of `period` in one currency."""
    company = company_preferences(ctx)
    when, code = check_period(period), currency(currency_code, company.currency)
    now = ctx.clock()
    with ctx.uow() as store:
        scope = resolve(ctx, store, actor, filters, company.time_zone)
        today = scope.today(now)
        # Read once for two reports: the deals grouped by the stages they reached (funnel and
        # calibration), the value won by month (forecast months and past months, one range).
        grouped = store.funnel_rows(scope.part)
        months = sorted({*forecast_months(scope, today), *history_months(scope, today)})
        won = won_in_months(store, scope, months_between(_day(months[0]), _day(months[-1])))
        return Overview(
            funnel_in(store, scope, filters, grouped),
            losses_in(store, scope, filters),
            time_in_stage_in(store, scope, filters, now),
            forecast_in(store, scope, filters, today, won),
            decomposition_in(store, when, code, scope.visible, scope.people),
            choices(store, scope, actor),
            scope.zone,
            calibration_in(store, scope, filters, today, grouped, won),
        )


def _day(month: str) -> date:
    return date.fromisoformat(f"{month}-01")
