"""Queries for the process library: clones, versions in use, deletes (part of the Store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from bpmn_sales.domain.model import MAX_ID, DealStatus, LeadStatus
from bpmn_sales.persistence.models import Base, Deal, Lead, Process, ProcessVersion, Setting
from bpmn_sales.persistence.queries.paging import capped_counts

# Leads still in qualification; a qualified or disqualified lead counts as closed.
OPEN_LEAD = "new"
DEAL_STATUSES = [s.value for s in DealStatus]
LEAD_STATUSES = [s.value for s in LeadStatus]
# Never deleted with a process: the caller refuses while any uses it, and should one appear
# meanwhile (another transaction), its foreign key makes the delete fail instead.
KEPT = frozenset({"deals", "leads"})
# The highest process_versions.id ever deleted (SQLite only; see next_version_id).
HIGHEST_DELETED = "process_versions.highest_deleted_id"


@dataclass(frozen=True)
class Usage:
    """How many deals and leads run on a version (or on every version of a process).

    Each number is counted up to COUNT_CAP + 1: more than COUNT_CAP reads "1,000+".
    """

    deals_open: int = 0
    deals_closed: int = 0
    leads_open: int = 0
    leads_closed: int = 0

    @property
    def deals(self) -> int:
        return self.deals_open + self.deals_closed

    @property
    def leads(self) -> int:
        return self.leads_open + self.leads_closed

    @property
    def total(self) -> int:
        return self.deals + self.leads

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.deals_open + other.deals_open,
            self.deals_closed + other.deals_closed,
            self.leads_open + other.leads_open,
            self.leads_closed + other.leads_closed,
        )


class LibraryQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def version_usage_counts(self, version_ids: Sequence[int]) -> dict[int, Usage]:
        """Open and closed deals and leads on each of the versions (every id has an entry),
        each counted up to COUNT_CAP + 1 in one statement (index ranges of version, status)."""
        closed_deals = [s for s in DEAL_STATUSES if s != "open"]
        closed_leads = [s for s in LEAD_STATUSES if s != OPEN_LEAD]
        kinds: list[tuple[type[Deal] | type[Lead], list[str]]] = [
            (Deal, ["open"]),
            (Deal, closed_deals),
            (Lead, [OPEN_LEAD]),
            (Lead, closed_leads),
        ]
        queries: dict[tuple[int, int], Any] = {}
        for v in version_ids:
            for n, (model, statuses) in enumerate(kinds):
                queries[(v, n)] = select(model.id).where(
                    model.process_version_id == v, model.status.in_(statuses)
                )
        counts = capped_counts(self.session, queries)
        return {v: Usage(*(counts[(v, n)] for n in range(4))) for v in version_ids}

    def version_by_number(self, process_id: int, number: int) -> ProcessVersion | None:
        if abs(number) > MAX_ID:  # no column holds it; SQLite would overflow looking
            return None
        return self.session.scalars(
            select(ProcessVersion).where(
                ProcessVersion.process_id == process_id, ProcessVersion.version == number
            )
        ).first()

    def clones_of(self, process_id: int) -> Sequence[Process]:
        return self.session.scalars(
            select(Process).where(Process.template_id == process_id).order_by(Process.key)
        ).all()

    def process_by_id(self, process_id: int | None) -> Process | None:
        return self.session.get(Process, process_id) if process_id is not None else None

    def remove_versions(self, process_id: int, version_ids: Sequence[int], whole: bool) -> None:
        """Delete versions (and with `whole` the process) and every row that refers to them.

        Rows of any table with a foreign key to `processes.id` or `process_versions.id` go
        with them (a nullable reference without ON DELETE CASCADE is emptied instead), so a
        table another feature adds later is handled too. Deals and leads are never deleted:
        the caller has checked that none uses them.
        """
        targets: list[tuple[str, Sequence[int]]] = [("process_versions", version_ids)]
        if whole:
            targets.append(("processes", [process_id]))
        for table in reversed(Base.metadata.sorted_tables):
            for fk in table.foreign_keys:
                for name, ids in targets:
                    if fk.column.table.name != name or table.name in (name, *KEPT) or not ids:
                        continue
                    self._release(table, fk.parent.name, ids, fk.ondelete, fk.parent.nullable)
        if whole:  # clones of it lose their link (the self-reference of `processes`)
            self.session.execute(
                update(Process)
                .where(Process.template_id == process_id)
                .values(template_id=None, template_version=None)
            )
        if version_ids:
            self._remember_highest_id(max(version_ids))
            self.session.execute(delete(ProcessVersion).where(ProcessVersion.id.in_(version_ids)))
        if whole:
            self.session.execute(delete(Process).where(Process.id == process_id))
        self.session.expire_all()

    def next_version_id(self) -> int | None:
        """The id a new version must take so that no deleted version's id comes back.

        Caches in every server process map version ids to spec digests. PostgreSQL's
        sequence never hands out an id twice; SQLite gives the highest deleted row's id to
        the next insert, so there the id is chosen past the highest one ever deleted.
        None: let the database choose.
        """
        if self.session.get_bind().dialect.name != "sqlite":
            return None
        deleted = int((self.session.get(Setting, HIGHEST_DELETED) or Setting(value="0")).value)
        current = self.session.scalar(select(func.max(ProcessVersion.id))) or 0
        return deleted + 1 if deleted >= current else None

    def _remember_highest_id(self, version_id: int) -> None:
        row = self.session.get(Setting, HIGHEST_DELETED)
        if row is None:
            self.session.add(Setting(key=HIGHEST_DELETED, value=str(version_id)))
        elif int(row.value) < version_id:
            row.value = str(version_id)

    def _release(
        self, table: Table, column: str, ids: Sequence[int], ondelete: str | None, nullable: bool
    ) -> None:
        where = table.c[column].in_(ids)
        if nullable and (ondelete or "").upper() != "CASCADE":
            self.session.execute(update(table).where(where).values({column: None}))
        else:
            self.session.execute(delete(table).where(where))
