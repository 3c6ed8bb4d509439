"""`bpmn-sales report calibration`: the stages' win rates against the deals, and past forecasts."""

from __future__ import annotations

import csv
import io

import pytest

from tests.cli.cli_checks import Cli, CliOn, Run, assert_error, ok_json


@pytest.fixture
def ready(cli_on: CliOn) -> Cli:
    """The demo with its months of history (`demo --history`)."""
    return cli_on(("init",), ("demo", "--history"))


def test_calibration_as_table_csv_and_json(ready: Run) -> None:
    shown = ok_json(ready("report", "calibration", "--format", "json"))
    stages = {s["key"]: s for s in shown["stages"]}
    assert list(stages) == ["initial_visit", "needs_analysis", "solution_design", "quote_and_bid"]
    first = stages["initial_visit"]
    assert first["configured"] == 10.0
    # Every deal enters the first stage: its closed deals are all the won and lost ones.
    assert first["closed"] == first["won"] + first["lost"] > 0
    assert first["observed"] == round(100 * first["won"] / first["closed"], 1)
    assert first["low"] <= first["observed"] <= first["high"]
    # Fewer than 20 closed deals in the demo: no suggestion anywhere.
    assert all(s["suggested"] is None for s in shown["stages"])
    assert len(shown["months"]) >= 12 and shown["min_evidence"] == 20

    text = ready("report", "calibration", "--format", "csv", "--process", "sales_process").stdout
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["stage", "name", "configured_pct", "observed_pct"]
    assert rows[1][:4] == ["initial_visit", "Initial visit", "10.0", str(first["observed"])]

    table = ready("report", "calibration").stdout.splitlines()
    assert table[0].split()[:4] == ["stage", "name", "configured_pct", "observed_pct"]
    assert table[1].startswith("initial_visit") and str(first["observed"]) in table[1]
    months = table[table.index("") + 1 :]
    assert months[0].split() == [
        "month",
        "currency",
        "deals",
        "forecast",
        "won",
        "difference",
        "won_pct_of_forecast",
    ]
    accuracy = ready("report", "forecast-accuracy", "--csv").stdout
    assert accuracy.startswith("\ufeffmonth,currency,deals,forecast,won,")


def test_calibration_refusals(ready: Run) -> None:
    assert_error(ready("report", "calibration", user="rob"), "managers and admins")
    assert_error(ready("report", "calibration", "--process", "nope"), "process 'nope'")
    assert_error(ready("report", "calibration", "--start", "2026-13-01"), "start")
    result = ready("report", "calibration", "--format", "xml")
    assert result.exit_code == 2 and "xml" in result.stderr
