"""The delivery admin page: outbox by status, retry of failed mail, webhooks (admins only)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bpmn_sales.context import Context
from bpmn_sales.services.delivery import notices, outbox, webhooks
from bpmn_sales.services.delivery.send import deliver_pass
from bpmn_sales.services.people import users
from tests.local_servers import SmtpServer, WebhookReceiver
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def demo_counts(ctx: Context) -> dict[str, int]:
    return dict(outbox.overview(ctx, users.actor_for_username(ctx, "admin"))["counts"])


def fail_mias_mail(ctx: Context, smtp: SmtpServer) -> list[int]:
    """Deliver the demo's mail; the server refuses mia's address, so hers fail for good."""
    smtp.catcher.refuse.add("mia@example.com")
    ctx.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    result = deliver_pass(ctx)
    assert result.failed >= 1 and result.sent >= 1
    admin = users.actor_for_username(ctx, "admin")
    return [m["id"] for m in outbox.overview(ctx, admin, "failed")["messages"]]


@pytest.mark.parametrize("username", ["rob", "mia"])
def test_only_admins_see_or_act(visitor: Visitor, demo_ctx: Context, username: str) -> None:
    page = visitor(username)
    assert "only an admin may" in page.text(page.get("/admin/delivery", status=403))
    for path in (
        "/admin/delivery/outbox/retry-failed",
        "/admin/delivery/outbox/1/retry",
        "/admin/delivery/webhooks",
        "/admin/delivery/webhooks/1/remove",
    ):
        page.post(path, {"url": "http://127.0.0.1:9/x"}, status=403)
    admin = users.actor_for_username(demo_ctx, "admin")
    assert outbox.overview(demo_ctx, admin)["counts"] == demo_counts(demo_ctx)
    assert webhooks.list_webhooks(demo_ctx, admin) == []


def test_outbox_without_smtp_says_why_and_filters(visitor: Visitor, demo_ctx: Context) -> None:
    demo_ctx.smtp_url = None
    pending = demo_counts(demo_ctx)["pending"]
    assert pending > 1  # the demo's notifications queued mail
    admin = visitor("admin")
    page = admin.text(admin.get("/admin/delivery"))
    assert "Mail is not sent: SMTP_URL is not set" in page
    assert page.count('data-testid="message-') == pending
    badge = f'data-testid="filter-pending">Pending <span class="badge badge-pending">{pending}<'
    assert badge in page
    page = admin.text(admin.get("/admin/delivery?status=failed"))
    assert 'data-testid="outbox-empty">No failed messages.' in page
    assert "is not one of" in admin.text(admin.get("/admin/delivery?status=lost", status=400))


def test_failed_mail_is_retried_from_the_page(
    visitor: Visitor, demo_ctx: Context, smtp: SmtpServer
) -> None:
    failed = fail_mias_mail(demo_ctx, smtp)
    admin = visitor("admin")
    page = admin.text(admin.get("/admin/delivery?status=failed"))
    assert f"Mail goes out through <code>smtp://127.0.0.1:{smtp.port}</code>" in page
    assert re.findall(r'data-testid="retry-(\d+)"', page) == [str(i) for i in failed]
    assert "no such mailbox" in page
    response = admin.post(
        f"/admin/delivery/outbox/{failed[0]}/retry", {"status": "failed"}, status=302
    )
    assert response.headers["Location"] == "/admin/delivery?status=failed"
    page = admin.text(admin.follow(response))
    assert f"Message {failed[0]} is queued again" in page
    assert f'data-testid="retry-{failed[0]}"' not in page
    smtp.catcher.refuse.clear()
    assert deliver_pass(demo_ctx).sent == 1
    page = admin.text(admin.get("/admin/delivery?status=sent"))
    assert f'data-testid="status-{failed[0]}">sent<' in page
    again = admin.post(f"/admin/delivery/outbox/{failed[0]}/retry", status=302)
    assert "only a failed one is retried" in admin.text(admin.follow(again))
    if len(failed) > 1:
        page = admin.text(admin.follow(admin.post("/admin/delivery/outbox/retry-failed")))
        assert f"{len(failed) - 1} failed message(s) queued again." in page


def test_webhooks_are_managed_on_the_page(
    visitor: Visitor, demo_ctx: Context, receiver: WebhookReceiver
) -> None:
    admin = visitor("admin")
    response = admin.post(
        "/admin/delivery/webhooks", {"url": "ftp://x.example.test", "events": "deal.*"}
    )
    assert response.status_code == 400
    page = admin.text(response)
    assert 'id="url-error" role="alert">url &#39;ftp://x.example.test&#39; must start' in page
    assert 'value="ftp://x.example.test"' in page  # what was typed stays
    response = admin.post(
        "/admin/delivery/webhooks",
        {"url": receiver.url, "events": "deal.closed, deal.moved", "description": "CRM"},
        status=302,
    )
    page = admin.text(admin.follow(response))
    secret = re.search(r"Its signing secret \(shown once\): (\S+)", page)
    assert secret and len(secret[1]) >= 40
    assert 'data-testid="webhook-1"' in page and "deal.closed, deal.moved" in page
    assert secret[1] not in page.split('data-testid="webhooks"')[1]  # the list: a hint only
    assert f"…{secret[1][-4:]}" in page
    page = admin.text(admin.follow(admin.post("/admin/delivery/webhooks/1/test")))
    assert re.search(r"Webhook 1 answered the ping with HTTP 200 in \d+ ms\.", page)
    assert receiver.received[0].signed_with(secret[1])
    page = admin.text(admin.follow(admin.post("/admin/delivery/webhooks/1/enabled", {})))
    assert "Webhook 1 disabled." in page and ">Enable<" in page
    receiver.statuses = [500]
    page = admin.text(admin.follow(admin.post("/admin/delivery/webhooks/1/test")))
    assert "did not take the ping: HTTP 500" in page
    page = admin.text(admin.follow(admin.post("/admin/delivery/webhooks/1/remove")))
    assert "Webhook 1 removed." in page and 'data-testid="webhook-1"' not in page
    page = admin.text(admin.follow(admin.post("/admin/delivery/webhooks/1/remove")))
    assert "webhook 1 does not exist" in page


def test_header_counts_unread_notifications(visitor: Visitor, demo_ctx: Context) -> None:
    """The in-app side of a notification: the header's unread count, read on /notifications."""
    rob = visitor("rob")
    page = rob.text(rob.get("/deals"))
    expected = len(
        notices.list_notifications(demo_ctx, users.actor_for_username(demo_ctx, "rob"), True).page
    )
    assert expected >= 1
    assert f'<span class="count count-unread">{expected}</span>' in page
    page = rob.text(rob.follow(rob.post("/notifications/read", status=302)))
    assert '<span class="count">0</span>' in page
