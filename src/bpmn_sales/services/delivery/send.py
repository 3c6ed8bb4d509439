"""Deliver the outbox: mail over SMTP and signed webhooks, with retries and backoff (issue 7).

A pass claims due messages in a short transaction (status 'sending', a claim token and a
lease), sends each one outside any transaction, and records each outcome at once in another
short transaction: sent; pending again after an exponential backoff; or failed (dead, shown on
/admin/delivery, retryable) after MAX_ATTEMPTS or a refusal no retry can fix.

A worker killed mid-pass loses nothing: what it had claimed but not finished goes back in line
when its lease runs out. Delivery is at least once: a worker killed after a receiver took a
message but before the outcome was written sends it again after the lease, under the same
Message-ID / X-BpmnSales-Delivery, so the receiver can drop the repeat.
"""

from __future__ import annotations

import json
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.i18n import _, current_language, use_language, use_time_zone
from bpmn_sales.persistence.models import OutboxMessage, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.delivery import mail, texts
from bpmn_sales.services.delivery.webhook_http import WEBHOOK_TIMEOUT, WebhookFailed, headers, post

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=10)
LEASE_MARGIN = timedelta(minutes=1)
CLAIM_BATCH = 10
MAX_ERROR = 1000


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1 min, 2, 4, ... at most 6 h."""
    wait: timedelta = BACKOFF_BASE * 2 ** max(0, attempts - 1)
    return min(wait, BACKOFF_CAP)


@dataclass
class PassResult:
    attempted: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claimed, but the lease ran short before its turn: left for later

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Claimed:
    """A claimed message, read out of its transaction."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    lease_until: datetime
    name: str  # the recipient's full name (mail)
    language: str | None  # the recipient's own language (mail), if they chose one
    secret: str | None  # the webhook's signing secret
    refusal: str | None  # why it cannot be sent at all (e.g. its webhook was removed)


class Failure(Exception):
    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def deliver_due(ctx: Context, limit: int = 100) -> int:
    """Send up to `limit` outbox messages that are due; return how many were attempted."""
    return deliver_pass(ctx, limit).attempted


def deliver_pass(ctx: Context, limit: int = 100) -> PassResult:
    """One delivery pass, with what became of the messages it took."""
    result = PassResult()
    channels = ["webhook"]
    settings: mail.SmtpSettings | None = None
    try:
        settings = mail.parse_smtp_url(ctx.smtp_url)
        channels.append("mail")
    except mail.MailConfigError as exc:
        # Mail waits, pending and counted as no attempt, until SMTP_URL is set right.
        with ctx.uow() as store:
            store.note_undeliverable("mail", str(exc))
            store.commit()
    token = uuid.uuid4().hex
    mailer = mail.Mailer(settings) if settings else None
    claimed = 0
    unreachable: dict[str, Failure] = {}
    try:
        while claimed < limit:
            batch = _claim(ctx, token, min(CLAIM_BATCH, limit - claimed), channels)
            if not batch:
                break
            claimed += len(batch)
            for message in batch:
                if ctx.clock() >= message.lease_until - LEASE_MARGIN:
                    result.skipped += 1
                    continue
                result.attempted += 1
                failure = _send(ctx, message, mailer, unreachable)
                _finish(ctx, token, message, failure, result)
    finally:
        if mailer is not None:
            mailer.close()
    return result


def _claim(ctx: Context, token: str, limit: int, channels: list[str]) -> list[Claimed]:
    now = ctx.clock()
    with ctx.uow() as store:
        rows = store.claim_outbox(now, now + LEASE, token, limit, channels)
        claimed = [_claimed(store, m) for m in rows]
        store.commit()
        return claimed


def _claimed(store: Store, m: OutboxMessage) -> Claimed:
    name, secret, refusal, language = m.recipient, None, None, None
    if m.channel == "mail" and m.user_id is not None:
        user = store.session.get(User, m.user_id)
        name = user.full_name if user else name
        language = user.language if user else None
    elif m.channel == "webhook":
        hook = store.webhook(m.webhook_id) if m.webhook_id is not None else None
        if hook is None:
            refusal = _("webhook %(webhook)s was removed", webhook=m.webhook_id)
        elif not hook.enabled:
            refusal = _("webhook %(webhook)s is disabled; enable it, then retry", webhook=hook.id)
        else:  # sent to the webhook's URL as it is now (an admin may have changed it)
            m.recipient, secret = hook.url, hook.secret
    elif m.channel != "mail":
        refusal = _("unknown channel %(channel)s", channel=repr(m.channel))
    assert m.lease_until is not None
    return Claimed(
        m.id,
        m.channel,
        m.recipient,
        m.subject,
        m.body,
        dict(m.payload or {}),
        m.attempts,
        m.created_at,
        m.lease_until,
        name,
        language,
        secret,
        refusal,
    )


def deal_link(ctx: Context, deal_id: object) -> str | None:
    if not isinstance(deal_id, int):
        return None
    return f"{ctx.base_url.rstrip('/')}/deals/{deal_id}"


def _send(
    ctx: Context, message: Claimed, mailer: mail.Mailer | None, unreachable: dict[str, Failure]
) -> Failure | None:
    """Send one message; the failure if it was not taken. `unreachable` remembers the webhook
    URLs that did not answer in this pass, so their other messages do not wait out a timeout."""
    try:
        if message.refusal:
            raise Failure(message.refusal, permanent=True)
        if message.channel == "mail":
            assert mailer is not None
            mailer.send(_mail(ctx, message))
        elif message.recipient in unreachable:
            return unreachable[message.recipient]
        else:
            _post_webhook(ctx, message)
    except Failure as failure:
        return failure
    except mail.MailRefused as exc:
        return Failure(str(exc), permanent=True)
    except WebhookFailed as exc:
        not_taken = Failure(str(exc), permanent=False)
        if exc.status is None:
            unreachable[message.recipient] = not_taken
        return not_taken
    except (OSError, smtplib.SMTPException) as exc:
        return Failure(f"{type(exc).__name__}: {exc}", permanent=False)
    except Exception as exc:  # a fault of ours must not stop the other messages; it shows
        return Failure(f"internal error: {type(exc).__name__}: {exc}", permanent=False)
    return None


def _mail(ctx: Context, message: Claimed) -> Any:
    """The mail in the recipient's language (else the one in force): a notice's subject and
    text are stored as phrases and translated now; older rows have their English text only."""
    link = deal_link(ctx, message.payload.get("deal_id"))
    # The recipient's language and time zone, chosen when the mail was queued (notices.py);
    # older rows: their own language if they chose one, else the one in force.
    language, zone = message.payload.get("language"), message.payload.get("time_zone")
    with (
        use_language(
            language if isinstance(language, str) else message.language or current_language()
        ),
        use_time_zone(zone if isinstance(zone, str) else None),
    ):
        subject = texts.shown(message.payload.get("subject_phrase"), message.subject)
        body = texts.shown(message.payload.get("text_phrase"), message.body)
        email = mail.render(subject, body, message.name, link, ctx.mail_from, message.recipient)
    mail.stamp(email, message.id, message.created_at, ctx.mail_from)
    return email


def _post_webhook(ctx: Context, message: Claimed) -> None:
    assert message.secret is not None
    now = ctx.clock()
    data = json.loads(message.body)
    data.update(delivery_id=message.id, sent_at=now.isoformat())
    if isinstance(data.get("deal"), dict):
        data["deal"]["url"] = deal_link(ctx, data["deal"].get("id"))
    raw = json.dumps(data, sort_keys=True).encode()
    sent = headers(message.secret, raw, message.subject, str(message.id), int(now.timestamp()))
    post(message.recipient, raw, sent, WEBHOOK_TIMEOUT, ctx.outbound_allow)


def _finish(
    ctx: Context, token: str, message: Claimed, failure: Failure | None, result: PassResult
) -> None:
    now = ctx.clock()
    values: dict[str, Any]
    if failure is None:
        values = {"status": "sent", "sent_at": now, "last_error": None}
        result.sent += 1
    elif failure.permanent or message.attempts >= MAX_ATTEMPTS:
        values = {"status": "failed", "last_error": _error(failure, message)}
        result.failed += 1
    else:
        wait = backoff(message.attempts)
        values = {
            "status": "pending",
            "next_attempt_at": now + wait,
            "last_error": str(failure)[:MAX_ERROR],
        }
        result.retrying += 1
    with ctx.uow() as store:
        store.finish_outbox(message.id, token, **values)
        store.commit()


def _error(failure: Failure, message: Claimed) -> str:
    text = str(failure)[:MAX_ERROR]
    if failure.permanent:
        return text
    return _("gave up after %(count)s attempts: %(error)s", count=message.attempts, error=text)[
        :MAX_ERROR
    ]
