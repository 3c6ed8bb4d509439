"""Queries for delivery (part of the Store: persistence/store.py): claiming the outbox, webhooks.

Also the one place that sees every new history entry as it is written: `on_new_history`
lets a service add rows (webhook messages) to the same transaction, so they commit or roll back
with the change they report (RecordQueries.record calls `announce_history`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session, defer

from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.persistence.models import Deal, OutboxMessage, User, Webhook
from bpmn_sales.persistence.queries.paging import Sort, count_capped, read_page

OUTBOX_SORT = Sort("outbox", OutboxMessage.id, descending=True)


@dataclass(frozen=True, slots=True)
class NewHistory:
    """A history entry as it is written (the row's values but its id): what the history hooks
    are given. Not an ORM object: one was built for every entry (~12 us, a step's most costly
    object) only to be read by a hook that most times returns at once."""

    subject_type: str
    subject_id: int
    at: datetime
    actor_id: int | None
    action: str
    from_stage: str | None
    to_stage: str | None
    from_status: str | None
    to_status: str | None
    detail: str


HistoryHook = Callable[["DeliveryQueries", list[NewHistory]], None]
ANY_WEBHOOK = select(Webhook.__table__.c.id).where(Webhook.__table__.c.enabled.is_(True)).limit(1)
# A column other statements of a use case can carry (the task lookup does), so the history
# hook need not ask again in that transaction.
WEBHOOKS_ON = ANY_WEBHOOK.exists().label("webhooks_on")
_WEBHOOKS_KNOWN = "bpmn_sales.webhooks_on"
_history_hooks: list[HistoryHook] = []


def on_new_history(hook: HistoryHook) -> None:
    """Call `hook` with each history entry written, inside that transaction."""
    if hook not in _history_hooks:
        _history_hooks.append(hook)


class DeliveryQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- the outbox ----------------------------------------------------------------------
    def claim_outbox(
        self, now: datetime, lease_until: datetime, token: str, limit: int, channels: Sequence[str]
    ) -> list[OutboxMessage]:
        """Take up to `limit` due messages: pending ones whose time has come, and sending ones
        whose worker's lease ran out. A conditional UPDATE makes the claim; on PostgreSQL the
        candidates are read FOR UPDATE SKIP LOCKED, so concurrent workers take different rows."""
        due = or_(
            (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
            (OutboxMessage.status == "sending") & (OutboxMessage.lease_until <= now),
        )
        wanted = due & OutboxMessage.channel.in_(channels)
        ids = list(
            self.session.scalars(
                select(OutboxMessage.id)
                .where(wanted)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        claimed = self.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), wanted)
            .values(
                status="sending",
                claim_token=token,
                lease_until=lease_until,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage.id)
        ).all()
        return list(
            self.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id.in_(claimed))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .execution_options(populate_existing=True)
            )
        )

    def finish_outbox(self, message_id: int, token: str, **values: Any) -> bool:
        """Record how a claimed message went; False if the claim was lost (lease expired)."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claim_token == token,
                OutboxMessage.status == "sending",
            )
            .values(claim_token=None, lease_until=None, **values)
        )
        return bool(getattr(result, "rowcount", 0))

    def note_undeliverable(self, channel: str, error: str) -> int:
        """Say why pending messages of a channel wait (e.g. no mail server is configured)."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.status == "pending",
                or_(OutboxMessage.last_error.is_(None), OutboxMessage.last_error != error),
            )
            .values(last_error=error)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def retry_outbox(self, now: datetime, ids: Sequence[int] | None) -> int:
        """Put failed messages back in line (all failed ones when `ids` is None)."""
        query = update(OutboxMessage).where(OutboxMessage.status == "failed")
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        result = self.session.execute(
            query.values(status="pending", attempts=0, next_attempt_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def outbox(self, status: str | None, limit: int) -> Sequence[OutboxMessage]:
        query = select(OutboxMessage)
        if status:
            query = query.where(OutboxMessage.status == status)
        return self.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()

    def outbox_page(
        self, status: str | None, cursor: Cursor | None, limit: int
    ) -> Page[OutboxMessage]:
        """A page of outbox messages (optionally of one status), newest first, without bodies
        (the small payload comes along: a notice's subject is translated from it)."""
        query = select(OutboxMessage).options(defer(OutboxMessage.body, raiseload=True))
        if status:
            query = query.where(OutboxMessage.status == status)
        return read_page(self.session, query, OUTBOX_SORT, cursor, limit)

    def outbox_counts(self, statuses: Sequence[str]) -> dict[str, tuple[int, bool]]:
        """(messages, exact) of each status, counted up to COUNT_CAP + 1 (an index range)."""
        return {
            status: count_capped(
                self.session, select(OutboxMessage.id).where(OutboxMessage.status == status)
            )
            for status in statuses
        }

    def fail_webhook_messages(self, webhook_id: int, error: str) -> int:
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.webhook_id == webhook_id, OutboxMessage.status == "pending")
            .values(status="failed", last_error=error)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # -- webhooks --------------------------------------------------------------------------
    def any_webhook_enabled(self) -> bool:
        """Whether some webhook is on (a cheap check before every history entry's events),
        as a statement of this transaction already read it (`knows_webhooks`), else by a query."""
        known = self.session.info.get(_WEBHOOKS_KNOWN)
        if known is not None:
            return bool(known)
        return self.session.connection().execute(ANY_WEBHOOK).first() is not None

    def webhooks(self, enabled_only: bool = False) -> Sequence[Webhook]:
        query = select(Webhook)
        if enabled_only:
            query = query.where(Webhook.enabled.is_(True))
        return self.session.scalars(query.order_by(Webhook.id)).all()

    def webhook(self, webhook_id: int) -> Webhook | None:
        return self.session.get(Webhook, webhook_id)

    def deal_and_people(self, deal_id: int, actor_id: int | None) -> tuple[Deal, str, str | None]:
        """A deal (as this transaction sees it), its owner's and the actor's user names."""
        deal = self.session.get(Deal, deal_id)
        assert deal is not None, f"history names deal {deal_id}, which does not exist"
        ids = {deal.owner_id} | ({actor_id} if actor_id is not None else set())
        rows = self.session.execute(select(User.id, User.username).where(User.id.in_(ids)))
        names = {row.id: row.username for row in rows}
        return deal, names[deal.owner_id], names.get(actor_id) if actor_id else None

    def add(self, obj: object) -> None:
        self.session.add(obj)


class _SessionQueries(DeliveryQueries):
    def __init__(self, session: Session) -> None:
        self.session = session


def knows_webhooks(session: Session, enabled: bool) -> None:
    """Remember for this session's transaction whether any webhook is on, as a statement of it
    read `WEBHOOKS_ON`; forgotten when the transaction ends (a session per unit of work)."""
    session.info[_WEBHOOKS_KNOWN] = enabled


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_webhooks(session: Session) -> None:
    session.info.pop(_WEBHOOKS_KNOWN, None)


def announce_history(session: Session, entries: list[NewHistory]) -> None:
    """Run the history hooks on entries being written in the session's transaction."""
    for hook in _history_hooks:
        hook(_SessionQueries(session), entries)
