"""A rep completes the activity before an approval with the stage's fields missing and is told
what is missing; the manager never sees an approval that cannot be approved. A form with
several bad fields shows every message at once, focused on the first."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals, worklist
from bpmn_sales.services.deals import records
from bpmn_sales.services.people import users
from tests.browser.test_tasks_journeys import walk_to_solution_design


def designed_without_fields(ctx: Context) -> int:
    """Rob's 'Wide World upgrade' in Solution design, its design done and its stage fields
    (design summary, customer feedback) empty: only "Present solution" is left."""
    rob = users.actor_for_username(ctx, "rob")
    deal_id = walk_to_solution_design(ctx)
    design = records.upload_attachment(ctx, rob, deal_id, "design.txt", b"Phase 1\n")
    task = next(t for t in deals.deal_tasks(ctx, rob, deal_id) if t.title == "Design solution")
    worklist.complete_task(ctx, rob, task.task_id, note="Design", attachment_ids=[design["id"]])
    assert not deals.get_deal(ctx, rob, deal_id).stage_fields.get("solution_design")
    return deal_id


def test_the_rep_is_told_what_the_approval_waits_for_and_the_manager_sees_it_only_when_ready(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    deal_id = designed_without_fields(demo_ctx)
    rep = open_as("rob")
    rep.goto(f"/deals/{deal_id}")
    rep.get_by_test_id("open-task-Activity_PresentSolution").click()
    rep.get_by_test_id("complete").click()
    expect(rep).to_have_url(re.compile(rf"/deals/{deal_id}$"))
    expect(rep.get_by_test_id("flash-success")).to_contain_text("'Present solution' done")
    warning = rep.get_by_test_id("flash-warning")
    expect(warning).to_contain_text("The approval of stage 'Solution design' waits for:")
    expect(warning).to_contain_text("Design summary is empty")
    expect(warning).to_contain_text("Customer feedback is empty")
    expect(rep.get_by_test_id("waiting-Activity_ApproveSolution")).to_be_visible()
    screenshot(rep, "approval-waiting")

    manager = open_as("mia")
    manager.goto("/approvals")
    expect(manager.get_by_role("heading", level=1)).to_be_visible()
    expect(manager.get_by_test_id("approval").filter(has_text="Wide World upgrade")).to_have_count(
        0
    )
    manager.goto("/tasks?tab=all")
    rows = manager.get_by_test_id("task-row").filter(has_text="Approve solution")
    expect(rows.first).to_be_visible()  # another deal's approval, ready to decide
    expect(rows.filter(has_text="Wide World upgrade")).to_have_count(0)
    manager.goto(f"/deals/{deal_id}")
    expect(manager.get_by_test_id("open-task-Activity_ApproveSolution")).to_have_count(0)

    # The rep fills the fields in on the deal page: the approval reaches the manager.
    rep.get_by_test_id("edit-deal").locator("summary").click()
    rep.locator('input[name="stage_fields.solution_design.design_summary"]').fill("Two sites")
    rep.locator('input[name="stage_fields.solution_design.customer_feedback"]').fill("Keen")
    rep.get_by_role("button", name="Save fields").click()
    expect(rep.get_by_test_id("flash-success")).to_contain_text("Deal saved")
    expect(rep.get_by_test_id("open-task-Activity_ApproveSolution")).to_be_visible()

    manager.goto("/tasks?tab=all")
    expect(rows.filter(has_text="Wide World upgrade")).to_have_count(1)
    manager.goto("/approvals")
    approval = manager.get_by_test_id("approval").filter(has_text="Wide World upgrade")
    expect(approval).to_have_count(1)
    approval.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("flash-success")).to_contain_text("Approved")
    rob = users.actor_for_username(demo_ctx, "rob")
    assert deals.get_deal(demo_ctx, rob, deal_id).stage == "quote_and_bid"


def test_a_form_shows_every_error_at_once_focused_on_the_first(
    open_as: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    page = open_as("rob")
    page.goto("/deals/new")
    form = page.get_by_test_id("new-deal-form")
    form.locator("#f-customer").fill("Northwind")
    form.locator("#f-value").fill("lots")
    form.locator("#f-expected_close_date").evaluate("el => { el.type = 'text'; }")
    form.locator("#f-expected_close_date").fill("next week")
    page.get_by_role("button", name="Create deal").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("3 fields need a change")
    expect(page.locator("#name-error")).to_contain_text("name is required")
    expect(page.locator("#value-error")).to_contain_text("lots is not an amount")
    expect(page.locator("#expected_close_date-error")).to_contain_text("expected_close_date")
    expect(page.locator("#f-name")).to_be_focused()
    expect(page.locator("#f-name")).to_have_attribute("aria-describedby", "name-error")
    expect(page.locator("#f-customer")).to_have_value("Northwind")
    expect(page.locator("#f-value")).to_have_value("lots")
    screenshot(page, "form-errors")


def test_a_refused_win_is_focused_and_lists_each_rule_once(
    open_as: Callable[..., Page], demo_ctx: Context
) -> None:
    rob = users.actor_for_username(demo_ctx, "rob")
    early = next(d for d in deals.list_deals(demo_ctx, rob) if d.name == "Adventure Works rollout")
    page = open_as("rob")
    page.goto(f"/deals/{early.id}")
    won = page.get_by_test_id("close-won")
    expect(won.get_by_test_id("won-blockers")).to_contain_text("obligatory activity")
    expect(won.get_by_role("button", name="Close as won")).not_to_have_class("primary")
    won.get_by_role("button", name="Close as won").click()
    refusal = page.locator(".flashes .flash-error")
    expect(refusal).to_contain_text("cannot be won")
    expect(refusal).to_be_focused()
    items = refusal.locator("li").all_inner_texts()
    assert len(items) >= 2 and len(set(items)) == len(items)
    for item in items:
        expect(refusal).to_contain_text(item)
        assert refusal.inner_text().count(item) == 1, item
    assert deals.get_deal(demo_ctx, rob, early.id).status == "open"
