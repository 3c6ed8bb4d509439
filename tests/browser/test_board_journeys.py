"""Journeys on the pipeline board and the admin pages, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidState
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.browser.browsing import PHONE

OpenAs = Callable[..., Page]
Shot = Callable[[Page, str], Path]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin, limit=500) if d.name == name)


def test_drag_a_card_to_an_allowed_column_and_to_one_whose_rules_are_unmet(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    page = open_as("mia")
    page.goto("/board?process=openfire_pipeline")
    card = page.get_by_test_id(f"card-{kitchen}")
    expect(
        page.get_by_test_id("column-visite_technique").get_by_test_id(f"card-{kitchen}")
    ).to_be_visible()
    expect(page.get_by_test_id("probability-" + str(kitchen))).to_have_text("50%")

    # Forward past an obligatory activity not done: refused, the rule named, the card stays.
    card.drag_to(page.get_by_test_id("column-devis"))
    alert = page.get_by_role("alert").filter(has_text="cannot")
    expect(alert).to_contain_text("Réaliser la visite")
    expect(
        page.get_by_test_id("column-visite_technique").get_by_test_id(f"card-{kitchen}")
    ).to_be_visible()
    expect(page.get_by_test_id("column-count-visite_technique")).to_have_text("1")

    # Back to the first stage: allowed; the card moves and its probability follows.
    card.drag_to(page.get_by_test_id("column-nouveau"))
    expect(page.get_by_test_id("column-nouveau").get_by_test_id(f"card-{kitchen}")).to_be_visible()
    expect(page.get_by_test_id(f"probability-{kitchen}")).to_have_text("10%")
    expect(page.get_by_test_id("column-count-nouveau")).to_have_text("1")
    expect(page.get_by_test_id("column-count-visite_technique")).to_have_text("0")
    expect(page.get_by_test_id("board-alert")).to_be_empty()
    screenshot(page, "board")

    page.reload()
    expect(page.get_by_test_id("column-nouveau").get_by_test_id(f"card-{kitchen}")).to_be_visible()
    assert deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen).stage == (
        "nouveau"
    )
    # The sales process has no free moves: its cards are not draggable and say why.
    page.goto("/board?process=sales_process")
    expect(page.locator(".deal-card[draggable=true]")).to_have_count(0)
    expect(page.get_by_text("does not let deals move freely")).to_be_visible()


def test_move_a_card_with_the_keyboard_form_on_a_phone(open_as: OpenAs, demo_ctx: Context) -> None:
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    page = open_as("rob", viewport=PHONE)
    page.goto("/board?process=openfire_pipeline")
    board = page.get_by_test_id("board")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth"), "the board scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "only the board scrolls sideways, not the page"
    )
    select = page.get_by_test_id(f"move-select-{kitchen}")
    select.focus()
    select.select_option("devis")
    select.press("Tab")
    page.keyboard.press("Enter")
    # The form moves the card in place (board.js), refused with the rule named.
    expect(page.get_by_test_id("board-alert")).to_contain_text("Réaliser la visite")
    page.get_by_test_id(f"move-select-{kitchen}").select_option("estimation")
    page.get_by_test_id(f"card-{kitchen}").get_by_role("button", name="Move").click()
    expect(
        page.get_by_test_id("column-estimation").get_by_test_id(f"card-{kitchen}")
    ).to_be_visible()
    expect(page.get_by_test_id("board-alert")).to_be_empty()
    page.reload()
    expect(
        page.get_by_test_id("column-estimation").get_by_test_id(f"card-{kitchen}")
    ).to_be_visible()


def test_fold_and_unfold_a_column_remembered_per_process(open_as: OpenAs) -> None:
    page = open_as("rob")
    page.goto("/board?process=openfire_pipeline")
    fold = page.get_by_test_id("fold-visite_technique")
    expect(fold).to_have_attribute("aria-expanded", "true")
    fold.click()
    expect(fold).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#col-visite_technique-body")).to_be_hidden()
    page.reload()
    expect(page.get_by_test_id("fold-visite_technique")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#col-visite_technique-body")).to_be_hidden()
    # Another process's board has its own folds.
    page.goto("/board?process=sales_process")
    expect(page.get_by_test_id("fold-initial_visit")).to_have_attribute("aria-expanded", "true")
    page.goto("/board?process=openfire_pipeline")
    page.get_by_test_id("fold-visite_technique").click()
    expect(page.get_by_test_id("fold-visite_technique")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#col-visite_technique-body")).to_be_visible()


def test_a_manager_renames_and_reorders_a_column(open_as: OpenAs) -> None:
    page = open_as("mia")
    page.goto("/board?process=openfire_pipeline")
    column = page.get_by_test_id("column-devis")
    column.get_by_text("Column settings").click()
    column.get_by_label("Label").fill("Devis envoyé")
    column.get_by_role("button", name="Rename").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Devis envoyé")
    expect(page.get_by_test_id("column-label-devis")).to_have_text("Devis envoyé")
    page.get_by_test_id("column-devis").get_by_text("Column settings").click()
    page.get_by_test_id("move-left-devis").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("reordered")
    keys = page.locator(".board-column").evaluate_all("els => els.map(e => e.dataset.stage)")
    assert keys == ["nouveau", "estimation", "devis", "visite_technique"]
    rob = open_as("rob")
    rob.goto("/board?process=openfire_pipeline")
    expect(rob.get_by_test_id("column-label-devis")).to_have_text("Devis envoyé")
    expect(rob.get_by_text("Column settings")).to_have_count(0)


def test_an_admin_disables_and_enables_a_process(
    open_as: OpenAs, demo_ctx: Context, screenshot: Shot
) -> None:
    page = open_as("admin")
    page.goto("/processes")
    expect(page.get_by_test_id("deals-openfire_pipeline")).to_have_text("2 / 2")
    page.get_by_test_id("toggle-openfire_pipeline").click()
    expect(page.get_by_test_id("status-openfire_pipeline")).to_have_text("disabled")
    expect(page.get_by_test_id("flash-success")).to_contain_text("disabled")
    screenshot(page, "processes")
    olga = users.actor_for_username(demo_ctx, "olga")
    with pytest.raises(InvalidState, match="openfire_pipeline' is disabled"):
        deals.create_deal(demo_ctx, olga, "Terrasse", value="5000", process="openfire_pipeline")
    page.get_by_test_id("toggle-openfire_pipeline").click()
    expect(page.get_by_test_id("status-openfire_pipeline")).to_have_text("enabled")
    page.get_by_test_id("departments-openfire_pipeline").select_option(["Field sales"])
    page.get_by_test_id("process-openfire_pipeline").get_by_role(
        "button", name="Save departments"
    ).click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Field sales")
    assert deals.create_deal(demo_ctx, olga, "Terrasse", value="5000", process="openfire_pipeline")


def test_an_admin_creates_a_user_and_a_rep_is_refused(open_as: OpenAs, screenshot: Shot) -> None:
    page = open_as("admin")
    page.goto("/admin/users")
    form = page.get_by_test_id("new-user")
    form.get_by_label("User name").fill("nina")
    form.get_by_label("Full name").fill("Nina New")
    form.get_by_label("Manager").select_option("omar")
    form.get_by_label("Department").fill("Field sales")
    form.get_by_label("Password").fill("short")
    form.get_by_role("button", name="Create user").click()
    expect(page.locator("#password-error")).to_contain_text("at least 8 characters")
    page.get_by_test_id("new-user").get_by_label("Password").fill("nina-secret")
    page.get_by_test_id("new-user").get_by_role("button", name="Create user").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("User nina created")
    page.goto("/admin/users")  # the flash carries nina's API token: not in the picture
    expect(page.get_by_test_id("user-nina")).to_contain_text("omar")
    screenshot(page, "users")
    rob = open_as("rob")
    response = rob.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(rob.get_by_test_id("error-page")).to_contain_text("only an admin")


def test_show_more_then_drag_a_card_of_the_second_page(open_as: OpenAs, demo_ctx: Context) -> None:
    rob = users.actor_for_username(demo_ctx, "rob")
    made = [
        deals.create_deal(demo_ctx, rob, f"Chantier {n}", process="openfire_pipeline").id
        for n in range(23)
    ]
    # Tall enough that the dragged card and the target column are on screen together.
    page = open_as("mia", viewport={"width": 1600, "height": 4000})
    page.goto("/board?process=openfire_pipeline")
    column = page.get_by_test_id("column-nouveau")
    cards = column.locator("[data-testid^='card-']")
    expect(cards).to_have_count(20)  # the first page of the column
    total = int(page.get_by_test_id("column-count-nouveau").inner_text())
    assert total > 20
    last = made[-1]
    expect(column.get_by_test_id(f"card-{last}")).to_have_count(0)

    page.get_by_test_id("show-more-nouveau").click()
    expect(cards).to_have_count(min(total, 40))
    card = column.get_by_test_id(f"card-{last}")
    expect(card).to_be_visible()

    # A card the second page brought moves like any other (nouveau has no obligatory step).
    card.drag_to(page.get_by_test_id("column-estimation"))
    expect(page.get_by_test_id("column-estimation").get_by_test_id(f"card-{last}")).to_be_visible()
    expect(page.get_by_test_id("column-count-nouveau")).to_have_text(str(total - 1))
    assert deals.get_deal(demo_ctx, rob, last).stage == "estimation"


def test_column_totals_follow_a_moved_card_in_the_readers_format(
    open_as: OpenAs, demo_ctx: Context
) -> None:
    """board.js adds and takes away whole cents, one currency at a time, and shows the sums
    as the server does (Intl and Babel read the same CLDR data)."""
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    page = open_as("mia")
    page.context.set_extra_http_headers({"Accept-Language": "pl"})
    page.goto("/board?process=openfire_pipeline")
    source = page.get_by_test_id("column-total-visite_technique")
    target = page.get_by_test_id("column-total-nouveau")
    before = target.inner_text()
    page.get_by_test_id(f"card-{kitchen}").drag_to(page.get_by_test_id("column-nouveau"))
    expect(page.get_by_test_id("column-count-visite_technique")).to_have_text("0")
    expect(source).to_have_text("")
    after = target.inner_text()
    assert after != before and "€" in after
    page.reload()
    assert page.get_by_test_id("column-total-nouveau").inner_text() == after
