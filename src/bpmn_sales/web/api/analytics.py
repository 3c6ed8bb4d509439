"""Analytics over HTTP: the reports as JSON or CSV, and sales targets."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.analytics import calibration, tables, targets
from bpmn_sales.services.analytics.scope import FILTERS, Filters
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import Answer, get, put
from bpmn_sales.web.downloads import csv_download
from bpmn_sales.web.schemas.analytics import (
    REPORTS,
    Calibration,
    CalibrationQuery,
    Report,
    ReportQuery,
    TargetDecomposition,
    TargetSet,
    TargetSetting,
    TargetsQuery,
)

REPORT = {
    "report": {
        "enum": [*REPORTS, *(f"{name}.csv" for name in REPORTS)],
        "description": "The report; a .csv suffix asks for its table as CSV",
    }
}
REPORT_ANSWER = Answer(
    Report,
    content={"text/csv": {"schema": {"type": "string"}}},
    description="The report as JSON (shaped by its name), or its table as a CSV attachment",
)


@get(
    "/analytics/calibration",
    query=CalibrationQuery,
    responses={
        200: Answer(
            Calibration,
            content={"text/csv": {"schema": {"type": "string"}}},
            description="The calibration as JSON, or one of its tables as a CSV attachment",
        )
    },
    errors=(403,),
)
def analytics_calibration(query: CalibrationQuery) -> Any:
    """Stage win-rate calibration for managers (their team) and admins (everyone).

    Per stage of the process: the configured win rate, the observed one (won / (won + lost) of
    the deals that entered the stage), its 95 % Wilson interval, the deals behind it and a
    suggested rate where the evidence is enough; per month, the weighted forecast as it stood
    when the month began against the value won in it. `?format=csv` returns the stages' table
    (`table=months`: the months'). Reps get 403.
    """
    filters = Filters.of(query.model_dump(include=set(FILTERS)))
    report = calibration.calibration(ctx(), actor(), filters).to_dict()
    if query.format == "csv":
        build = tables.accuracy_table if query.table == "months" else tables.calibration_table
        table = build(report)
        return csv_download(table.csv(query.delimiter), f"{table.name}.csv")
    return report


@get(
    "/analytics/<report>",
    path=REPORT,
    query=ReportQuery,
    responses={200: REPORT_ANSWER},
    errors=(403,),
)
def analytics_report(report: str, query: ReportQuery) -> Any:
    """An analytics report for managers (their team) and admins (everyone).

    Funnel, losses, time-in-stage, stuck, forecast or targets; `?format=csv` (or a `.csv`
    suffix) returns its table as a CSV attachment. Reps get 403.
    """
    name = report.removesuffix(".csv")
    filters = Filters.of(query.model_dump(include=set(FILTERS)))
    if report.endswith(".csv") or query.format == "csv":
        table = tables.table(ctx(), actor(), name, filters, query.period, query.currency)
        return csv_download(table.csv(query.delimiter), f"{table.name}.csv")
    return tables.report(ctx(), actor(), name, filters, query.period, query.currency)


@get("/targets", query=TargetsQuery, responses={200: TargetDecomposition}, errors=(403,))
def list_targets(query: TargetsQuery) -> Any:
    """The targets of a period in one currency, with the decomposition.

    Company = sum of departments = sum of people, and every gap flagged.
    """
    return targets.decomposition(ctx(), actor(), query.period, query.currency).to_dict()


@put("/targets", body=TargetSetting, responses={200: TargetSet}, errors=(403,))
def set_target(body: TargetSetting) -> Any:
    """Set a target: admins for any scope; managers for their team and its people."""
    return targets.set_target(ctx(), actor(), body.period, body.scope, body.amount, body.currency)
