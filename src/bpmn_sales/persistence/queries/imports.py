"""Queries of an import: which of a batch's e-mails, external ids or deal names exist already
(part of the Store: persistence/store.py). One statement per batch of rows, never per row."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bpmn_sales.errors import Conflict
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, ImportJob, Lead
from bpmn_sales.persistence.queries import batches


class ImportQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
    pending: batches.Pending | None

    def lead_ids_by_email(self, emails: Collection[str]) -> dict[str, int]:
        """Lower-cased e-mail -> the id of a lead that has it (any case)."""
        if not emails:
            return {}
        key = func.lower(Lead.email)
        rows = self.session.execute(select(key, Lead.id).where(key.in_(list(emails))))
        return {email: lead_id for email, lead_id in rows}

    def ids_by_external_id(
        self, model: type[Lead] | type[Deal], external_ids: Collection[str]
    ) -> dict[str, int]:
        """External id -> the id of the lead or deal imported with it."""
        if not external_ids:
            return {}
        rows = self.session.execute(
            select(model.external_id, model.id).where(model.external_id.in_(list(external_ids)))
        )
        return {external_id: record_id for external_id, record_id in rows if external_id}

    def deal_ids_by_name(self, names: Collection[str]) -> dict[tuple[str, str], int]:
        """(lower-cased name, lower-cased customer or "") -> a deal's id, for those names."""
        if not names:
            return {}
        name, customer = func.lower(Deal.name), func.lower(func.coalesce(Deal.customer, ""))
        rows = self.session.execute(select(name, customer, Deal.id).where(name.in_(list(names))))
        return {(n, c): deal_id for n, c, deal_id in rows}

    def insert_leads(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert whole lead rows (every column's final value) in one statement, with their
        search terms in another; their ids in the order of `rows`."""
        try:
            return batches.insert_leads(self.session, rows)
        except IntegrityError as exc:  # e.g. two imports of one external id at the same time
            raise Conflict(
                _("the change conflicts with existing data: %(error)s", error=exc.orig)
            ) from None

    def insert_deals(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert whole deal rows (every column's final value, the instance's state included)
        in one statement, with their search terms in another; their ids in order."""
        try:
            return batches.insert_deals(self.session, rows)
        except IntegrityError as exc:
            raise Conflict(
                _("the change conflicts with existing data: %(error)s", error=exc.orig)
            ) from None

    def customer_ids(self, names: set[str], now: datetime) -> dict[str, int]:
        """Customer name -> id, the missing customers created; two statements at most."""
        return batches.customer_ids(self.session, names, now)

    def add_batched(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Keep new rows of `table` (work_items, timers, stage_visits) to be written with the
        batch's others when `Store.batched()` closes."""
        assert self.pending is not None, "only inside Store.batched()"
        self.pending.add(batches.TABLES[table], rows)

    def import_file_size(self, job_id: int) -> int:
        """The size of an import job's file, without reading it."""
        size = self.session.scalar(
            select(func.length(ImportJob.data)).where(ImportJob.id == job_id)
        )
        return int(size or 0)
