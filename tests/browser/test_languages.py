"""Every page a rep, a manager and an admin open is in the browser's language: Chinese, Polish,
French. The page's visible text (and the text of its titles, placeholders and labels) must hold
no English UI string: none of the catalogs' English msgids and none of the template texts still
outside gettext (tests/i18n/template_text.py), except those a language writes the same way and
the demo's own data (names in the diagrams and the demo records)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bpmn_sales.services import demo
from tests.browser.browsing import DESKTOP
from tests.i18n.template_text import every_template, untranslated
from tests.i18n.test_catalogs import tool

REPO = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
LOCALES = [("zh-CN", "zh_Hans"), ("pl-PL", "pl"), ("fr-FR", "fr")]
# What each of them opens from the navigation; {deal}, {lead}, {task}, {process}, {user} are
# found on the lists.
REP_PAGES = [
    "/tasks",
    "{task}",
    "/leads",
    "/leads/new",
    "{lead}",
    "/deals",
    "/deals/new",
    "{deal}",
    "/board",
    "/notifications",
    "/account",
]
MANAGER_PAGES = ["/approvals", "/analytics", "/board", "/deals", "{deal}", "/tasks"]
ADMIN_PAGES = [
    "/processes",
    "{process}",
    "{process}/diff",
    "{process}/migrate",
    "{process}/modeler",
    "/admin/users",
    "/admin/users/rob",
    "/admin/delivery",
    "/admin/settings",
    "/analytics",
]


@cache
def data_texts() -> frozenset[str]:
    """Names the demo shows as data: every name in the bundled diagrams and every string of the
    demo's records, as they are (a stage called "Won" is data, not a UI string)."""
    found: set[str] = set()
    for diagram in (REPO / "bpmn").glob("*.bpmn"):
        found.update(re.findall(r'(?:name|value)="([^"]+)"', diagram.read_text("utf-8")))
    for module in (REPO / "src" / "bpmn_sales" / "services" / "demo").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return frozenset(" ".join(text.split()) for text in found)


@cache
def english(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The English UI strings to look for on a page in `language`: each with its pattern."""
    same = set()  # translated to the very same text: not a leftover
    for catalog in tool().parts(language).values():
        for message in catalog:
            if message.id and message.string == message.id:
                same.add(message.id)
    texts = {m.id[0] if isinstance(m.id, tuple) else m.id for m in tool().extract() if m.id}
    texts |= {f.text for path in every_template(REPO) for f in untranslated(path, REPO)}
    data = " | ".join(data_texts())
    found = []
    for text in sorted(texts - same):
        pieces = [p.strip() for p in PLACEHOLDER.split(text)]
        words = re.findall(r"[A-Za-z]{2,}", " ".join(pieces))
        if not words or (len(words) == 1 and (len(words[0]) < 4 or len(pieces) > 1)):
            continue  # "OK", "of", "%(num)s error": too little to tell from data
        if text in data:
            continue  # also a name in the demo's data
        pattern = r"\s*[^|]{1,80}?\s*".join(re.escape(" ".join(p.split())) for p in pieces if p)
        found.append((text, re.compile(rf"(?<![A-Za-z]){pattern}(?![A-Za-z])")))
    return tuple(found)


def visible_text(page: Page) -> str:
    """The page's text as a reader meets it: body text, title, and read attributes."""
    attributes = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '[title], [placeholder], [aria-label], [alt], input[type=submit][value]'))
            .map(e => [e.title, e.placeholder, e.getAttribute('aria-label'), e.alt,
                       e.type === 'submit' ? e.value : ''].filter(Boolean).join(' | '))"""
    )
    return " | ".join([page.title(), page.inner_text("body"), *attributes])


#: Dotted codes an admin types as they are (webhook events such as deal.moved): not words.
CODES = re.compile(r"(?<![\w.])[a-z_]+\.(?:[a-z_]+|\*)(?![\w.])")


def leftovers(page: Page, language: str) -> list[str]:
    text = CODES.sub(" ", " ".join(visible_text(page).split()))
    return [msgid for msgid, pattern in english(language) if pattern.search(text)]


@pytest.fixture
def contexts(browser: Browser, base_url: str) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def signed_in(
    browser: Browser, base_url: str, contexts: list[BrowserContext], locale: str, user: str | None
) -> Page:
    """A browser whose language is `locale`, signed in as `user` (by the form's field names:
    the labels are in that language)."""
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale=locale)
    contexts.append(context)
    page = context.new_page()
    page.goto("/sign-in")
    if user:
        page.locator("input[name=username]").fill(user)
        page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
        page.locator("form[action='/sign-in'] button[type=submit]").click()
        expect(page.get_by_test_id("signed-in-as")).to_contain_text(user)
    return page


def first_link(page: Page, path: str, pattern: str) -> str:
    page.goto(path)
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return next(h for h in hrefs if re.fullmatch(pattern, h))


@pytest.mark.parametrize(("locale", "language"), LOCALES)
def test_every_page_is_in_the_browsers_language(
    browser: Browser,
    base_url: str,
    contexts: list[BrowserContext],
    locale: str,
    language: str,
) -> None:
    found: dict[str, list[str]] = {}
    anonymous = signed_in(browser, base_url, contexts, locale, None)
    assert anonymous.locator("html").get_attribute("lang") == language.replace("_", "-")
    found["(anonymous) /sign-in"] = leftovers(anonymous, language)
    for user, paths in (("rob", REP_PAGES), ("mia", MANAGER_PAGES), ("admin", ADMIN_PAGES)):
        page = signed_in(browser, base_url, contexts, locale, user)
        places = {
            "{task}": ("/tasks", r"/tasks/[\w-]+"),
            "{lead}": ("/leads", r"/leads/\d+"),
            "{deal}": ("/deals", r"/deals/\d+"),
            "{process}": ("/processes", r"/processes/[a-z0-9_]+"),
        }
        for path in paths:
            for name, (listing, pattern) in places.items():
                if name in path:
                    path = path.replace(name, first_link(page, listing, pattern))
            page.goto(path)
            page.wait_for_load_state("networkidle")
            found[f"{user} {path}"] = leftovers(page, language)
    shown = {where: texts for where, texts in found.items() if texts}
    total = sum(len(texts) for texts in shown.values())
    assert not shown, f"{total} English UI string(s) on {len(shown)} page(s) in {language}:\n" + (
        "\n".join(f"{where}: {texts}" for where, texts in shown.items())
    )
