"""Reading the process diagram: it opens zoomed on where the deal is, at a readable scale, and the
zoom, fit and full-screen controls work, by keyboard too, on the deal page and in the modeler."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.browser.browsing import DESKTOP, PHONE

OpenAs = Callable[..., Page]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin, limit=500) if d.name == name)


def scale(canvas: Locator) -> float:
    """The scale bpmn-js draws at: the viewport layer's transform, as the browser applies it."""
    value = canvas.locator("svg g.viewport").first.evaluate(
        "g => g.transform.baseVal.consolidate().matrix.a"
    )
    return float(value)


def rect(locator: Locator) -> dict[str, float]:
    found = locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
    )
    assert isinstance(found, dict)
    return {side: float(value) for side, value in found.items()}


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["left"] >= outer["left"]
        and inner["top"] >= outer["top"]
        and inner["right"] <= outer["right"]
        and inner["bottom"] <= outer["bottom"]
    )


def element(canvas: Locator, element_id: str) -> Locator:
    return canvas.locator(f'g.djs-element[data-element-id="{element_id}"] .djs-visual').first


def press(button: Locator, key: str = "Enter") -> None:
    """Use a control the way a keyboard user does: it takes the focus, then the key."""
    button.focus()
    expect(button).to_be_focused()
    button.press(key)


def test_the_deal_diagram_opens_readable_on_the_current_stage_and_zooms_by_keyboard(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    page = open_as("rob")
    page.goto(f"/deals/{kitchen}")
    canvas = page.get_by_test_id("deal-diagram")
    expect(canvas).to_have_attribute("data-state", "ready")
    controls = page.get_by_test_id("diagram-controls")
    expect(controls).to_be_visible()
    expect(page.get_by_test_id("diagram-hint")).to_contain_text("Ctrl + mouse wheel zooms")

    # Opened at a readable scale, the current stage and its waiting activity in view.
    opened = scale(canvas)
    assert 0.75 <= opened <= 1.0, opened
    box = rect(canvas)
    for current in ("Stage_VisiteTechnique", "Activity_PlanifierVisite"):
        assert inside(rect(element(canvas, current)), box), f"{current} is not in view"
    expect(page.get_by_test_id("diagram-zoom-level")).to_have_text(f"{round(opened * 100)}%")

    # The buttons are reachable with Tab, in order, and named for what they do.
    zoom_in = controls.get_by_role("button", name="Zoom in")
    zoom_out = controls.get_by_role("button", name="Zoom out")
    zoom_in.focus()
    page.keyboard.press("Tab")
    expect(zoom_out).to_be_focused()
    page.keyboard.press("Tab")
    expect(controls.get_by_role("button", name="Fit")).to_be_focused()

    press(zoom_in)
    expect(page.get_by_test_id("deal-diagram-frame")).not_to_have_attribute(
        "data-scale", str(opened)
    )
    bigger = scale(canvas)
    assert bigger > opened * 1.2, (opened, bigger)
    press(zoom_out, " ")
    press(zoom_out)
    smaller = scale(canvas)
    assert smaller < opened, (opened, smaller)

    # Fit shows the whole pool; "Current step" goes back to where the deal is.
    press(controls.get_by_role("button", name="Fit"))
    pool = canvas.locator('g.djs-element[data-element-id="Participant_OpenfirePipeline"]').first
    assert inside(rect(pool.locator(".djs-visual")), rect(canvas)), "the pool is not all shown"
    assert scale(canvas) < 0.3
    press(controls.get_by_role("button", name="Current step"))
    assert scale(canvas) >= 0.75
    assert inside(rect(element(canvas, "Activity_PlanifierVisite")), rect(canvas))

    # With the diagram focused, Ctrl + arrow keys move it (as the hint says).
    before = canvas.locator("svg g.viewport").first.get_attribute("transform")
    canvas.locator("svg").first.focus()
    page.keyboard.press("Control+ArrowRight")
    expect(canvas.locator("svg g.viewport").first).not_to_have_attribute("transform", before or "")

    # The current step and the done path stay marked whatever the zoom.
    expect(
        canvas.locator('g.highlight-current[data-element-id="Activity_PlanifierVisite"]')
    ).to_have_count(1)
    expect(canvas.locator('g.highlight-done[data-element-id="Event_AffaireCreee"]')).to_have_count(
        1
    )

    # Full screen: the diagram takes the window; Escape gives the page back.
    full = controls.get_by_role("button", name="Full screen")
    expect(full).to_have_attribute("aria-pressed", "false")
    press(full)
    expect(full).to_have_attribute("aria-pressed", "true")
    frame = page.get_by_test_id("deal-diagram-frame")
    expect(frame).to_have_class("diagram-frame diagram-fullscreen")
    wide = rect(canvas)
    assert wide["right"] - wide["left"] > DESKTOP["width"] - 40
    assert wide["bottom"] - wide["top"] > DESKTOP["height"] - 120
    assert inside(rect(element(canvas, "Activity_PlanifierVisite")), wide)
    # What the full-screen diagram covers is out of the Tab order meanwhile.
    deals_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Deals")
    assert deals_link.evaluate("el => el.closest('[inert]') !== null")
    page.keyboard.press("Shift+Tab")
    assert frame.evaluate("el => el.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(full).to_have_attribute("aria-pressed", "false")
    expect(frame).to_have_class("diagram-frame")
    assert rect(canvas)["right"] - rect(canvas)["left"] < DESKTOP["width"] - 200
    assert deals_link.evaluate("el => el.closest('[inert]') === null")
    assert inside(rect(element(canvas, "Activity_PlanifierVisite")), rect(canvas))


def test_on_a_phone_the_diagram_opens_on_the_current_activity(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    page = open_as("rob", viewport=PHONE)
    page.goto(f"/deals/{kitchen}")
    canvas = page.get_by_test_id("deal-diagram")
    expect(canvas).to_have_attribute("data-state", "ready")
    assert scale(canvas) >= 0.75
    assert inside(rect(element(canvas, "Activity_PlanifierVisite")), rect(canvas))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the deal page scrolls sideways on a phone ({width}px)"


def test_the_controls_speak_the_readers_language(open_as: OpenAs, demo_ctx: Context) -> None:
    bathroom = deal_id(demo_ctx, "Salle de bain")
    page = open_as("olga")
    page.goto(f"/deals/{bathroom}")
    expect(page.get_by_test_id("deal-diagram")).to_have_attribute("data-state", "ready")
    controls = page.get_by_test_id("diagram-controls")
    expect(controls.get_by_role("button", name="Zoom avant")).to_be_visible()
    expect(page.get_by_test_id("diagram-zoom-level")).to_contain_text("\u202f%")


def test_the_modeler_opens_readable_with_the_same_controls(open_as: OpenAs) -> None:
    page = open_as("admin")
    page.goto("/processes/sales_process/modeler")
    expect(page.get_by_test_id("modeler")).to_have_attribute("data-state", "ready")
    canvas = page.get_by_test_id("modeler-canvas")
    controls = page.get_by_test_id("diagram-controls")
    expect(controls).to_be_visible()
    assert scale(canvas) == 1.0
    start = canvas.locator('g.djs-element[data-element-id="Event_OpportunityOpened"]')
    assert inside(rect(start.locator(".djs-visual").first), rect(canvas))
    palette = rect(page.locator(".djs-palette"))
    assert rect(start.locator(".djs-visual").first)["left"] > palette["right"], "under the palette"

    press(controls.get_by_role("button", name="Zoom in"))
    assert scale(canvas) > 1.2
    press(controls.get_by_role("button", name="Zoom out"))
    press(controls.get_by_role("button", name="Zoom out"))
    assert scale(canvas) < 1.0
    press(controls.get_by_role("button", name="Fit"))
    pool = canvas.locator('g.djs-element[data-element-id="Participant_SalesProcess"]').first
    assert inside(rect(pool.locator(".djs-visual")), rect(canvas))
    expect(controls.get_by_role("button", name="Current step")).to_have_count(0)

    full = controls.get_by_role("button", name="Full screen")
    press(full)
    expect(full).to_have_attribute("aria-pressed", "true")
    panel = page.get_by_test_id("modeler-panel")
    assert rect(canvas)["right"] - rect(canvas)["left"] > DESKTOP["width"] - 22 * 16 - 80
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(full).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("modeler-frame")).to_have_class("modeler-frame")


def test_a_closed_deal_opens_on_where_it_ended(open_as: OpenAs, demo_ctx: Context) -> None:
    lost = deal_id(demo_ctx, "Adventure Works rollout")
    rob = users.actor_for_username(demo_ctx, "rob")
    deals.close_deal(demo_ctx, rob, lost, "lost", "Too expensive")
    page = open_as("rob")
    page.goto(f"/deals/{lost}")
    canvas = page.get_by_test_id("deal-diagram")
    expect(canvas).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("deal-diagram-frame")).to_have_attribute("data-view", "focus")
    assert scale(canvas) >= 0.75
    end = canvas.locator('g.djs-element.highlight-done[data-element-id="Event_DealLost"]')
    assert inside(rect(end.locator(".djs-visual").first), rect(canvas)), "the end is not in view"
