"""On a phone (390x844): the deal page puts its stage, checklist and actions first, the board
scrolls its columns sideways with their headers in view, the tasks list fits the screen. These
tests also take the README's phone pictures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.browser.browsing import PHONE

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin, limit=500) if d.name == name)


def top(page: Page, test_id: str) -> float:
    """The element's distance from the top of the page, in CSS pixels."""
    return float(
        page.get_by_test_id(test_id).evaluate("el => el.getBoundingClientRect().top + scrollY")
    )


def test_the_deal_page_on_a_phone_puts_stage_checklist_and_actions_first(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    page = open_as("rob", viewport=PHONE)
    page.goto(f"/deals/{deal}")
    expect(page.get_by_test_id("deal-diagram")).to_have_attribute("data-state", "ready")
    screen = PHONE["height"]
    stage, checklist, actions = (top(page, t) for t in ("stage-path", "checklist", "deal-actions"))
    rest = [top(page, t) for t in ("deal-diagram", "notes", "history")]
    assert stage < checklist < actions < min(rest), "stage, checklist, actions, then the rest"
    assert actions < 1.5 * screen, f"the actions start {actions:.0f}px down, past 1.5 screens"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the deal page scrolls sideways on a phone ({width}px)"
    screenshot(page, "deal-phone")


VISIBLE_AT_CENTRE = """el => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth
    && hit !== null && el.contains(hit);
}"""


def test_the_board_on_a_phone_scrolls_its_columns_sideways_under_their_headers(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    rob = users.actor_for_username(demo_ctx, "rob")
    for n in range(1, 10):  # a first column taller than the screen
        deals.create_deal(demo_ctx, rob, f"Branch office {n}", process="sales_process")
    page = open_as("mia", viewport=PHONE)
    page.goto("/board?process=sales_process")
    board = page.get_by_test_id("board")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth"), "the board scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
        "only the board scrolls sideways, not the page"
    )
    screenshot(page, "board-phone")
    # Sideways, a column at a time: the second column comes into view with its header.
    second = page.locator(".board-column").nth(1)
    second.evaluate(
        "col => col.parentElement.scrollTo({left: col.offsetLeft, behavior: 'instant'})"
    )
    assert second.locator(".column-head").evaluate(VISIBLE_AT_CENTRE), "its header is in view"
    # Back to the first, the tallest column.
    first = page.locator(".board-column").first
    first.evaluate("col => col.parentElement.scrollTo({left: 0})")
    title = first.locator(".column-head")
    # Down: the page brings the board to the top of the screen, the board scrolls its cards
    # and the header stays at the board's top, above them.
    board.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    scrolled = board.evaluate("el => { el.scrollTop = 400; return el.scrollTop; }")
    assert scrolled > 0, "the board scrolls down within the screen (its cards are taller)"
    assert title.evaluate(VISIBLE_AT_CENTRE), "the header stays in view over the cards"
    board_top = board.evaluate("el => el.getBoundingClientRect().top")
    title_top = title.evaluate("el => el.getBoundingClientRect().top")
    assert abs(title_top - board_top) <= 2, (title_top, board_top)


def test_the_tasks_page_on_a_phone(open_as: OpenAs, screenshot: Shot) -> None:
    page = open_as("rob", viewport=PHONE)
    page.goto("/tasks")
    expect(page.get_by_test_id("task-row").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the tasks page scrolls sideways on a phone ({width}px)"
    screenshot(page, "tasks-phone")
