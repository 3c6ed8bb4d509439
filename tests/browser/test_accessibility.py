"""Every page a rep, a manager and an admin open on the demo data passes axe-core's WCAG 2 A/AA
rules (wcag2a, wcag2aa, wcag21a, wcag21aa): a failure lists each rule id, target and page."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import demo
from tests.browser.accessibility import violations
from tests.browser.browsing import DESKTOP, PHONE

OpenAs = Callable[..., Page]


def first_link(page: Page, list_path: str, pattern: str) -> str:
    """The first link on `list_path` whose href matches `pattern` (a record the list shows)."""
    page.goto(list_path)
    links = page.locator("main a[href]")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return next(h for h in hrefs if re.fullmatch(pattern, h))


Ready = Callable[[Page, str], None]


def check(page: Page, paths: list[str], ready: Ready | None = None) -> list[str]:
    found: list[str] = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        if ready:
            ready(page, path)
        found += violations(page)
    return found


def diagram_ready(page: Page, path: str) -> None:
    if re.fullmatch(r"/deals/\d+", path):
        expect(page.get_by_test_id("deal-diagram")).to_have_attribute("data-state", "ready")
    if path.endswith("/modeler"):
        expect(page.get_by_test_id("modeler")).to_have_attribute("data-state", "ready")


def assert_none(found: list[str]) -> None:
    assert not found, f"{len(found)} WCAG 2 A/AA violation(s):\n" + "\n".join(found)


def test_sign_in_page(open_as: OpenAs) -> None:
    page = open_as(None)
    assert_none(check(page, ["/sign-in"]))


def test_every_page_a_rep_opens(open_as: OpenAs) -> None:
    page = open_as("rob")
    task = first_link(page, "/tasks", r"/tasks/[^/?#]+")
    lead = first_link(page, "/leads", r"/leads/\d+")
    deal = first_link(page, "/deals", r"/deals/\d+")
    closed = first_link(page, "/deals?status=won", r"/deals/\d+")
    paths = ["/tasks", task, "/leads", lead, "/leads/new", "/deals", deal, closed, "/deals/new"]
    paths += ["/board", "/notifications", "/account", "/leads/import", "/deals/import"]
    assert_none(check(page, paths, diagram_ready))


def test_every_page_a_manager_opens(open_as: OpenAs) -> None:
    page = open_as("mia")
    deal = first_link(page, "/deals", r"/deals/\d+")
    approval = first_link(page, "/approvals", r"/tasks/[^/?#]+")
    paths = ["/tasks", "/approvals", approval, "/analytics", "/board", "/deals", deal]
    paths += ["/notifications", "/account"]
    assert_none(check(page, paths, diagram_ready))


def test_pages_showing_errors_beside_their_fields(open_as: OpenAs) -> None:
    """A refused form: the error beside its field, the page's alert, the filled-in values."""
    page = open_as("rob")
    found: list[str] = []
    page.goto("/leads/new")
    page.get_by_label("Name").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Create lead").click()
    expect(page.locator(".field-error").first).to_be_visible()
    found += violations(page)
    deal = first_link(page, "/deals?status=open", r"/deals/\d+")
    page.goto(deal)
    lost = page.get_by_test_id("close-lost")
    lost.get_by_label("Lost reason").evaluate("el => el.removeAttribute('required')")
    lost.get_by_role("button", name="Close as lost").click()
    expect(page.locator(".field-error").first).to_be_visible()
    found += violations(page)
    # With a reason the close is asked to be confirmed, on a page of its own.
    lost = page.get_by_test_id("close-lost")
    lost.get_by_label("Lost reason").select_option(index=1)
    lost.get_by_role("button", name="Close as lost").click()
    expect(page.get_by_test_id("cancel-close")).to_be_visible()
    found += violations(page)
    assert_none(found)


def test_every_page_an_admin_opens(open_as: OpenAs) -> None:
    page = open_as("admin")
    user = first_link(page, "/admin/users", r"/admin/users/[^/?#]+")
    paths = ["/processes", "/processes/sales_process", "/processes/sales_process/diff"]
    paths += ["/processes/sales_process/modeler", "/processes/sales_process/migrate"]
    paths += ["/admin/users", user, "/admin/delivery", "/admin/settings", "/analytics", "/board"]
    assert_none(check(page, paths, diagram_ready))


def test_pages_in_other_languages_and_on_a_phone(open_as: OpenAs) -> None:
    """The French, Polish and Chinese readers' pages (lang attributes, longer words), and the
    busiest pages at phone width."""
    found: list[str] = []
    for user in ("olga", "kasia", "lilei"):
        page = open_as(user)
        deal = first_link(page, "/deals", r"/deals/\d+")
        found += check(page, ["/board", deal, "/tasks"], diagram_ready)
    page = open_as("rob", viewport=PHONE)
    deal = first_link(page, "/deals", r"/deals/\d+")
    found += check(page, ["/board", deal, "/tasks"], diagram_ready)
    assert_none(found)


SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(
  t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""
OVERFLOWING_CHART_TEXT = """() => [...document.querySelectorAll('svg.chart text')].filter(t =>
  t.getBoundingClientRect().right > t.ownerSVGElement.getBoundingClientRect().right + 1
).map(t => t.textContent)"""


def test_the_analytics_charts_text_is_readable_on_a_desktop_and_a_phone(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    demo.load_history(demo_ctx)
    for viewport in (DESKTOP, PHONE):
        page = open_as("mia", viewport=viewport)
        page.goto("/analytics")
        expect(page.locator("svg.chart").first).to_be_visible()
        assert page.locator("svg.chart").count() >= 3, "the funnel, losses and forecast charts"
        smallest = page.evaluate(SMALLEST_CHART_TEXT)
        assert smallest >= 12, f"chart text is {smallest:.1f}px at {viewport['width']}px wide"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways ({width}px)"
        overflowing = page.evaluate(OVERFLOWING_CHART_TEXT)
        assert overflowing == [], f"chart text beyond the chart's right edge: {overflowing}"
