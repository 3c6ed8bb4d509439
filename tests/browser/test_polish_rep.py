"""Kasia, the demo's Polish rep, in a real browser: her deal page and the board in Polish, with
money the Polish way (the README's Polish screenshots)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.i18n import formats
from tests.browser.test_chinese_key_accounts import deal_named


def test_kasias_deal_page_and_board_are_in_polish(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    deal = deal_named(demo_ctx, "Wdrożenie CRM")
    with i18n.use_language("pl"):
        tasks, deals_word = i18n.gettext("Tasks"), i18n.gettext("Deals")
        value = formats.money(deal.value, "PLN")
    assert (tasks, deals_word) != ("Tasks", "Deals")
    page = open_as("kasia")
    page.goto(f"/deals/{deal.id}")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    main = str(i18n.translations("pl").gettext("Main"))
    nav = page.get_by_role("navigation", name=main)
    expect(nav).to_contain_text(tasks)
    expect(nav).to_contain_text(deals_word)
    expect(page.get_by_test_id("deal-name")).to_have_text("Wdrożenie CRM")
    expect(page.locator("body")).to_contain_text(value)  # 27 000,00 zł, Babel's spacing
    assert "27" in value and "zł" in value
    screenshot(page, "deal-pl")
    page.goto("/board?process=sales_process")
    expect(page.get_by_test_id(f"card-{deal.id}")).to_contain_text("Wdrożenie CRM")
    expect(
        page.get_by_role("navigation", name=i18n.translations("pl").gettext("Main"))
    ).to_contain_text(tasks)
    screenshot(page, "board-pl")
