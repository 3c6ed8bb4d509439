"""Leads and deals in a real browser: qualify, the diagram, notes and files, win, reopen, lose."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.domain.model import DealView
from bpmn_sales.services import deals, leads, worklist
from bpmn_sales.services.people import users
from tests.browser.browsing import PHONE


def deal_named(ctx: Context, name: str) -> DealView:
    admin = users.actor_for_username(ctx, "admin")
    return next(d for d in deals.list_deals(ctx, admin) if d.name == name)


def ready_to_win(ctx: Context) -> DealView:
    """Rob's kitchen deal with every obligatory activity done (it reaches the 'Devis' stage)."""
    rob = users.actor_for_username(ctx, "rob")
    kitchen = deal_named(ctx, "Rénovation cuisine")
    for title in ("Planifier la visite", "Réaliser la visite", "Éditer le devis"):
        task = next(t for t in deals.deal_tasks(ctx, rob, kitchen.id) if t.title == title)
        worklist.complete_task(ctx, rob, task.task_id, note=f"{title}: fait")
    return deals.get_deal(ctx, rob, kitchen.id)


def test_qualify_a_lead(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    page = open_as("rob")
    page.goto("/leads")
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    expect(page.get_by_test_id("leads")).to_contain_text("Tom Baker")
    screenshot(page, "leads")
    page.get_by_role("link", name="Jane Cooper").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("new")
    screenshot(page, "lead")
    # Disqualifying without a reason is refused beside the field (the browser lets it through:
    # the server is the one that checks).
    page.get_by_label("Reason to disqualify").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Disqualify").click()
    expect(page.locator("#disqualify-reason-error")).to_contain_text("a reason is required")
    page.get_by_role("button", name="Qualify", exact=True).click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Lead qualified")
    lead = next(
        v
        for v in leads.list_leads(demo_ctx, users.actor_for_username(demo_ctx, "rob"))
        if v.name == "Jane Cooper"
    )
    assert lead.deal_id is not None
    expect(page).to_have_url(re.compile(rf"/deals/{lead.deal_id}$"))
    expect(page.get_by_test_id("link-lead")).to_have_attribute("href", f"/leads/{lead.id}")
    expect(page.get_by_test_id("stage-path").locator("[aria-current=step]")).to_contain_text(
        "Initial visit"
    )


def test_the_diagram_highlights_where_the_deal_is(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    kitchen = deal_named(demo_ctx, "Rénovation cuisine")
    page = open_as("rob")
    page.goto(f"/deals/{kitchen.id}")
    diagram = page.get_by_test_id("deal-diagram")
    expect(diagram).to_have_attribute("data-state", "ready")
    for element in ("Activity_PlanifierVisite", "Stage_VisiteTechnique"):
        expect(
            diagram.locator(f'g.djs-element.highlight-current[data-element-id="{element}"]')
        ).to_have_count(1)
    expect(diagram.locator('g.highlight-done[data-element-id="Event_AffaireCreee"]')).to_have_count(
        1
    )
    expect(diagram.locator('svg[data-element-id="Collaboration_OpenfirePipeline"]')).to_be_visible()
    expect(page.get_by_test_id("diagram-fallback")).to_contain_text("Visite technique")
    screenshot(page, "deal")
    phone = open_as("rob", viewport=PHONE)
    phone.goto(f"/deals/{kitchen.id}")
    expect(phone.get_by_test_id("deal-diagram")).to_have_attribute("data-state", "ready")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the deal page scrolls sideways on a phone ({width}px)"


def test_add_a_note_and_a_file(open_as: Callable[..., Page], demo_ctx: Context) -> None:
    deal = deal_named(demo_ctx, "Adventure Works rollout")
    page = open_as("rob")
    page.goto(f"/deals/{deal.id}")
    page.get_by_label("New note").fill("Met Pat; budget in Q3.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("flash-success")).to_have_text("Note added")
    expect(page.get_by_test_id("notes")).to_contain_text("Met Pat; budget in Q3.")
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "call-notes.txt", "mimeType": "text/plain", "buffer": b"Call notes\n"}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("call-notes.txt")
    link = page.get_by_test_id("files").get_by_role("link", name="call-notes.txt")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "call-notes.txt"
    expect(page.get_by_test_id("history")).to_contain_text("Added the file")


def test_win_a_deal_then_reopen_it(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    kitchen = ready_to_win(demo_ctx)
    assert kitchen.stage == "devis" and kitchen.detail and not kitchen.detail["win_blockers"]
    page = open_as("rob")
    page.goto(f"/deals/{kitchen.id}")
    page.get_by_role("button", name="Close as won").click()
    expect(page.get_by_test_id("close-confirm")).to_contain_text("Close")
    page.get_by_test_id("confirm-close").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Deal closed: Gagné")
    expect(page.get_by_test_id("deal-status")).to_contain_text("won")
    expect(page.get_by_test_id("deal-probability")).to_contain_text("100%")
    page.get_by_role("button", name="Reopen as a new deal").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("reopened")
    expect(page).not_to_have_url(re.compile(rf"/deals/{kitchen.id}$"))
    expect(page.get_by_test_id("deal-status")).to_contain_text("open")
    expect(page.get_by_test_id("link-reopened-from")).to_have_attribute(
        "href", f"/deals/{kitchen.id}"
    )
    page.get_by_test_id("link-reopened-from").click()
    expect(page.get_by_test_id("deal-status")).to_contain_text("won")  # the old one is unchanged
    expect(page.get_by_test_id("link-reopened-as")).to_be_visible()


def test_lose_a_deal_with_a_reason(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    deal = deal_named(demo_ctx, "Wide World upgrade")
    page = open_as("rob")
    page.goto("/deals")
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("deals")).not_to_contain_text("Litware renewal")
    screenshot(page, "deals")
    page.get_by_role("link", name="Wide World upgrade").click()
    expect(page).to_have_url(re.compile(rf"/deals/{deal.id}$"))
    page.get_by_label("Lost reason").select_option("Lost to a competitor")
    page.get_by_role("button", name="Close as lost").click()
    # Nothing is closed yet: the page asks, showing the reason; "No" keeps the deal open.
    expect(page.get_by_test_id("close-reason")).to_contain_text("Lost to a competitor")
    page.get_by_test_id("cancel-close").click()
    expect(page.get_by_test_id("deal-status")).to_contain_text("open")
    page.get_by_label("Lost reason").select_option("Lost to a competitor")
    page.get_by_role("button", name="Close as lost").click()
    expect(page.get_by_test_id("confirm-close")).to_be_focused()
    page.get_by_test_id("confirm-close").click()
    expect(page.get_by_test_id("deal-status")).to_contain_text("lost")
    expect(page.get_by_test_id("lost-reason")).to_have_text("Lost to a competitor")
    expect(page.get_by_test_id("reopen")).to_be_visible()
