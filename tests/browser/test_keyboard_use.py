"""Keyboard only: moving a card on the board and editing a sales rule in the modeler's panel."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.browser.test_modeler_journey import draft_xml, weight_of

OpenAs = Callable[..., Page]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin, limit=500) if d.name == name)


def tab_to(page: Page, target: Locator, most: int = 60) -> int:
    """Press Tab until `target` has the focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"Tab never reached {target} in {most} presses")


def assert_every_field_labelled(group: Locator) -> None:
    """Each field of the group has a name a screen reader reads (a label or an aria-label)."""
    expect(group.locator("input, select, textarea").first).to_be_attached()
    unnamed = group.evaluate(
        """g => Array.from(g.querySelectorAll('input, select, textarea'))
            .filter(el => el.type !== 'hidden')
            .filter(el => !(el.labels && el.labels.length && el.labels[0].textContent.trim())
                          && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert unnamed == [], unnamed


def test_a_card_moves_on_the_board_by_keyboard_only(open_as: OpenAs, demo_ctx: Context) -> None:
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    page = open_as("rob")
    page.goto("/board?process=openfire_pipeline")
    card = page.get_by_test_id(f"card-{kitchen}")
    expect(
        page.get_by_test_id("column-visite_technique").get_by_test_id(f"card-{kitchen}")
    ).to_be_visible()
    select = page.get_by_test_id(f"move-select-{kitchen}")
    tab_to(page, select)

    # Forward past an obligatory activity not done: refused in place, the rule named.
    page.keyboard.type("Devis")
    expect(select).to_have_value("devis")
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("board-alert")).to_contain_text("Réaliser la visite")
    expect(
        page.get_by_test_id("column-visite_technique").get_by_test_id(f"card-{kitchen}")
    ).to_be_visible()

    # Back one stage: the card moves in place, without reloading, and keeps the focus.
    page.evaluate("window.stillHere = true")
    expect(card.get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(select).to_be_focused()
    page.keyboard.type("Estimation")
    expect(select).to_have_value("estimation")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    moved = page.get_by_test_id("column-estimation").get_by_test_id(f"card-{kitchen}")
    expect(moved).to_be_visible()
    expect(page.get_by_test_id(f"move-select-{kitchen}")).to_be_focused()
    expect(page.get_by_test_id("board-alert")).to_be_empty()
    expect(page.locator("#board-status")).to_contain_text("Estimation")
    expect(page.get_by_test_id("column-count-estimation")).to_have_text("1")
    expect(page.get_by_test_id("column-count-visite_technique")).to_have_text("0")
    assert page.evaluate("window.stillHere === true"), "the page reloaded"
    # The stage it is now at is no longer offered.
    expect(select.locator('option[value="estimation"]')).to_be_disabled()
    rob = users.actor_for_username(demo_ctx, "rob")
    assert deals.get_deal(demo_ctx, rob, kitchen).stage == "estimation"


def test_a_sales_rule_is_edited_in_the_modeler_by_keyboard_only(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    page = open_as("admin")
    page.goto("/processes/sales_process/modeler")
    expect(page.get_by_test_id("modeler")).to_have_attribute("data-state", "ready")
    picker = page.get_by_label("Element to edit", exact=True)
    tab_to(page, picker)
    page.keyboard.type("Analyse needs")
    expect(picker).to_have_value("Activity_AnalyseNeeds")
    header = page.locator("#modeler-panel .bio-properties-panel-header-label")
    expect(header).to_have_text("Analyse needs")
    activity = page.locator('g.djs-element[data-element-id="Activity_AnalyseNeeds"]').first
    expect(activity).to_have_class("djs-element djs-shape selected")

    # From the list, Tab reaches the Sales rules group's fields, each with its label.
    group = page.locator('[data-group-id="group-sales-rules"]')
    assert_every_field_labelled(group)
    weight = group.get_by_label("Weight")
    tab_to(page, weight)
    expect(weight).to_have_value("2")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    expect(page.get_by_test_id("modeler-status")).to_have_text("Unsaved changes.")

    # Back to the toolbar by keyboard and save.
    save = page.get_by_test_id("modeler-save")
    for _ in range(80):
        page.keyboard.press("Shift+Tab")
        if save.evaluate("el => el === document.activeElement"):
            break
    expect(save).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("modeler-status")).to_contain_text("Draft saved")
    assert weight_of(draft_xml(demo_ctx), "Activity_AnalyseNeeds") == "4"

    # A stage's rules too: chosen from the list, every field labelled, the win rate by keyboard.
    picker.focus()
    page.keyboard.press("Home")  # type-ahead searches on from the chosen option
    page.keyboard.type("Needs analysis")
    expect(picker).to_have_value("Stage_NeedsAnalysis")
    expect(header).to_have_text("Needs analysis")
    assert_every_field_labelled(group)
    win_rate = group.get_by_label("Win rate (%)")
    tab_to(page, win_rate)
    expect(win_rate).to_have_value("30")

    # Selecting on the canvas shows in the list too.
    page.get_by_test_id("diagram-fit").click()
    page.locator('.djs-element[data-element-id="Activity_AnalyseNeeds"]').first.click()
    expect(picker).to_have_value("Activity_AnalyseNeeds")
