"""A manager reads the win-rate calibration on the analytics page; an admin sees a stage's
observed rate in the modeler's Sales rules group."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import demo
from bpmn_sales.services.analytics import calibration
from bpmn_sales.services.people import users

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]
STAGE = "Stage_NeedsAnalysis"


def test_manager_opens_the_calibration_section_and_downloads_it(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot, tmp_path: Path
) -> None:
    demo.load_history(demo_ctx)
    page = open_as("mia")
    page.get_by_role("link", name="Analytics").click()
    page.get_by_role("heading", name="Win-rate calibration").scroll_into_view_if_needed()
    expect(page.get_by_role("heading", name="Win-rate calibration")).to_be_visible()
    table = page.get_by_test_id("table-calibration")
    first = table.locator('tr[data-stage="initial_visit"]')
    expect(first.get_by_role("rowheader")).to_have_text("Initial visit")
    expect(first.locator("td").first).to_have_text("10.0 %")
    expect(page.get_by_test_id("table-forecast-accuracy").get_by_role("row")).to_have_count(13)
    screenshot(page, "analytics-calibration")
    with page.expect_download() as info:
        page.get_by_test_id("csv-calibration").click()
    saved = tmp_path / "calibration.csv"
    info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8")[1:])))
    assert rows[0][:4] == ["stage", "name", "configured_pct", "observed_pct"]
    assert rows[1][:3] == ["initial_visit", "Initial visit", "10.0"]


def test_the_modeler_shows_the_observed_rate_of_the_selected_stage(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    demo.load_history(demo_ctx)
    admin = users.actor_for_username(demo_ctx, "admin")
    seen = calibration.stage_observations(demo_ctx, admin, "sales_process")["stages"]
    needs = seen["needs_analysis"]
    assert needs["closed"] > 0  # the demo's history closed deals that went past it
    page = open_as("admin")
    page.goto("/processes/sales_process/modeler")
    expect(page.get_by_test_id("modeler")).to_have_attribute("data-state", "ready")
    page.get_by_test_id("diagram-fit").click()  # the whole diagram, to reach the stage
    page.locator(f'.djs-element[data-element-id="{STAGE}"] > rect.djs-hit-all').click()
    group = page.locator('[data-group-id="group-sales-rules"]')
    note = group.get_by_test_id("stage-observed")
    observed = f"{needs['observed']:g}"
    expect(note).to_contain_text(f"Observed: {observed} % won, of {needs['closed']} closed")
    expect(note).to_contain_text(f"95 % interval: {needs['low']:g} to {needs['high']:g} %.")
    # A rate typed outside the interval is named at once (a suggestion needs 20 deals).
    outside = "100" if needs["high"] < 100 else "0"
    group.get_by_label("Win rate (%)").fill(outside)
    expect(note).to_contain_text(f"The win rate {outside} % is outside it")
    expect(note).to_contain_text("a suggestion needs 20 closed deals")
