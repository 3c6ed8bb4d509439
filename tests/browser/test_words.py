"""People's words on every page: a rep, a manager and an admin walk the pages they open with the
demo data, in English and in another language, and no visible text shows an element id, a
`customer.`/`deal.`/`stage.` field key, an ISO 8601 duration, or (to a rep) a process key with
its version.

Each walk follows the links of the pages it reaches, from the home page (at most two pages of a
shape such as /deals/N, so every kind of page is read without reading every deal).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services import deals, demo
from bpmn_sales.services.demo import steps
from bpmn_sales.services.people import users
from tests.browser.browsing import DESKTOP

ELEMENT_ID = re.compile(
    r"\b(?:Activity|Gateway|Event|Task|Flow|Stage|StartEvent|EndEvent|SubProcess|Process|"
    r"Participant|Lane|Timer|Definitions)_[A-Za-z0-9]"
)
FIELD_KEY = re.compile(r"(?<![\w@.])(?:customer|deal|stage)\.[a-z][a-z0-9_]*\b")
ISO_DURATION = re.compile(r"\bP(?:\d+[YMWD])+(?:T(?:\d+[HMS])+)?\b|\bPT(?:\d+[HMS])+\b")
KEY_AND_VERSION = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+ v\d+\b")
# A webhook subscribes to the events its receiving program gets by name (deal.created,
# deal.*): on the admin's delivery page those names are what the admin types.
WEBHOOK_EVENT = re.compile(r"\bdeal\.(?:\*|[a-z_]+)")
SKIPPED = re.compile(
    r"^/(api|static|sign-out|language|attachments)\b|\.(csv|zip|bpmn|json|xlsx)\b|/files/|/download|/export"
    r"|/modeler\b"  # the diagram editor shows each element's id in its properties, by design
)
PAGES_PER_USER = 40


def _sign_in(page: Page, username: str) -> None:
    page.goto("/sign-in")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(username)


def _links(page: Page) -> list[str]:
    found = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    paths = []
    for href in found:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or SKIPPED.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def _problems(text: str, path: str, rep: bool) -> list[str]:
    if path.startswith("/admin/delivery"):
        text = WEBHOOK_EVENT.sub("", text)
    checks = [ELEMENT_ID, FIELD_KEY, ISO_DURATION] + ([KEY_AND_VERSION] if rep else [])
    found = []
    for check in checks:
        for match in check.finditer(text):
            around = text[max(0, match.start() - 50) : match.end() + 50].replace("\n", " ")
            found.append(f"{path}: {match.group(0)!r} in …{around}…")
    return found


def _walk(page: Page, rep: bool) -> tuple[list[str], list[str]]:
    """Every page reachable from the home page (capped): the paths read and the problems."""
    queue, problems = ["/"], []
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    while queue and len(seen) < PAGES_PER_USER:
        path = queue.pop(0)
        shape = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|\d+", "N", path.split("?")[0])
        if path in seen or shapes.get(shape, 0) >= 2:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen.add(path)
        response = page.goto(path)
        assert response is not None and response.status < 500, (path, response)
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        problems += _problems(page.inner_text("body"), path, rep)
        queue += [p for p in _links(page) if p not in seen]
    return sorted(seen), problems


@pytest.fixture
def decided(demo_ctx: Context) -> Context:
    """The demo with a rejected approval, so the approvals and history read one."""
    mia = users.actor_for_username(demo_ctx, "mia")
    listed = deals.list_deals(demo_ctx, mia, limit=500)
    deal_id = next(d.id for d in listed if d.name == "Contoso opportunity")
    steps.do(
        demo_ctx,
        mia,
        deal_id,
        "Approve solution",
        data={"decision": "reject", "comment": "Phase two is too vague"},
    )
    return demo_ctx


def _read_as_mia(page: Page, ctx: Context) -> None:
    mia = users.actor_for_username(ctx, "mia")
    contoso = next(
        d.id for d in deals.list_deals(ctx, mia, limit=500) if d.name == "Contoso opportunity"
    )
    page.goto(f"/deals/{contoso}")
    approvals = page.get_by_test_id("approvals")
    expect(approvals).to_have_text("mia rejected Solution design: “Phase two is too vague”")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Rejected 'Approve solution': “Phase two is too vague”")
    expect(history).to_contain_text("Qualified from lead “Lena Ortiz”")
    expect(page.get_by_test_id("deal-process")).to_have_text("Sales process")
    expect(page.get_by_test_id("notes")).to_contain_text("for Identify decision makers")
    page.goto("/analytics")
    expect(page.get_by_test_id("table-time")).to_contain_text("7 days")


@pytest.mark.parametrize(
    ("username", "language", "rep"),
    [
        ("rob", None, True),
        ("mia", None, False),
        ("admin", None, False),
        ("kasia", None, True),  # Polish
        ("wangfang", None, False),  # Chinese
        ("admin", "fr", False),
    ],
)
def test_pages_show_peoples_words(
    browser: Browser,
    base_url: str,
    decided: Context,
    username: str,
    language: str | None,
    rep: bool,
) -> None:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        if language:
            page.goto(f"/language/{language}?next=/sign-in")
        _sign_in(page, username)
        if language:
            assert page.locator("html").get_attribute("lang") == language
        seen, problems = _walk(page, rep)
        if username == "mia":  # what the walk read, in sentences and words
            _read_as_mia(page, decided)
    finally:
        context.close()
    # the walk reached the pages a person of this role opens
    for path in ("/tasks", "/leads", "/deals", "/board", "/notifications"):
        assert path in seen, seen
    assert any(re.fullmatch(r"/deals/\d+", p) for p in seen), seen
    if not rep:
        assert "/analytics" in seen and "/approvals" in seen, seen
    if username == "admin":
        assert "/processes" in seen and any(p.startswith("/admin/") for p in seen), seen
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_what_people_should_not_read() -> None:
    text = (
        "sara · for Activity_IdentifyDecisionMakers. Initial visit: customer.industry is empty. "
        "Reminder after P7D or PT12H. Process sales_process v1. Pat, pat@customer.example"
    )
    found = _problems(text, "/deals/1", rep=True)
    assert [f.split("'")[1] for f in found] == [
        "Activity_I",
        "customer.industry",
        "P7D",
        "PT12H",
        "sales_process v1",
    ]
    assert len(_problems(text, "/deals/1", rep=False)) == 4  # managers may see versions
    assert _problems("Events: deal.created, deal.*", "/admin/delivery", rep=False) == []
    assert _problems("7 days; Sales process, version 2", "/processes", rep=False) == []
