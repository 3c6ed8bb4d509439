"""Use cases on the outbox for admins: what waits, what failed and why, retry."""

from __future__ import annotations

from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.paging import DEFAULT_LIMIT, checked_limit, count_text, decode_cursor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import OutboxMessage
from bpmn_sales.persistence.queries.delivery import OUTBOX_SORT
from bpmn_sales.services.delivery import mail, texts

STATUSES = ("pending", "sending", "sent", "failed")


def check_status(status: str | None) -> str | None:
    if status in (None, ""):
        return None
    if status not in STATUSES:
        raise InvalidInput(
            _(
                "status %(status)s is not one of %(known)s",
                status=repr(status),
                known=", ".join(STATUSES),
            ),
            field="status",
        )
    return status


def message_dict(m: OutboxMessage) -> dict[str, Any]:
    def at(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": m.id,
        "channel": m.channel,
        "recipient": m.recipient,
        # A notice's subject in the reader's language (stored as a phrase); others as stored.
        "subject": texts.shown((m.payload or {}).get("subject_phrase"), m.subject),
        "status": m.status,
        "attempts": m.attempts,
        "created_at": m.created_at.isoformat(),
        "next_attempt_at": at(m.next_attempt_at) if m.status == "pending" else None,
        "lease_until": at(m.lease_until),
        "sent_at": at(m.sent_at),
        "last_error": m.last_error,
        "webhook_id": m.webhook_id,
    }


def mail_settings(ctx: Context) -> dict[str, Any]:
    """How mail goes out, for the admin page: the SMTP URL without its password, or why not."""
    try:
        server: str | None = mail.parse_smtp_url(ctx.smtp_url).describe()
        problem = None
    except mail.MailConfigError as exc:
        server, problem = None, str(exc)
    return {"server": server, "problem": problem, "from": ctx.mail_from, "base_url": ctx.base_url}


def overview(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Counts by status ("1,000+" past COUNT_CAP) and a page of the newest messages
    (optionally of one status): `messages` is that page."""
    require_admin(actor, _("read the outbox"))
    wanted = check_status(status)
    size = checked_limit(limit)
    at = decode_cursor(cursor, OUTBOX_SORT.name)
    with ctx.uow() as store:
        counts = store.outbox_counts(STATUSES)
        page = store.outbox_page(wanted, at, size)
        # Read the rows while the session is open: leaving it expires them.
        messages = page.map(lambda rows: [message_dict(m) for m in rows])
    return {
        "counts": {s: n for s, (n, _) in counts.items()},
        "counts_text": {s: count_text(n) for s, (n, _) in counts.items()},
        "messages": messages,
        "mail": mail_settings(ctx),
    }


def retry_message(ctx: Context, actor: Actor, message_id: int) -> dict[str, Any]:
    """Put one failed message back in line, due now, with a fresh count of attempts."""
    require_admin(actor, _("retry outbox messages"))
    with ctx.uow() as store:
        message = store.get(OutboxMessage, message_id, "outbox message")
        if message.status != "failed":
            raise InvalidState(
                _(
                    "outbox message %(id)s is %(status)s; only a failed one is retried",
                    id=message_id,
                    status=message.status,
                ),
                status=message.status,
            )
        if message.channel == "webhook" and (
            message.webhook_id is None or store.webhook(message.webhook_id) is None
        ):
            raise InvalidState(
                _(
                    "outbox message %(id)s is for webhook %(webhook)s, which was removed; there "
                    "is nowhere to send it",
                    id=message_id,
                    webhook=message.webhook_id,
                )
            )
        store.retry_outbox(ctx.clock(), [message_id])
        store.commit()
        store.session.refresh(message)
        return message_dict(message)


def retry_failed(ctx: Context, actor: Actor) -> int:
    """Put every failed message back in line; returns how many."""
    require_admin(actor, _("retry outbox messages"))
    with ctx.uow() as store:
        count = store.retry_outbox(ctx.clock(), None)
        store.commit()
        return count


def get_message(ctx: Context, actor: Actor, message_id: int) -> dict[str, Any]:
    require_admin(actor, _("read the outbox"))
    with ctx.uow() as store:
        message = store.session.get(OutboxMessage, message_id)
        if message is None:
            raise NotFound(_("outbox message %(id)s does not exist", id=message_id), id=message_id)
        return {**message_dict(message), "body": message.body}
