"""Signing in and out in a real browser, at desktop and phone widths."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.services.demo.data import DEMO_PASSWORD
from tests.browser.browsing import PHONE


def test_rep_signs_in_and_out(
    open_as: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    page = open_as(None)
    page.goto("/notifications")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/notifications$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")
    page.get_by_label("User name").fill("rob")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("sign-in-error")).to_have_text(
        "the user name or password is not right"
    )
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("rob")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_the_header_works_on_a_phone(open_as: Callable[..., Page]) -> None:
    page = open_as("mia", viewport=PHONE)
    page.goto("/notifications")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    box = nav.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    # Keyboard: the skip link is the first stop and moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
