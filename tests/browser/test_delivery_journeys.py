"""An admin finds failed mail on /admin/delivery and retries it, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.services.delivery import outbox
from bpmn_sales.services.delivery.send import deliver_pass
from bpmn_sales.services.people import users
from tests.browser.browsing import PHONE
from tests.local_servers import SmtpServer


def test_admin_retries_a_failed_mail(
    open_as: Callable[..., Page],
    demo_ctx: Context,
    smtp: SmtpServer,
    screenshot: Callable[..., Path],
) -> None:
    smtp.catcher.refuse.add("mia@example.com")
    demo_ctx.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    assert deliver_pass(demo_ctx).failed >= 1
    admin = users.actor_for_username(demo_ctx, "admin")
    failed = outbox.overview(demo_ctx, admin, "failed")["messages"]
    first = failed[0]["id"]

    page = open_as("admin")
    page.get_by_role("link", name="Delivery").click()
    expect(page.get_by_role("heading", name="Delivery", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Outbox status").get_by_role("link", name="Failed").click()
    row = page.get_by_test_id(f"message-{first}")
    expect(row).to_contain_text("no such mailbox")
    expect(page.get_by_test_id(f"status-{first}")).to_have_text("failed")
    screenshot(page, "delivery-failed")
    row.get_by_role("button", name=f"Retry message {first}").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text(f"Message {first} is queued again")
    expect(page.get_by_test_id(f"message-{first}")).to_have_count(0)  # no longer failed

    smtp.catcher.refuse.clear()
    assert deliver_pass(demo_ctx).sent == 1
    page.get_by_role("navigation", name="Outbox status").get_by_role("link", name="Sent").click()
    expect(page.get_by_test_id(f"status-{first}")).to_have_text("sent")


def test_delivery_page_on_a_phone(
    open_as: Callable[..., Page], demo_ctx: Context, screenshot: Callable[..., Path]
) -> None:
    page = open_as("admin", viewport=PHONE)
    page.goto("/admin/delivery")
    expect(page.get_by_test_id("mail-settings")).to_contain_text("SMTP_URL is not set")
    page.get_by_label("URL").fill("https://crm.example.test/hooks")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_test_id("flash-success")).to_contain_text("Its signing secret")
    expect(page.get_by_test_id("webhook-1")).to_contain_text("deal.*")
    screenshot(page, "delivery-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways: {width}px"
