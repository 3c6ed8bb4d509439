"""Queries for what is kept beside a lead or deal: customers and contacts, approvals, notes,
files, orders and the history (part of the Store: persistence/store.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.persistence.models import (
    Approval,
    Attachment,
    Contact,
    Customer,
    Deal,
    HistoryEntry,
    Note,
    Order,
    table_of,
)
from bpmn_sales.persistence.prepared import Prepared
from bpmn_sales.persistence.queries.batches import Pending
from bpmn_sales.persistence.queries.delivery import NewHistory, announce_history
from bpmn_sales.persistence.queries.paging import Sort, read_page

ADD_HISTORY = Prepared(insert(table_of(HistoryEntry)))

HISTORY_SORTS = {
    "oldest": Sort("history.oldest", HistoryEntry.id),
    "newest": Sort("history.newest", HistoryEntry.id, descending=True),
}


class RecordQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
    pending: Pending | None

    # -- deal records ------------------------------------------------------------------
    def customer_by_name(self, name: str) -> Customer | None:
        return self.session.scalars(
            select(Customer).where(Customer.name == name).order_by(Customer.id)
        ).first()

    def contacts(self, customer_id: int | None) -> Sequence[Contact]:
        if customer_id is None:
            return []
        return self.session.scalars(
            select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
        ).all()

    def contact_count(self, customer_id: int | None) -> int:
        if customer_id is None:
            return 0
        return int(
            self.session.scalar(select(func.count()).where(Contact.customer_id == customer_id)) or 0
        )

    def rule_records(
        self, deal_ids: Sequence[int], customer_ids: Sequence[int]
    ) -> tuple[dict[int, Customer], dict[int, int], dict[int, list[Approval]]]:
        """What the sales rules read of many deals at once: their customers, contacts per
        customer and approvals per deal; three statements however many deals."""
        wanted = sorted(set(customer_ids))
        customers = {}
        if wanted:
            found = self.session.scalars(select(Customer).where(Customer.id.in_(wanted)))
            customers = {c.id: c for c in found}
        counts = (
            select(Contact.customer_id, func.count())
            .where(Contact.customer_id.in_(wanted))
            .group_by(Contact.customer_id)
        )
        contacts = {c: int(n) for c, n in self.session.execute(counts)} if wanted else {}
        approvals: dict[int, list[Approval]] = {d: [] for d in deal_ids}
        if deal_ids:
            query = select(Approval).where(Approval.deal_id.in_(deal_ids)).order_by(Approval.id)
            for approval in self.session.scalars(query):
                approvals[approval.deal_id].append(approval)
        return customers, contacts, approvals

    def approvals(self, deal_id: int) -> Sequence[Approval]:
        return self.session.scalars(
            select(Approval).where(Approval.deal_id == deal_id).order_by(Approval.id)
        ).all()

    def notes(self, subject_type: str, subject_id: int) -> Sequence[Note]:
        return self.session.scalars(
            select(Note)
            .where(Note.subject_type == subject_type, Note.subject_id == subject_id)
            .order_by(Note.id)
        ).all()

    def attachments(self, deal_id: int) -> Sequence[Attachment]:
        return self.session.scalars(
            select(Attachment).where(Attachment.deal_id == deal_id).order_by(Attachment.id)
        ).all()

    def orders(self, deal_id: int) -> Sequence[Order]:
        return self.session.scalars(
            select(Order).where(Order.deal_id == deal_id).order_by(Order.id)
        ).all()

    def order_count(self, deal_id: int) -> int:
        return int(self.session.scalar(select(func.count()).where(Order.deal_id == deal_id)) or 0)

    def participant_ids(self, deal_id: int, customer_id: int | None) -> list[int]:
        """Who completed an activity on the deal, then who added a contact to its customer on
        any deal (the contacts' internal owners): each once, in the order they first did."""
        worked = (HistoryEntry.subject_id == deal_id) & (HistoryEntry.action == "task_completed")
        added = HistoryEntry.action == "contact_added"
        if customer_id is not None:
            deals = select(Deal.id).where(Deal.customer_id == customer_id)
            added = added & HistoryEntry.subject_id.in_(deals)
        else:
            added = added & (HistoryEntry.subject_id == deal_id)
        rows = self.session.execute(
            select(HistoryEntry.actor_id, worked.label("worked"))
            .where(HistoryEntry.subject_type == "deal", worked | added)
            .order_by(HistoryEntry.id)
        ).all()
        ordered = [a for a, w in rows if w] + [a for a, w in rows if not w]
        return [a for a in dict.fromkeys(ordered) if a is not None]

    # -- history -----------------------------------------------------------------------
    def record(
        self,
        subject_type: str,
        subject_id: int,
        at: datetime,
        actor_id: int | None,
        action: str,
        *,
        from_stage: str | None = None,
        to_stage: str | None = None,
        from_status: str | None = None,
        to_status: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Write a history entry now (by SQL, not at the next flush) and announce it."""
        values: dict[str, Any] = {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "at": at,
            "actor_id": actor_id,
            "action": action,
            "from_stage": from_stage,
            "to_stage": to_stage,
            "from_status": from_status,
            "to_status": to_status,
            "detail": json.dumps(detail or {}, default=str),
        }
        if self.pending is not None:  # written with the batch's others (Store.batched)
            self.pending.history.append(values)
            return
        ADD_HISTORY(self.session.connection(), values)
        announce_history(self.session, [NewHistory(**values)])

    def history_page(
        self, subject_type: str, subject_id: int, sort: str, cursor: Cursor | None, limit: int
    ) -> Page[HistoryEntry]:
        """A page of a lead's or deal's history, oldest or newest first."""
        query = select(HistoryEntry).where(
            HistoryEntry.subject_type == subject_type, HistoryEntry.subject_id == subject_id
        )
        return read_page(self.session, query, HISTORY_SORTS[sort], cursor, limit)

    def history(self, subject_type: str, subject_id: int) -> Sequence[HistoryEntry]:
        return self.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.subject_type == subject_type, HistoryEntry.subject_id == subject_id)
            .order_by(HistoryEntry.id)
        ).all()
