"""A rep completes an activity with a note and a file; a manager decides from the inbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals, worklist
from bpmn_sales.services.people import users
from tests.browser.browsing import PHONE


def walk_to_solution_design(ctx: Context) -> int:
    """Rob's 'Wide World upgrade' stands in needs analysis: finish it, as rob would."""
    rob = users.actor_for_username(ctx, "rob")
    wide = next(d for d in deals.list_deals(ctx, rob) if d.name == "Wide World upgrade")
    assert wide.stage == "needs_analysis"
    deals.update_deal(
        ctx, rob, wide.id, {"fields": {"budget": 22000}, "expected_close_date": "2027-03-31"}
    )
    for title in ("Analyse needs", "Qualify budget"):
        task = next(t for t in deals.deal_tasks(ctx, rob, wide.id) if t.title == title)
        worklist.complete_task(ctx, rob, task.task_id)
    assert deals.get_deal(ctx, rob, wide.id).stage == "solution_design"
    return wide.id


def test_rep_completes_an_activity_with_a_note_and_a_file(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    deal_id = walk_to_solution_design(demo_ctx)
    page = open_as("rob")
    page.goto("/tasks")
    row = page.get_by_test_id("task-row").filter(has_text="Design solution")
    expect(row).to_contain_text("Wide World upgrade")
    expect(row).to_contain_text("needs a note and a file")
    expect(row.get_by_role("link", name="Wide World upgrade")).to_have_attribute(
        "href", f"/deals/{deal_id}"
    )
    screenshot(page, "tasks")

    row.get_by_role("link", name="Design solution").click()
    expect(page.get_by_test_id("task-title")).to_have_text("Design solution")
    # the note alone is not enough: the file is asked for beside its input
    page.get_by_label("Note").fill("Two sites, phased roll-out")
    page.get_by_test_id("complete").click()
    expect(page.locator("#file-error")).to_have_text("'Design solution' needs a file with the note")
    expect(page.get_by_label("Note")).to_have_value("Two sites, phased roll-out")
    page.get_by_label("File").set_input_files(
        files=[{"name": "design.txt", "mimeType": "text/plain", "buffer": b"Phase 1\nPhase 2\n"}]
    )
    screenshot(page, "task-form")
    page.get_by_test_id("complete").click()
    expect(page).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    expect(page.get_by_test_id("flash-success")).to_contain_text("'Design solution' done")
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), deal_id)
    assert view.detail is not None
    assert [a["filename"] for a in view.detail["attachments"]] == ["design.txt"]
    assert "Design solution" not in [t.title for t in view.tasks]


def test_manager_decides_an_approval_from_the_inbox(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    page = open_as("mia")
    page.get_by_role("link", name="Approvals").click()
    expect(page).to_have_url(re.compile(r"/approvals$"))
    approval = page.get_by_test_id("approval").filter(has_text="Contoso")
    expect(approval.get_by_test_id("approval-asked-by")).to_have_text("sara")
    expect(approval.get_by_test_id("approval-stage")).to_have_text("Solution design")
    screenshot(page, "approvals")

    approval.get_by_test_id("reject").click()
    error = page.get_by_test_id("comment-error")
    expect(error).to_have_text("Comment is required")
    expect(page.get_by_label("Comment")).to_have_attribute("aria-invalid", "true")

    page.get_by_test_id("approval").filter(has_text="Contoso").get_by_test_id("approve").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Approved")
    expect(page.get_by_test_id("no-approvals")).to_be_visible()
    mia = users.actor_for_username(demo_ctx, "mia")
    contoso = next(d for d in deals.list_deals(demo_ctx, mia) if d.customer == "Contoso")
    assert contoso.stage == "quote_and_bid"


def test_tasks_on_a_phone_and_a_rep_kept_out_of_approvals(open_as: Callable[..., Page]) -> None:
    page = open_as("sara", viewport=PHONE)
    page.goto("/tasks")
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    expect(page.get_by_test_id("tab-groups")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    response = page.goto("/approvals")
    assert response is not None and response.status == 403
