"""Mail from the outbox reaches a real SMTP server (aiosmtpd on 127.0.0.1), with TLS and AUTH."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.services import deals, delivery
from bpmn_sales.services.delivery import outbox
from bpmn_sales.services.delivery.send import deliver_due, deliver_pass
from bpmn_sales.services.people import users
from tests.fakes import FakeClock
from tests.helpers import walk_to
from tests.local_servers import SmtpServer, free_port, self_signed_cert, start_smtp

BASE = "https://sales.example.test"


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path)


def people(ctx: Context) -> dict[str, Actor]:
    for name, role, manager in (("admin", "admin", None), ("mia", "manager", None)):
        users.create_user(ctx, None, name, name.title(), role, manager, f"{name}@example.test")
    users.create_user(ctx, None, "rob", "Rob Rep", "rep", "mia", "rob@example.test")
    return {n: users.actor_for_username(ctx, n) for n in ("admin", "mia", "rob")}


def queue_one_mail(ctx: Context, clock: FakeClock) -> int:
    """Mail queued by a real use case: approving a stage notifies the deal's owner."""
    team = people(ctx)
    deal = deals.create_deal(ctx, team["rob"], "Rollout", "Acme", "5000")
    walk_to(ctx, team["rob"], team["mia"], deal.id, "quote_and_bid")
    queued = outbox.overview(ctx, team["admin"], "pending")["messages"]
    assert [m["recipient"] for m in queued] == ["rob@example.test"]
    return deal.id


def test_notification_mail_is_delivered_with_a_link_to_the_deal(
    ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    deal_id = queue_one_mail(ctx, clock)
    ctx.smtp_url, ctx.base_url, ctx.mail_from = (
        f"smtp://127.0.0.1:{smtp.port}",
        BASE,
        "Sales <sales@example.test>",
    )
    assert deliver_due(ctx) == 1
    [mail] = smtp.catcher.wait_for(1)
    assert mail["To"] == "rob@example.test"
    assert mail["From"] == "Sales <sales@example.test>"
    assert "Solution design" in mail["Subject"] or "approv" in mail["Subject"].lower()
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Hello Rob Rep," in text
    assert f"{BASE}/deals/{deal_id}" in text
    assert f'href="{BASE}/deals/{deal_id}"' in html
    admin = users.actor_for_username(ctx, "admin")
    [sent] = outbox.overview(ctx, admin, "sent")["messages"]
    assert mail["Message-ID"].startswith(f"<outbox.{sent['id']}.")
    assert mail["Message-ID"].endswith("@example.test>")
    assert mail["X-BpmnSales-Delivery"] == str(sent["id"])
    assert (sent["attempts"], sent["last_error"], sent["sent_at"]) == (
        1,
        None,
        clock.now.isoformat(),
    )
    assert deliver_due(ctx) == 0  # nothing is sent twice


def test_without_smtp_url_mail_waits_pending_and_says_why(
    sqlite_ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    ctx = sqlite_ctx
    queue_one_mail(ctx, clock)
    ctx.smtp_url = None
    assert deliver_due(ctx) == 0
    admin = users.actor_for_username(ctx, "admin")
    [waiting] = outbox.overview(ctx, admin, "pending")["messages"]
    assert (waiting["last_error"], waiting["attempts"]) == ("SMTP_URL is not set", 0)
    ctx.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    assert deliver_due(ctx) == 1
    assert len(smtp.catcher.wait_for(1)) == 1


def test_unreachable_server_backs_off_exponentially_then_fails_and_is_retried(
    sqlite_ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    ctx = sqlite_ctx
    queue_one_mail(ctx, clock)
    admin = users.actor_for_username(ctx, "admin")
    ctx.smtp_url = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    waits = []
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        assert deliver_due(ctx) == 1
        [row] = outbox.overview(ctx, admin)["messages"]
        assert (row["status"], row["attempts"]) == ("pending", attempt)
        assert "ConnectionRefusedError" in row["last_error"]
        due = row["next_attempt_at"]
        waits.append(due)
        clock.advance(seconds=1)
        assert deliver_due(ctx) == 0, "not due again before its backoff"
        clock.now = clock.now.fromisoformat(due)
    minutes = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert len(waits) == len(minutes)
    assert deliver_due(ctx) == 1  # the last attempt
    [dead] = outbox.overview(ctx, admin, "failed")["messages"]
    assert dead["attempts"] == delivery.MAX_ATTEMPTS
    assert dead["last_error"].startswith(f"gave up after {delivery.MAX_ATTEMPTS} attempts")
    clock.advance(days=2)
    assert deliver_due(ctx) == 0, "a failed message waits for someone to retry it"
    ctx.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    retried = outbox.retry_message(ctx, admin, dead["id"])
    assert (retried["status"], retried["attempts"]) == ("pending", 0)
    assert deliver_due(ctx) == 1
    assert len(smtp.catcher.wait_for(1)) == 1
    assert outbox.overview(ctx, admin)["counts"]["sent"] == 1


def test_backoff_schedule() -> None:
    minutes = [delivery.backoff(n).total_seconds() / 60 for n in range(1, 11)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]


def test_refused_recipient_fails_at_once(
    sqlite_ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    ctx = sqlite_ctx
    queue_one_mail(ctx, clock)
    smtp.catcher.refuse.add("rob@example.test")
    ctx.smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    result = deliver_pass(ctx)
    assert (result.attempted, result.failed) == (1, 1)
    admin = users.actor_for_username(ctx, "admin")
    [dead] = outbox.overview(ctx, admin, "failed")["messages"]
    assert "550" in dead["last_error"] and "no such mailbox" in dead["last_error"]


def test_starttls_with_auth(sqlite_ctx: Context, clock: FakeClock, cert: tuple[Path, Path]) -> None:
    ctx = sqlite_ctx
    server = start_smtp(tls="starttls", cert=cert, credentials=("mailer", "s3cret pass"))
    try:
        queue_one_mail(ctx, clock)
        ctx.smtp_url = (
            f"smtp+starttls://mailer:s3cret%20pass@127.0.0.1:{server.port}?cafile={cert[0]}"
        )
        assert deliver_pass(ctx).sent == 1
        assert len(server.catcher.wait_for(1)) == 1
        assert server.logins == [("mailer", "s3cret pass")]
    finally:
        server.stop()


def test_implicit_tls_and_a_wrong_password(
    sqlite_ctx: Context, clock: FakeClock, cert: tuple[Path, Path]
) -> None:
    ctx = sqlite_ctx
    server = start_smtp(tls="implicit", cert=cert, credentials=("mailer", "right"))
    try:
        queue_one_mail(ctx, clock)
        admin = users.actor_for_username(ctx, "admin")
        ctx.smtp_url = f"smtps://mailer:wrong@127.0.0.1:{server.port}?cafile={cert[0]}"
        assert deliver_pass(ctx).retrying == 1
        [row] = outbox.overview(ctx, admin, "pending")["messages"]
        assert "SMTPAuthenticationError" in row["last_error"]
        clock.advance(minutes=1)
        ctx.smtp_url = f"smtps://mailer:right@127.0.0.1:{server.port}?cafile={cert[0]}"
        assert deliver_pass(ctx).sent == 1
        assert len(server.catcher.wait_for(1)) == 1
    finally:
        server.stop()


def test_tls_is_verified_against_the_ca(
    sqlite_ctx: Context, clock: FakeClock, cert: tuple[Path, Path]
) -> None:
    """Without the test CA the self-signed certificate is refused: nothing is sent in clear."""
    ctx = sqlite_ctx
    server = start_smtp(tls="implicit", cert=cert)
    try:
        queue_one_mail(ctx, clock)
        ctx.smtp_url = f"smtps://127.0.0.1:{server.port}"
        assert deliver_pass(ctx).retrying == 1
        admin = users.actor_for_username(ctx, "admin")
        [row] = outbox.overview(ctx, admin, "pending")["messages"]
        assert "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
        assert server.catcher.messages == []
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.test", "scheme 'http'"),
        ("smtp://user:pw@mail.example.test", "unencrypted"),
        ("smtp://", "no host"),
    ],
)
def test_bad_smtp_url_keeps_mail_pending_with_the_reason(
    sqlite_ctx: Context, clock: FakeClock, url: str, problem: str
) -> None:
    ctx = sqlite_ctx
    queue_one_mail(ctx, clock)
    ctx.smtp_url = url
    assert deliver_due(ctx) == 0
    admin = users.actor_for_username(ctx, "admin")
    [row] = outbox.overview(ctx, admin, "pending")["messages"]
    assert problem in row["last_error"]
    assert problem in outbox.overview(ctx, admin)["mail"]["problem"]
