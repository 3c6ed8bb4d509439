"""The `report` and `target set` verbs: the analytics figures for scripts."""

from __future__ import annotations

import csv
import io

import pytest

from tests.cli.cli_checks import Cli, CliOn, Run, assert_error, ok_json


@pytest.fixture
def ready(cli_on: CliOn) -> Cli:
    """The demo with its months of history (`demo --history`)."""
    return cli_on(("init",), ("demo", "--history"))


def test_reports_as_json_csv_and_text(ready: Run) -> None:
    funnel = ok_json(ready("report", "funnel", "--json"))
    # The demo's seven sales deals (Kasia's among them) plus its history: ten closed over past
    # months, one reopened, three open.
    assert funnel["deals"] == 21 and funnel["won"] == 5
    assert funnel["steps"][0]["reached"] == 21
    losses = ok_json(ready("report", "losses", "--json", "--team", "mia"))
    assert losses["lost"] + losses["won"] > 0
    text = ready("report", "losses", "--csv").stdout
    assert text.startswith("\ufeff")  # UTF-8 with a byte order mark, for Excel
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0][:4] == ["stage", "name", "reason", "deals"]
    assert (
        sum(int(row[3]) for row in table[1:])
        == ok_json(ready("report", "losses", "--json"))["lost"]
    )
    text = ready("report", "time-in-stage").stdout
    assert "median_days" in text and "Initial visit" in text
    forecast = ok_json(ready("report", "forecast", "--json"))
    # Six months, each per currency: Kasia's deal is in PLN, never added to the USD ones.
    assert len({m["period"] for m in forecast["months"]}) == 6
    assert {m["currency"] for m in forecast["months"]} == {"USD", "PLN"}
    goals = ok_json(
        ready("report", "targets", "--json", "--period", forecast["months"][0]["period"])
    )
    assert goals["company"] == 120000.0 and goals["departments_sum"] == 120000.0


def test_target_set_and_refusals(ready: Run) -> None:
    saved = ok_json(ready("target", "set", "2026-Q3", "user:rob", "25000", "--json", user="mia"))
    assert saved == {"period": "2026-Q3", "scope": "user:rob", "amount": 25000.0, "currency": "USD"}
    assert_error(ready("target", "set", "2026-Q3", "company", "1", user="mia"), "admins")
    assert_error(ready("target", "set", "2026-Q5", "company", "1"), "period")
    assert_error(ready("report", "funnel", user="rob"), "managers and admins")
    assert_error(ready("report", "funnel", "--owner", "nobody"), "owner 'nobody'")
    assert_error(ready("report", "targets"), "needs a period")


def test_report_csv_delimiter_can_be_chosen(ready: Run) -> None:
    text = ready("report", "funnel", "--csv", "--delimiter", ";").stdout
    assert text.startswith("\ufeffstage;name;reached;")
    tabbed = ready("report", "funnel", "--csv", "--delimiter", "tab").stdout
    assert tabbed.startswith("\ufeffstage\tname\treached\t")
