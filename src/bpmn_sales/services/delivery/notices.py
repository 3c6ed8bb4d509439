"""In-app notifications and the mail outbox, written in the transaction of the change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.paging import DEFAULT_LIMIT, Page, checked_limit, decode_cursor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine import WorkItem
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, Notification, OutboxMessage, User
from bpmn_sales.persistence.queries.delivery import OUTBOX_SORT
from bpmn_sales.persistence.queries.notifications import NOTIFICATION_SORT
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.delivery import outbox, texts
from bpmn_sales.services.delivery.texts import Phrase
from bpmn_sales.services.people.preferences import COMPANY_KEYS, user_preferences
from bpmn_sales.tasks import notifications
from bpmn_sales.tasks.notifications import Directory


def notify(
    ctx: Context,
    store: Store,
    parties: Iterable[str],
    directory: Directory,
    deal: Deal,
    kind: str,
    subject: Phrase,
    text: Phrase | str,
) -> list[int]:
    """Notify everyone the parties name: a notification each, and an outbox mail if they have
    an address (the worker delivers it). Returns the user ids notified.

    A phrase is stored with its English text: each reader gets it in their own language when
    it is listed or mailed. A plain `text` (a diagram's own words) is stored as it is. The mail
    remembers the recipient's language and time zone (theirs, else the company's) for the
    worker, which renders it in them."""
    now = ctx.clock()
    phrase = text if isinstance(text, Phrase) else None
    english = phrase.english() if phrase else str(text)
    stored = phrase.to_json() if phrase else None
    user_ids = notifications.recipients(parties, directory)
    company = store.settings_of(COMPANY_KEYS) if user_ids else {}
    for user_id in user_ids:
        store.add(
            Notification(
                user_id=user_id,
                subject_type="deal",
                subject_id=deal.id,
                kind=kind,
                message=english,
                phrase=stored,
                created_at=now,
            )
        )
        user = store.session.get(User, user_id)
        if user is not None and user.email:
            chosen = user_preferences(user, company)
            store.add(
                OutboxMessage(
                    channel="mail",
                    recipient=user.email,
                    user_id=user_id,
                    subject=subject.english(),
                    body=english,
                    payload={
                        "kind": kind,
                        "deal_id": deal.id,
                        "subject_phrase": subject.to_json(),
                        "text_phrase": stored,
                        "language": chosen.language or chosen.company.language,
                        "time_zone": chosen.time_zone_in_force,
                    },
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return user_ids


def completion_text(title: str, deal: Deal, actor: Actor) -> tuple[Phrase, Phrase]:
    return texts.completion(title, deal.name, deal.id, actor.username)


def approval_text(
    item: WorkItem, deal: Deal, detail: dict[str, Any], actor: Actor
) -> tuple[Phrase, Phrase]:
    stage = item.stage.name if item.stage else item.title
    return texts.approval(
        stage, deal.name, deal.id, str(detail["decision"]), actor.username, str(detail["comment"])
    )


@dataclass(frozen=True)
class NoticeList:
    """A page of someone's notifications and how many of all of them are unread."""

    unread: int
    page: Page[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"unread": self.unread, "notifications": list(self.page)}


def list_notifications(
    ctx: Context,
    actor: Actor,
    unread_only: bool = False,
    limit: int | None = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> NoticeList:
    """A page of the actor's notifications, newest first, with the unread count."""
    size = checked_limit(limit)
    at = decode_cursor(cursor, NOTIFICATION_SORT.name)
    with ctx.uow() as store:
        page = store.notification_page(actor.id, unread_only, at, size)
        unread = store.unread_count(actor.id)
        # Read the rows while the session is open: leaving it expires them.
        return NoticeList(unread, page.map(lambda rows: [_notice(n) for n in rows]))


def _notice(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "message": texts.shown(n.phrase, n.message),
        "subject_type": n.subject_type,
        "subject_id": n.subject_id,
        "created_at": n.created_at.isoformat(),
        "read_at": n.read_at.isoformat() if n.read_at else None,
    }


def mark_read(ctx: Context, actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when no ids are given)."""
    if ids is not None and (
        not isinstance(ids, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise InvalidInput(_("ids must be a list of notification ids"), field="ids")
    with ctx.uow() as store:
        count = store.mark_read(actor.id, ids, ctx.clock())
        store.commit()
        return count


def list_outbox(
    ctx: Context,
    actor: Actor,
    status: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[dict[str, Any]]:
    """A page of outbox messages, newest first (admin); the fields are outbox.message_dict's."""
    require_admin(actor, _("read the outbox"))
    wanted = outbox.check_status(status)
    size = checked_limit(limit)
    at = decode_cursor(cursor, OUTBOX_SORT.name)
    with ctx.uow() as store:
        page = store.outbox_page(wanted, at, size)
        return page.map(lambda rows: [outbox.message_dict(m) for m in rows])


def unread_count(ctx: Context, actor: Actor) -> int:
    """How many in-app notifications `actor` has not read (the web header shows it)."""
    with ctx.uow() as store:
        return store.unread_count(actor.id)
