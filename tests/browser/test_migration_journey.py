"""An admin previews moving running deals to a new version, sees a refusal, applies it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests import migration_edits as edits


def test_admin_migrates_running_deals(
    open_as: Callable[..., Page], demo_ctx: Context, screenshot: Callable[..., Path]
) -> None:
    edits.deploy(demo_ctx, edits.remove_stage(edits.sales_xml(), "needs_analysis"))
    admin = users.actor_for_username(demo_ctx, "admin")
    # Wide World upgrade and Kasia's deal are in needs analysis, which version 2 drops.
    refused = next(d for d in deals.list_deals(demo_ctx, admin) if d.stage == "needs_analysis")

    page = open_as("admin")
    page.goto("/processes/sales_process/migrate?from=1&to=2")
    expect(page.get_by_role("heading", name="Migrate running deals: Sales process")).to_be_visible()
    expect(page.get_by_test_id("preview-counts")).to_have_text("2 deals can move, 2 cannot.")
    expect(page.get_by_test_id(f"reasons-{refused.id}")).to_have_text(
        "its stage 'Needs analysis' is not in version 2"
    )
    screenshot(page, "migration-preview")
    page.get_by_label("Deals per batch").fill("1")
    page.get_by_test_id("apply").click()
    progress = page.locator("#migration-progress")
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_test_id("progress-counts")).to_have_text(
        "Done: 2 moved, 2 refused, 0 left (100%)"
    )
    expect(page.locator("#migration-refused")).to_contain_text(refused.name)
    screenshot(page, "migration-applied")
    page.reload()
    expect(page.get_by_test_id("preview-counts")).to_have_text("0 deals can move, 2 cannot.")
    expect(page.get_by_test_id("run-1")).to_contain_text("v1 → v2")
