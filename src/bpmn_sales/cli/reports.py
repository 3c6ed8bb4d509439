"""Analytics reports and targets (issue 8): the page's figures for scripts and shells."""

from __future__ import annotations

from typing import Any

import click

from bpmn_sales.cli.base import State, handled, main, pass_state
from bpmn_sales.domain import exact_json
from bpmn_sales.services.analytics import calibration, tables, targets
from bpmn_sales.services.analytics.scope import Filters

__all__ = ["main"]


def _aligned(table: tables.Table) -> list[str]:
    cells = [table.headers] + [["" if c is None else str(c) for c in row] for row in table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.headers))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


@main.command(name="report")
@click.argument("name", type=click.Choice(tables.TABLES))
@click.option("--process", default=None, help="Process key (default: sales_process).")
@click.option("--start", default=None, help="First day of the period, YYYY-MM-DD.")
@click.option("--end", default=None, help="Last day of the period, YYYY-MM-DD.")
@click.option("--owner", default=None, help="Only this user's deals.")
@click.option("--team", default=None, help="Only this manager's team.")
@click.option("--department", default=None, help="Only this department's people.")
@click.option("--period", default=None, help="targets: the month YYYY-MM or quarter YYYY-Qn.")
@click.option("--currency", default=None, help="targets: the currency (default: the company's).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report's table as CSV.")
@click.option(
    "--format",
    "shape",
    type=click.Choice(["table", "csv", "json"]),
    default=None,
    help="How to print: aligned columns (default), CSV or JSON (as --csv and --json).",
)
@click.option(
    "--delimiter",
    type=click.Choice([",", ";", "tab"]),
    default=None,
    help="CSV: the delimiter (default: ';' in Polish and French, else ',').",
)
@pass_state
@handled
def report_command(
    state: State,
    /,
    name: str,
    as_json: bool,
    as_csv: bool,
    shape: str | None,
    delimiter: str | None,
    **options: Any,
) -> None:
    """Print an analytics report: funnel, losses, time-in-stage, stuck, forecast, targets,
    calibration (each stage's configured win rate against the observed one, and past weighted
    forecasts against what was won) or forecast-accuracy (that second part alone)."""
    period, currency = options.pop("period"), options.pop("currency")
    filters = Filters.of(options)
    actor = state.actor()
    as_json = as_json or shape == "json"
    as_csv = as_csv or shape == "csv"
    if name == "calibration" and not (as_json or as_csv):
        report = calibration.calibration(state.ctx, actor, filters).to_dict()
        for line in _aligned(tables.calibration_table(report)):
            click.echo(line)
        click.echo("")
        for line in _aligned(tables.accuracy_table(report)):
            click.echo(line)
        return
    if as_json:
        data = tables.report(state.ctx, actor, name, filters, period, currency)
        click.echo(exact_json.dumps(data, indent=2))
        return
    table = tables.table(state.ctx, actor, name, filters, period, currency)
    if as_csv:
        click.echo(table.csv(delimiter), nl=False)
        return
    for line in _aligned(table):
        click.echo(line)


@main.group(name="target")
def target_group() -> None:
    """Set sales targets per period (month or quarter) and scope."""


@target_group.command(name="set")
@click.argument("period")
@click.argument("scope")
@click.argument("amount")
@click.option("--currency", default=None, help="3-letter code (default: the company's currency).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_state
@handled
def target_set(
    state: State, period: str, scope: str, amount: str, currency: str | None, as_json: bool
) -> None:
    """Set the target of SCOPE (company, department:NAME, team:MANAGER, user:NAME) for PERIOD."""
    saved = targets.set_target(state.ctx, state.actor(), period, scope, amount, currency)
    if as_json:
        click.echo(exact_json.dumps(saved))
    else:
        click.echo(
            f"target {saved['period']} {saved['scope']}: {saved['amount']:,.2f} {saved['currency']}"
        )
