"""The calibration section of the analytics page, its CSV downloads and the JSON API."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from typing import Any

from flask import Flask

from bpmn_sales.context import Context
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def test_the_section_shows_each_stage_and_the_past_months(visitor: Visitor) -> None:
    mia = visitor("mia")
    page = html.unescape(mia.text(mia.get("/analytics")))
    assert "Win-rate calibration" in page and "Past forecasts against what was won" in page
    raw = mia.get("/analytics").get_data(as_text=True)
    assert 'data-testid="table-calibration"' in raw
    for stage in ("initial_visit", "needs_analysis", "solution_design", "quote_and_bid"):
        assert f'data-stage="{stage}"' in raw
    assert "needs 20 closed deals" in page  # the demo has too few for a suggestion
    assert 'href="/analytics/calibration.csv"' in raw
    assert 'href="/analytics/forecast-accuracy.csv"' in raw


def test_the_tables_download_as_csv(visitor: Visitor) -> None:
    mia = visitor("mia")
    response = mia.get("/analytics/calibration.csv?process=sales_process")
    assert response.headers["Content-Disposition"] == 'attachment; filename="calibration.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    assert rows[0][:4] == ["stage", "name", "configured_pct", "observed_pct"]
    assert [r[0] for r in rows[1:]] == [
        "initial_visit",
        "needs_analysis",
        "solution_design",
        "quote_and_bid",
    ]
    months = mia.get("/analytics/forecast-accuracy.csv").get_data(as_text=True)
    assert months.startswith("\ufeffmonth,currency,deals,forecast,won,difference,")
    visitor("rob").get("/analytics/calibration.csv", status=403)


def test_the_api_answers_json_and_csv(site: Flask, demo_ctx: Context) -> None:
    admin = users.actor_for_username(demo_ctx, "admin")
    tokens = {n: users.rotate_token(demo_ctx, admin, n) for n in ("admin", "mia", "rob")}
    client = site.test_client()

    def call(path: str, user: str = "mia") -> Any:
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return client.get(f"/api/v1{path}", headers=headers)

    shown = call("/analytics/calibration").get_json()
    assert shown["process"] == "sales_process" and shown["min_evidence"] == 20
    first = shown["stages"][0]
    assert (first["key"], first["configured"]) == ("initial_visit", 10.0)
    assert first["closed"] == first["won"] + first["lost"]
    everyone = call("/analytics/calibration", user="admin").get_json()["stages"][0]
    # The admin sees every team's deals: at least as many as Mia's.
    assert everyone["closed"] + everyone["open"] >= first["closed"] + first["open"]
    csv_answer = call("/analytics/calibration?format=csv&table=months")
    assert csv_answer.mimetype == "text/csv"
    assert csv_answer.get_data(as_text=True).startswith("\ufeffmonth,")
    assert call("/analytics/calibration", user="rob").status_code == 403
    bad = call("/analytics/calibration?process=nope")
    assert bad.status_code == 400 and bad.get_json()["field"] == "process"
    bad = call("/analytics/calibration?table=everything&format=csv")
    assert bad.status_code == 400 and bad.get_json()["field"] == "table"
    document = client.get("/api/v1/openapi.json").get_json()
    answer = document["paths"]["/analytics/calibration"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/Calibration")
