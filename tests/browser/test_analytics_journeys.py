"""A manager opens the analytics page, filters it, and downloads a table as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import demo
from tests.browser.browsing import PHONE

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]


def test_manager_reads_the_analytics_and_downloads_the_funnel_csv(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot, tmp_path: Path
) -> None:
    demo.load_history(demo_ctx)
    page = open_as("mia")
    page.get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", name="Funnel")).to_be_visible()
    expect(page.get_by_role("img", name="Deals reaching each stage")).to_be_visible()
    funnel = page.get_by_test_id("table-funnel")
    expect(funnel.get_by_role("row").nth(1)).to_contain_text("Initial visit")
    expect(page.get_by_test_id("table-losses")).to_contain_text("Too expensive")
    screenshot(page, "analytics")

    page.get_by_label("Owner").select_option("sara")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"owner=sara"))
    with page.expect_download() as info:
        page.get_by_test_id("csv-funnel").click()
    download = info.value
    assert download.suggested_filename == "funnel.csv"
    saved = tmp_path / "funnel.csv"
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # UTF-8 with a byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["stage", "name", "reached"]
    assert rows[-1][0] == "won" and int(rows[1][2]) >= 1


def test_analytics_page_on_a_phone(open_as: OpenAs, screenshot: Shot) -> None:
    page = open_as("admin", PHONE)
    page.goto("/analytics")
    expect(page.get_by_role("heading", name="Weighted forecast")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    screenshot(page, "analytics-phone")
