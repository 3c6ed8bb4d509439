"""Queries for the two subjects a process runs on, leads and deals: the lists of pages and the
API, their names and versions (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, load_only
from sqlalchemy.sql.elements import ColumnElement

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.domain.policy import missing
from bpmn_sales.domain.search import prefix_range
from bpmn_sales.errors import NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import (
    Deal,
    Lead,
    Process,
    ProcessVersion,
    SearchTerm,
    User,
)
from bpmn_sales.persistence.queries.paging import Sort, capped_counts, read_page

# What a list row shows: never the instance state (tens of kilobytes a deal).
DEAL_LIST_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Deal.id,
    Deal.name,
    Deal.customer,
    Deal.value,
    Deal.currency,
    Deal.status,
    Deal.stage_key,
    Deal.stage_name,
    Deal.probability,
    Deal.owner_id,
    Deal.lead_id,
    Deal.reopened_from_id,
    Deal.lost_reason,
    Deal.closed_at,
    Deal.process_version_id,
    Deal.fields,
    Deal.stage_fields,
    Deal.expected_close_date,
    Deal.stage_entered_at,
    Deal.outcome_label,
    Deal.version,
    Deal.created_at,
    Deal.updated_at,  # when it last changed: quiet deals are flagged
)
DEAL_READ_COLUMNS = (
    *DEAL_LIST_COLUMNS,
    Deal.customer_id,
    Deal.activities_done,
    Deal.stages_reached,
)
LEAD_LIST_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Lead.id,
    Lead.name,
    Lead.company,
    Lead.email,
    Lead.phone,
    Lead.estimated_value,
    Lead.currency,
    Lead.status,
    Lead.owner_id,
    Lead.process_version_id,
    Lead.disqualify_reason,
    Lead.deal_id,
    Lead.version,
    Lead.created_at,
)

# The orders a list can be read in; each is an index range (migration 0010).
DEAL_SORTS = {
    "newest": Sort("deals.newest", Deal.id, descending=True),
    "value": Sort("deals.value", Deal.id, (Deal.value,), descending=True),
    "close": Sort("deals.close", Deal.id, (Deal.expected_close_date,), nullable=True),
    "name": Sort("deals.name", Deal.id, (Deal.name,)),
}
LEAD_SORTS = {
    "newest": Sort("leads.newest", Lead.id, descending=True),
    "value": Sort("leads.value", Lead.id, (Lead.estimated_value,), descending=True, nullable=True),
    "name": Sort("leads.name", Lead.id, (Lead.name,)),
}


@dataclass(frozen=True)
class DealFilters:
    """What a deals list is narrowed to; None (or empty) means no filter."""

    owner_ids: list[int] | None = None  # whose deals the reader may see (None: everyone's)
    owner_id: int | None = None
    status: str | None = None
    stage: str | None = None
    process_key: str | None = None
    words: tuple[str, ...] = ()  # each must begin a word of the name or the customer
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    close_from: date | None = None
    close_to: date | None = None


@dataclass(frozen=True)
class LeadFilters:
    owner_ids: list[int] | None = None
    owner_id: int | None = None
    status: str | None = None
    process_key: str | None = None
    words: tuple[str, ...] = ()  # each must begin a word of the name or the company
    value_min: Decimal | None = None
    value_max: Decimal | None = None


# Words are told apart by how many records they find up to this many (an index range count).
WORD_CAP = 10_000


def matching(
    session: Session, kind: str, words: Iterable[str], id_column: Any
) -> list[ColumnElement[bool]]:
    """One condition per word: the record has a search term beginning with it.

    The word matching fewest terms (each counted up to WORD_CAP + 1, all in one statement; on
    a tie the longest) picks the candidates; every other word is checked per candidate (index
    ix_search_terms_subject), so a word found everywhere ("inc", "deal") costs nothing more.
    When even the rarest finds more than WORD_CAP, each row the list reads is checked instead.
    """
    ranges = {word: prefix_range(word) for word in words}
    if not ranges:
        return []

    def terms_of(low: str, high: str) -> Any:
        return select(SearchTerm.subject_id).where(
            SearchTerm.subject_type == kind, SearchTerm.term >= low, SearchTerm.term < high
        )

    counts = capped_counts(session, {w: terms_of(*r) for w, r in ranges.items()}, WORD_CAP)
    rarest = min(ranges, key=lambda w: (counts.get(w, 0), -len(w)))
    conditions: list[ColumnElement[bool]] = []
    if counts.get(rarest, 0) <= WORD_CAP:
        conditions.append(id_column.in_(terms_of(*ranges[rarest])))
    # Otherwise every word finds most records: the list's own order reads them, each checked.
    for word, (low, high) in ranges.items():
        if conditions and word == rarest:
            continue
        conditions.append(
            exists().where(
                SearchTerm.subject_type == kind,
                SearchTerm.subject_id == id_column,
                SearchTerm.term >= low,
                SearchTerm.term < high,
            )
        )
    return conditions


def on_process(key: str) -> Any:
    return (
        select(ProcessVersion.id)
        .join(Process, Process.id == ProcessVersion.process_id)
        .where(Process.key == key)
    )


def _deal_conditions(session: Session, f: DealFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.owner_ids is not None:
        where.append(Deal.owner_id.in_(f.owner_ids))
    if f.owner_id is not None:
        where.append(Deal.owner_id == f.owner_id)
    if f.status:
        where.append(Deal.status == f.status)
    if f.stage:
        where.append(Deal.stage_key == f.stage)
    if f.process_key:
        where.append(Deal.process_version_id.in_(on_process(f.process_key)))
    if f.value_min is not None:
        where.append(Deal.value >= f.value_min)
    if f.value_max is not None:
        where.append(Deal.value <= f.value_max)
    if f.close_from is not None:
        where.append(Deal.expected_close_date >= f.close_from)
    if f.close_to is not None:
        where.append(Deal.expected_close_date <= f.close_to)
    return where + matching(session, "deal", f.words, Deal.id)


def _lead_conditions(session: Session, f: LeadFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.owner_ids is not None:
        where.append(Lead.owner_id.in_(f.owner_ids))
    if f.owner_id is not None:
        where.append(Lead.owner_id == f.owner_id)
    if f.status:
        where.append(Lead.status == f.status)
    if f.process_key:
        where.append(Lead.process_version_id.in_(on_process(f.process_key)))
    if f.value_min is not None:
        where.append(Lead.estimated_value >= f.value_min)
    if f.value_max is not None:
        where.append(Lead.estimated_value <= f.value_max)
    return where + matching(session, "lead", f.words, Lead.id)


class SubjectQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- leads and deals: the lists of the pages, the API and the CLI -------------------
    def deal_page(
        self, filters: DealFilters, sort: str, cursor: Cursor | None, limit: int
    ) -> Page[Deal]:
        """A page of deals: visible owners, then the list's filters, in the chosen order."""
        order = DEAL_SORTS[sort]
        query = select(Deal).options(load_only(*DEAL_LIST_COLUMNS, raiseload=True))
        query = query.where(*_deal_conditions(self.session, filters))
        return read_page(self.session, query, order, cursor, limit)

    def lead_page(
        self, filters: LeadFilters, sort: str, cursor: Cursor | None, limit: int
    ) -> Page[Lead]:
        """A page of leads: visible owners, then the list's filters, in the chosen order."""
        order = LEAD_SORTS[sort]
        query = select(Lead).options(load_only(*LEAD_LIST_COLUMNS, raiseload=True))
        query = query.where(*_lead_conditions(self.session, filters))
        return read_page(self.session, query, order, cursor, limit)

    def deals_by_id(self, deal_ids: Iterable[int]) -> dict[int, Deal]:
        """Many deals as a list shows them (no instance state), in one query."""
        wanted = set(deal_ids)
        if not wanted:
            return {}
        found = self.session.scalars(
            select(Deal)
            .options(load_only(*DEAL_LIST_COLUMNS, raiseload=True))
            .where(Deal.id.in_(wanted))
        )
        return {deal.id: deal for deal in found}

    def deal_for_reading(self, deal_id: int) -> Deal:
        """A deal with every column but its instance state (pages that only show it)."""
        found = (
            self.session.get(Deal, deal_id, options=[load_only(*DEAL_READ_COLUMNS)])
            if abs(deal_id) <= MAX_ID
            else None
        )
        if found is None:
            raise NotFound(_("deal %(id)s does not exist", id=deal_id), id=deal_id)
        return found

    def subject_owner(self, subject_type: str, subject_id: int) -> User:
        """The owner of a lead or deal, read without the record itself."""
        model: type[Lead] | type[Deal] = Lead if subject_type == "lead" else Deal
        owner = (
            self.session.scalars(
                select(User).join(model, model.owner_id == User.id).where(model.id == subject_id)
            ).first()
            if abs(subject_id) <= MAX_ID
            else None
        )
        if owner is None:
            raise NotFound(
                missing(subject_type, subject_id),
                id=subject_id,
            )
        return owner

    def reopened_as(self, deal_id: int) -> int | None:
        return self.session.scalar(select(Deal.id).where(Deal.reopened_from_id == deal_id))

    def reopened_as_many(self, deal_ids: Iterable[int]) -> dict[int, int]:
        """Old deal id -> the id of the deal that reopened it, for the deals that were."""
        wanted = set(deal_ids)
        if not wanted:
            return {}
        rows = self.session.execute(
            select(Deal.reopened_from_id, Deal.id).where(Deal.reopened_from_id.in_(wanted))
        )
        return {old: new for old, new in rows if old is not None}

    def count(self, model: type[Lead] | type[Deal] | type[User]) -> int:
        return int(self.session.scalar(select(func.count()).select_from(model)) or 0)

    # -- names and versions ------------------------------------------------------------
    def subject_facts(self, subject_type: str, ids: Iterable[int]) -> dict[int, tuple[str, int]]:
        """(name, process version id) of each lead or deal, in one query."""
        model: type[Lead] | type[Deal] = Lead if subject_type == "lead" else Deal
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(
            select(model.id, model.name, model.process_version_id).where(model.id.in_(wanted))
        )
        return {row.id: (row.name, row.process_version_id) for row in rows}
