"""An admin clones a process on the page, opens its diff, exports it, and is refused deleting a
version a deal runs on."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import library, stages
from tests.browser.browsing import PHONE

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]


def test_clone_diff_export_and_a_refused_delete(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    page = open_as("admin")
    page.goto("/processes")
    form = page.get_by_test_id("clone-form")
    form.get_by_label("Template").select_option("openfire_pipeline")
    form.get_by_label("New key").fill("openfire_nord")
    form.get_by_label("New name").fill("OpenFire Nord")
    form.get_by_role("button", name="Clone").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("as 'openfire_nord'")
    expect(page.get_by_test_id("template")).to_contain_text("openfire_pipeline v1")

    # The clone is changed (a stage added from the board's use case) and a deal starts on it.
    admin, rob = (users.actor_for_username(demo_ctx, u) for u in ("admin", "rob"))
    stages.add(demo_ctx, admin, "openfire_nord", "estimation", "Site survey", win_rate="40")
    deals.create_deal(demo_ctx, rob, "Nord deal", process="openfire_nord")
    page.reload()
    page.get_by_test_id("diff-link").click()
    added = page.get_by_test_id("diff-stages-added-site_survey")
    expect(added).to_contain_text("Site survey")
    expect(added).to_contain_text("40")
    assert "rgb(232, 245, 238)" in added.evaluate("e => getComputedStyle(e).backgroundColor")
    screenshot(page, "process-diff")

    # Export: a zip with the diagram and the manifest.
    page.goto("/processes/openfire_nord")
    with page.expect_download() as download_info:
        page.get_by_test_id("export").click()
    download = download_info.value
    assert download.suggested_filename == "openfire_nord-v2.zip"
    names = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())).namelist()
    assert "manifest.json" in names and "openfire_pipeline.bpmn" in names

    # Deleting the version the deal runs on is refused with the count; the version stays.
    page.get_by_test_id("version-2-delete").click()
    expect(page.get_by_test_id("flash-error")).to_contain_text(
        "version 2 of process 'openfire_nord' is used by 1 deal(s) (1 open, 0 closed)"
    )
    expect(page.get_by_test_id("version-2")).to_be_visible()
    # The unused first version can go.
    page.get_by_test_id("version-1-delete").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Deleted v1")
    versions = library.process_detail(demo_ctx, None, "openfire_nord").versions
    assert [v.version for v in versions] == [2]
    screenshot(page, "process-detail")


def test_the_process_page_fits_a_phone(open_as: OpenAs) -> None:
    page = open_as("admin", viewport=PHONE)
    page.goto("/processes/sales_process")
    expect(page.get_by_test_id("versions")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
