"""Every analytics figure as a table (headers + rows): for CSV export, the CLI and the page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain import csv_files
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, formats
from bpmn_sales.services.analytics import calibration, forecasting, reports, targets
from bpmn_sales.services.analytics.columns import column_label
from bpmn_sales.services.analytics.scope import Filters

ZERO = Decimal("0.00")
TABLES = (
    "funnel",
    "losses",
    "time-in-stage",
    "stuck",
    "forecast",
    "targets",
    "calibration",
    "forecast-accuracy",
)


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[list[Any]]

    def csv(self, delimiter: str | None = None) -> str:
        """The table as a CSV file for the reader: headers in their language, UTF-8 text with a
        byte order mark, their spreadsheet's delimiter (`;` in Polish and French, else `,`;
        `delimiter` overrides: `,`, `;` or `tab`), their decimal sign where the delimiter is `;`."""
        sep = csv_files.delimiter_of(delimiter, formats.csv_delimiter())
        headers = [column_label(header) for header in self.headers]
        return csv_files.csv_text(headers, self.rows, sep, formats.decimal_sign())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "headers": self.headers, "rows": self.rows}


def _currencies(values: list[dict[str, Decimal]]) -> list[str]:
    return sorted({code for value in values for code in value})


def funnel_table(report: dict[str, Any]) -> Table:
    codes = _currencies([s["value"] for s in report["steps"]] + [report["won_value"]])
    headers = ["stage", "name", "reached", "went_on", "skipped", "to_next_pct", "overall_pct"]
    rows = [
        [s["key"], s["name"], s["reached"], s["went_on"], s["skipped"], s["to_next"], s["overall"]]
        + [s["value"].get(c, ZERO) for c in codes]
        for s in report["steps"]
    ]
    rows.append(
        ["won", "Won", report["won"], None, None, None, report["won_rate"]]
        + [report["won_value"].get(c, ZERO) for c in codes]
    )
    return Table("funnel", headers + [f"value_{c}" for c in codes], rows)


def losses_table(report: dict[str, Any]) -> Table:
    values = [r["value"] for s in report["stages"] for r in s["reasons"]]
    codes = _currencies(values)
    rows = [
        [s["key"], s["name"], r["reason"], r["deals"], s["lost"], s["reopened"]]
        + [r["value"].get(c, ZERO) for c in codes]
        for s in report["stages"]
        for r in s["reasons"]
    ]
    headers = ["stage", "name", "reason", "deals", "lost_at_stage", "reopened_at_stage"]
    return Table("losses", headers + [f"value_{c}" for c in codes], rows)


def time_table(report: dict[str, Any]) -> Table:
    headers = ["stage", "name", "stays", "median_days", "p90_days", "reminder_after", "stuck"]
    rows = [
        [
            s[k]
            for k in ("key", "name", "stays", "median_days", "p90_days", "reminder_after", "stuck")
        ]
        for s in report["stages"]
    ]
    return Table("time-in-stage", headers, rows)


def stuck_table(report: dict[str, Any]) -> Table:
    rows = [
        [s["key"], d["id"], d["name"], d["owner"], d["days_in_stage"], s["reminder_after"]]
        for s in report["stages"]
        for d in s["stuck_deals"]
    ]
    return Table("stuck", ["stage", "deal", "name", "owner", "days_in_stage", "reminder"], rows)


def forecast_table(report: dict[str, Any]) -> Table:
    keys = ["period", "currency", "deals", "value", "weighted", "won", "projected", "target", "gap"]
    rows = [
        [kind] + [line[k] for k in keys]
        for kind in ("months", "quarters", "outside")
        for line in report[kind]
    ]
    return Table("forecast", ["kind", *keys], rows)


def targets_table(report: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [["company", "company", report["company"], None, None, None]]
    for check in report["checks"]:
        rows.append(
            [
                "check",
                check["check"],
                report["company"],
                check["sum"],
                check["gap"],
                check["flagged"],
            ]
        )
    for kind in ("departments", "teams"):
        for part in report[kind]:
            rows.append(
                [
                    kind[:-1],
                    part["name"],
                    part["target"],
                    part["people"],
                    part["gap"],
                    part["flagged"],
                ]
            )
            rows += [
                ["user", m["username"], m["target"], None, None, None]
                for m in part["members"]
                if kind == "departments"
            ]
    headers = ["scope", "name", "target", "sum_of_parts", "gap", "flagged"]
    return Table("targets", headers, rows)


CALIBRATION_KEYS = (
    ("key", "stage"),
    ("name", "name"),
    ("configured", "configured_pct"),
    ("observed", "observed_pct"),
    ("low", "low_pct"),
    ("high", "high_pct"),
    ("closed", "closed"),
    ("won", "won"),
    ("lost", "lost"),
    ("invalid", "invalid"),
    ("open", "open"),
    ("reopened", "reopened"),
    ("suggested", "suggested_pct"),
)
ACCURACY_KEYS = (
    ("month", "month"),
    ("currency", "currency"),
    ("deals", "deals"),
    ("forecast", "forecast"),
    ("won", "won"),
    ("difference", "difference"),
    ("ratio", "won_pct_of_forecast"),
)


def calibration_table(report: dict[str, Any]) -> Table:
    """Per stage: configured and observed win rates, the interval, the deals, a suggestion."""
    rows = [[s[key] for key, _ in CALIBRATION_KEYS] for s in report["stages"]]
    return Table("calibration", [header for _, header in CALIBRATION_KEYS], rows)


def accuracy_table(report: dict[str, Any]) -> Table:
    """Per month: the weighted forecast at the month's start against the value won in it."""
    rows = [[m[key] for key, _ in ACCURACY_KEYS] for m in report["months"]]
    return Table("forecast-accuracy", [header for _, header in ACCURACY_KEYS], rows)


def report(
    ctx: Context,
    actor: Actor,
    name: str,
    filters: Filters,
    period: str | None = None,
    currency: str | None = None,
) -> dict[str, Any]:
    """One report as a JSON-ready dict (the `targets` report needs a period)."""
    if name == "funnel":
        return reports.funnel(ctx, actor, filters).to_dict()
    if name == "losses":
        return reports.losses(ctx, actor, filters).to_dict()
    if name in ("time-in-stage", "stuck"):
        return reports.time_in_stage(ctx, actor, filters).to_dict()
    if name in ("calibration", "forecast-accuracy"):
        return calibration.calibration(ctx, actor, filters).to_dict()
    if name == "forecast":
        return forecasting.forecast(ctx, actor, filters).to_dict()
    if name == "targets":
        if not period:
            raise InvalidInput(
                _("the targets report needs a period (YYYY-MM or YYYY-Qn)"), field="period"
            )
        return targets.decomposition(ctx, actor, period, currency).to_dict()
    raise InvalidInput(
        _("report '%(report)s' does not exist (%(known)s)", report=name, known=", ".join(TABLES)),
        field="report",
    )


BUILDERS = {
    "funnel": funnel_table,
    "losses": losses_table,
    "time-in-stage": time_table,
    "stuck": stuck_table,
    "forecast": forecast_table,
    "targets": targets_table,
    "calibration": calibration_table,
    "forecast-accuracy": accuracy_table,
}


def table(
    ctx: Context,
    actor: Actor,
    name: str,
    filters: Filters,
    period: str | None = None,
    currency: str | None = None,
) -> Table:
    data = report(ctx, actor, name, filters, period, currency)
    return BUILDERS[name](data)
