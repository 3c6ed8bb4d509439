"""The pages' scripts translate with the page's catalog (js/i18n.js): the language's plural
forms, named placeholders, and English where the page is English."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from bpmn_sales.services import demo
from tests.browser.browsing import DESKTOP

DAYS = 'n => window.ngettext("%(num)s day in stage", "%(num)s days in stage", n)'


def board_in(browser: Browser, base_url: str, locale: str) -> Page:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale=locale)
    page = context.new_page()
    page.goto("/sign-in")
    page.locator("input[name=username]").fill("rob")
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("rob")
    page.goto("/board")
    return page


def test_polish_plural_forms_and_placeholders(browser: Browser, base_url: str) -> None:
    page = board_in(browser, base_url, "pl-PL")
    days: Callable[[int], str] = lambda n: page.evaluate(DAYS, n)  # noqa: E731
    assert [days(n) for n in (1, 2, 5, 12, 22, 112)] == [
        "1 dzień w etapie",
        "2 dni w etapie",
        "5 dni w etapie",
        "12 dni w etapie",
        "22 dni w etapie",
        "112 dni w etapie",
    ]
    cards = page.evaluate(
        'n => window.ngettext("%(num)s more card in %(stage)s", '
        '"%(num)s more cards in %(stage)s", n, {stage: "Oferta"})',
        3,
    )
    assert cards == "3 karty więcej w etapie Oferta"
    moved = page.evaluate(
        '() => window.gettext("Moved “%(deal)s” to %(stage)s", {deal: "Rollout", stage: "Oferta"})'
    )
    assert moved == "Przeniesiono „Rollout” do etapu Oferta"
    page.context.close()


def test_french_and_english(browser: Browser, base_url: str) -> None:
    french = board_in(browser, base_url, "fr-FR")
    assert french.evaluate(DAYS, 0) == "0 jour dans l\u2019étape"  # French: 0 is singular
    assert french.evaluate(DAYS, 2) == "2 jours dans l\u2019étape"
    progress = french.evaluate(
        '() => window.gettext("%(moved)s moved, %(refused)s refused, %(left)s left '
        '(%(percent)s%%)", {moved: 1, refused: 2, left: 3, percent: 50})'
    )
    assert progress == "migrées : 1, refusées : 2, restantes : 3 (50 %)"
    french.context.close()
    english = board_in(browser, base_url, "en-US")
    assert english.evaluate(DAYS, 1) == "1 day in stage"
    assert english.evaluate(DAYS, 0) == "0 days in stage"
    assert english.evaluate('() => window.gettext("Not in any catalog %(x)s", {x: 1})') == (
        "Not in any catalog 1"
    )
    english.context.close()
