"""The analytics page, its CSV downloads, the target form and the analytics JSON API."""

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


def test_managers_see_their_team_and_reps_are_refused(visitor: Visitor) -> None:
    page = visitor("mia").text(visitor("mia").get("/analytics"))
    for heading in ("Funnel", "Where and why deals are lost", "Time in stage", "Weighted forecast"):
        assert heading in page
    assert 'id="chart-funnel" role="img"' in visitor("mia").get("/analytics").get_data(as_text=True)
    assert "skipped" in page
    visitor("rob").get("/analytics", status=403)
    visitor("rob").get("/analytics/funnel.csv", status=403)


def test_every_table_downloads_as_csv_with_the_page_filters(visitor: Visitor) -> None:
    mia = visitor("mia")
    response = mia.get("/analytics/funnel.csv?owner=sara")
    assert response.headers["Content-Disposition"] == 'attachment; filename="funnel.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # UTF-8 with a byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["stage", "name", "reached"]
    # Sara's deals: Contoso (from the lead), Tailspin (lost), Test entry (invalid).
    assert rows[1][:3] == ["initial_visit", "Initial visit", "3"]
    for name in ("losses", "time-in-stage", "stuck", "forecast", "targets"):
        assert mia.get(f"/analytics/{name}.csv").mimetype == "text/csv"
    mia.get("/analytics/nope.csv", status=400)


def test_a_bad_filter_is_named_beside_its_field(visitor: Visitor) -> None:
    mia = visitor("mia")
    page = html.unescape(mia.text(mia.get("/analytics?owner=olga&start=2026-02-30")))
    assert "owner 'olga' is not someone whose deals you can see" in page
    assert "start '2026-02-30' is not a calendar date" in page


def test_targets_form_sets_and_refuses_with_the_field_named(visitor: Visitor) -> None:
    mia = visitor("mia")
    saved = mia.post(
        "/analytics/targets",
        {"period": "2026-Q1", "scope": "user:rob", "amount": "50000", "currency": "USD"},
        status=302,
    )
    assert "period=2026-Q1" in saved.headers["Location"]
    page = mia.text(mia.get("/analytics?period=2026-Q1"))
    assert "Targets 2026-Q1 (USD)" in page and "$50,000.00" in page
    refused = mia.post(
        "/analytics/targets", {"period": "2026-Q1", "scope": "company", "amount": "1"}, status=403
    )
    assert "admins" in mia.text(refused)
    bad = mia.post(
        "/analytics/targets", {"period": "Q1", "scope": "user:rob", "amount": "1"}, status=400
    )
    assert "period must be a month YYYY-MM or a quarter YYYY-Qn" in mia.text(bad)


def test_api_reports_csv_and_targets(site: Flask, demo_ctx: Context) -> None:
    admin = users.actor_for_username(demo_ctx, "admin")
    tokens = {n: users.rotate_token(demo_ctx, admin, n) for n in ("admin", "mia", "rob")}
    client = site.test_client()

    def call(method: str, path: str, user: str = "mia", **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kw)

    funnel = call("GET", "/analytics/funnel").get_json()
    assert (funnel["deals"], funnel["won"]) == (7, 1)  # Mia's team, Kasia's deal among them
    losses = call("GET", "/analytics/losses?process=sales_process").get_json()
    assert (losses["won"], losses["lost"], losses["invalid"], losses["win_rate"]) == (1, 1, 1, 50.0)
    assert call("GET", "/analytics/losses.csv").mimetype == "text/csv"
    assert call("GET", "/analytics/forecast?format=csv").mimetype == "text/csv"
    assert call("GET", "/analytics/funnel", user="rob").status_code == 403
    bad = call("GET", "/analytics/funnel?team=rob")
    assert bad.status_code == 400 and bad.get_json()["field"] == "team"
    put = call(
        "PUT",
        "/targets",
        user="admin",
        json={"period": "2026-02", "scope": "department:Sales", "amount": 90000},
    )
    assert put.get_json() == {
        "period": "2026-02",
        "scope": "department:Sales",
        "amount": 90000.0,
        "currency": "USD",
    }
    shown = call("GET", "/targets?period=2026-02", user="admin").get_json()
    sales = next(d for d in shown["departments"] if d["name"] == "Sales")
    assert (sales["target"], sales["people"], sales["gap"], sales["flagged"]) == (
        90000.0,
        0.0,
        90000.0,
        True,
    )
    # A manager sees their own team's targets, not the departments' or the company's: in the
    # forecast of a department too.
    period = "department=Sales&start=2026-02-01&end=2026-02-28"
    admins = call("GET", f"/analytics/forecast?{period}", user="admin").get_json()
    assert admins["target_scope"] == "department:Sales"
    # The target is in USD: it sits beside the USD deals, not Kasia's PLN one.
    targets = {m["currency"]: m["target"] for m in admins["months"]}
    assert targets == {"USD": 90000.0, "PLN": None}
    managers = call("GET", f"/analytics/forecast?{period}").get_json()
    assert managers["target_scope"] == "none" and managers["months"][0]["target"] is None
    mine = call("GET", "/targets?period=2026-02").get_json()
    assert (mine["company"], mine["departments"], mine["checks"]) == (None, [], [])
    assert [t["name"] for t in mine["teams"]] == ["mia"]
    assert (
        call(
            "PUT", "/targets", json={"period": "2026-02", "scope": "company", "amount": 1}
        ).status_code
        == 403
    )
