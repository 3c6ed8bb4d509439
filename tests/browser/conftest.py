"""Browser tests: Playwright driving Debian's Chromium against the app served on localhost.

Each test gets its own copy of the demo database (`demo_ctx`, tests/conftest.py) and its own
server; the browser is shared.
Screenshots go to .tmp/screenshots, or to docs/screenshots with UPDATE_SCREENSHOTS=1
(`scripts/screenshots`), so a test run does not rewrite the committed pictures.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from bpmn_sales.context import Context
from bpmn_sales.services import demo
from bpmn_sales.web import create_app
from tests.browser.browsing import DESKTOP

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the suite through scripts/test, which installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(demo_ctx: Context) -> Iterator[str]:
    """The app with the demo data, served on a free localhost port for this test."""
    app = create_app({"CONTEXT": demo_ctx, "SECRET_KEY": "browser-test-secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def open_as(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    """`open_as("rob")`: a fresh browser context signed in as rob through the sign-in page."""
    contexts = []

    def make(username: str | None, viewport: dict[str, int] | None = None) -> Page:
        context = browser.new_context(base_url=base_url, viewport=viewport or DESKTOP)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if username:
            page.goto("/sign-in")
            page.get_by_label("User name").fill(username)
            page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_test_id("signed-in-as")).to_contain_text(username)
        return page

    errors: list[str] = []
    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """`screenshot(page, "board")`: save the page as <name>.png (full page)."""
    target = (
        REPO / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS")
        else REPO / ".tmp" / "screenshots"
    )

    def take(page: Page, name: str) -> Path:
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 5_000, f"{path} looks empty"
        return path

    return take
