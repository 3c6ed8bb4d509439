"""The rep's day in a browser: the tasks page grouped overdue / today / upcoming / no due date,
the deal page's next activity; a French reader sees the groups in French."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals, leads
from bpmn_sales.services.people import users
from tests.fakes import FakeClock


def test_the_tasks_page_groups_tasks_by_due(
    open_as: Callable[..., Page], demo_ctx: Context, clock: FakeClock
) -> None:
    clock.advance(days=30)  # the demo's dated tasks are past due now
    rob = users.actor_for_username(demo_ctx, "rob")
    fresh = deals.create_deal(demo_ctx, rob, "Blue Yonder", "Blue Yonder", 4000)
    leads.create_lead(demo_ctx, rob, "Undated lead")

    page = open_as("rob")
    page.goto("/tasks")
    groups = page.get_by_test_id("due-group")
    expect(groups.first).to_have_attribute("data-due", "overdue")
    expect(groups.last).to_have_attribute("data-due", "none")
    upcoming = page.locator('[data-testid="due-group"][data-due="upcoming"]')
    expect(upcoming).to_contain_text("Upcoming")
    row = upcoming.get_by_test_id("task-row").filter(has_text="Blue Yonder").first
    expect(row).to_contain_text("Initial visit")
    expect(row.get_by_test_id("task-due")).not_to_contain_text("overdue")
    overdue = page.locator('[data-testid="due-group"][data-due="overdue"]')
    expect(overdue).to_contain_text("Overdue")
    expect(overdue.get_by_test_id("task-due").first).to_contain_text("overdue")
    none = page.locator('[data-testid="due-group"][data-due="none"]')
    expect(none.get_by_test_id("task-row").filter(has_text="Undated lead")).to_have_count(1)

    page.goto(f"/deals/{fresh.id}")
    expect(page.get_by_test_id("deal-next")).to_contain_text("Identify decision makers")


def test_a_french_reader_sees_the_groups_in_french(
    open_as: Callable[..., Page], demo_ctx: Context, clock: FakeClock
) -> None:
    clock.advance(days=30)
    page = open_as("olga")
    page.goto("/tasks")
    first = page.get_by_test_id("due-group").first
    expect(first).to_contain_text(re.compile("En retard|À faire aujourd'hui|À venir|Sans échéance"))
    expect(page.get_by_test_id("task-list")).not_to_contain_text("No due date")
