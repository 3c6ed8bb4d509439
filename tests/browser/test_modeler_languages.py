"""The modeler speaks the browser's language: bpmn-js's palette, context pad and replace menu,
the properties panel's groups, labels and built-in buttons, and our "Sales rules" group, all
through the page's catalog (static/js/modeler-words.js); English stays English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bpmn_sales.services import demo
from tests.browser.browsing import DESKTOP

KEY = "sales_process"
STAGE = "Stage_NeedsAnalysis"
# locale, palette's start event, replace menu's entry, panel group, our group, a field label,
# the drill-down title with its {element} placeholder filled, the pop-up editor button, the
# stage order's description (from the vocabulary)
WORDS = {
    "pl-PL": (
        "Utwórz zdarzenie początkowe",
        "Transakcja",
        "Ogólne",
        "Reguły sprzedaży",
        "Kolejność etapu",
        "Otwórz X",
        "Otwórz edytor w okienku",
        "Pozycja w lejku sprzedaży; unikalna w procesie.",
    ),
    "fr-FR": (
        "Créer un événement de début",
        "Transaction",
        "Général",
        "Règles de vente",
        "Ordre de l\u2019étape",
        "Ouvrir X",
        "Ouvrir l\u2019éditeur dans une fenêtre",
        "Position dans le pipeline ; unique dans le processus.",
    ),
    "zh-CN": (
        "创建开始事件",
        "事务",
        "常规",
        "销售规则",
        "阶段顺序",
        "打开X",
        "打开弹出编辑器",
        "在销售管道中的位置；在流程中唯一。",
    ),
    "en-US": (
        "Create start event",
        "Transaction",
        "General",
        "Sales rules",
        "Stage order",
        "Open X",
        "Open pop-up editor",
        "Position in the pipeline; unique in the process.",
    ),
}


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def admin_in(browser: Browser, base_url: str, contexts: list[BrowserContext], locale: str) -> Page:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale=locale)
    contexts.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/sign-in")
    page.locator("input[name=username]").fill("admin")
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("admin")
    page.goto(f"/processes/{KEY}/modeler")
    expect(page.get_by_test_id("modeler")).to_have_attribute("data-state", "ready")
    assert errors == []
    return page


@pytest.mark.parametrize("locale", list(WORDS))
def test_the_modeler_is_in_the_browsers_language(
    browser: Browser, base_url: str, contexts: list[BrowserContext], locale: str
) -> None:
    palette, replace, general, sales, stage_order, drilldown, popup, described = WORDS[locale]
    page = admin_in(browser, base_url, contexts, locale)
    start = page.locator('.djs-palette .entry[data-action="create.start-event"]')
    expect(start).to_have_attribute("aria-label", palette)

    page.get_by_test_id("diagram-fit").click()  # the whole diagram, to reach the stage
    page.locator(f'.djs-element[data-element-id="{STAGE}"]').first.click()
    panel = page.locator("#modeler-panel")
    expect(
        panel.locator('[data-group-id="group-general"] .bio-properties-panel-group-header-title')
    ).to_have_text(general)
    expect(
        panel.locator(
            '[data-group-id="group-sales-rules"] .bio-properties-panel-group-header-title'
        )
    ).to_have_text(sales)
    expect(panel.locator('[data-group-id="group-sales-rules"]')).to_contain_text(stage_order)
    expect(panel.locator('[data-group-id="group-sales-rules"]')).to_contain_text(described)
    # The properties panel's own button (bpmn-js-properties-panel does not pass translate on).
    panel.locator(
        '[data-group-id="group-documentation"] .bio-properties-panel-group-header'
    ).click()
    expect(panel.locator(".bio-properties-panel-open-feel-popup").first).to_have_attribute(
        "title", popup
    )

    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    expect(page.locator(".djs-popup-body")).to_contain_text(replace)

    # bpmn-js's {name} placeholders are filled in the translation.
    assert (
        page.evaluate("() => window.modelerTranslate('Open {element}', { element: 'X' })")
        == drilldown
    )
