"""Queries for the pipeline board and the process admin pages: board columns, a process's
open deals column by column and their counts (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Select

from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.persistence.models import BoardColumn, Deal, OpenRollup, ProcessVersion
from bpmn_sales.persistence.queries.paging import (
    Sort,
    capped_counts,
    first_pages,
    keyset,
    parts,
)


class BoardQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def own_process_ids(self, owner_ids: Sequence[int]) -> list[int]:
        """The processes of these owners' open deals, the one with most of them first (then the
        one of the newest deal)."""
        rows = self.session.execute(
            select(ProcessVersion.process_id, func.count(), func.max(Deal.id))
            .join(Deal, Deal.process_version_id == ProcessVersion.id)
            .where(Deal.owner_id.in_(owner_ids), Deal.status == "open")
            .group_by(ProcessVersion.process_id)
        )
        return [row[0] for row in sorted(rows, key=lambda row: (-row[1], -row[2]))]

    # -- board columns -----------------------------------------------------------------
    def board_columns(self, process_id: int) -> Sequence[BoardColumn]:
        return self.session.scalars(
            select(BoardColumn).where(BoardColumn.process_id == process_id)
        ).all()

    def add_board_column(
        self, process_id: int, stage_key: str, position: int | None, at: datetime
    ) -> None:
        self.session.add(
            BoardColumn(
                process_id=process_id, stage_key=stage_key, position=position, updated_at=at
            )
        )

    def delete_board_column(self, process_id: int, stage_key: str) -> None:
        self.session.execute(
            delete(BoardColumn).where(
                BoardColumn.process_id == process_id, BoardColumn.stage_key == stage_key
            )
        )

    # -- a process's open deals, column by column -------------------------------------
    def process_version_ids(self, process_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(ProcessVersion.id).where(ProcessVersion.process_id == process_id)
            )
        )

    def board_totals(
        self, version_ids: Sequence[int], owner_ids: Sequence[int] | None
    ) -> dict[str, tuple[int, dict[str, Decimal]]]:
        """Open deals at each stage: (count, value by currency), from the rollup of open deals
        (models/rollups.py, kept by triggers): a few rows whatever the number of deals."""
        r = OpenRollup
        query = select(r.stage_key, r.currency, func.sum(r.deals), func.sum(r.value_cents)).where(
            r.process_version_id.in_(version_ids), r.stage_key != ""
        )
        if owner_ids is not None:
            query = query.where(r.owner_id.in_(owner_ids))
        query = query.group_by(r.stage_key, r.currency).having(func.sum(r.deals) != 0)
        found: dict[str, tuple[int, dict[str, Decimal]]] = {}
        for stage, currency, count, cents in self.session.execute(query):
            number, sums = found.get(stage, (0, {}))
            sums[currency] = Decimal(int(cents or 0)).scaleb(-2)  # as NUMERIC(14, 2) sums
            found[stage] = (number + int(count), sums)
        return found

    def board_cards(
        self,
        version_ids: Sequence[int],
        owner_ids: Sequence[int] | None,
        totals: Mapping[str, int],
        limit: int,
    ) -> dict[str, Page[Any]]:
        """The first cards of every column, longest in their stage first, in one statement."""
        lists = {stage: parts(_cards(version_ids, owner_ids, stage), CARD_SORT) for stage in totals}
        return first_pages(self.session, lists, limit, totals)

    def column_cards(
        self,
        version_ids: Sequence[int],
        owner_ids: Sequence[int] | None,
        stage: str,
        cursor: Cursor | None,
        limit: int,
    ) -> Page[Any]:
        """A page of one column's cards from a cursor (its "show more")."""
        query = _cards(version_ids, owner_ids, stage)
        counted = [query.with_only_columns(Deal.id)]
        return keyset(
            self.session, parts(query, CARD_SORT), cursor, limit, count=counted, rows=True
        )

    def status_counts(
        self, version_ids: Sequence[int], owner_ids: Sequence[int] | None, statuses: Sequence[str]
    ) -> dict[str, int]:
        """Deals of each status on the versions, counted up to COUNT_CAP + 1, one statement."""
        queries = {}
        for status in statuses:
            query = select(Deal.id).where(
                Deal.process_version_id.in_(version_ids), Deal.status == status
            )
            if owner_ids is not None:
                query = query.where(Deal.owner_id.in_(owner_ids))
            queries[status] = query
        return capped_counts(self.session, queries)

    def status_counts_of(
        self, versions: Mapping[int, Sequence[int]], statuses: Sequence[str]
    ) -> dict[int, dict[str, int]]:
        """`status_counts` of many sets of versions (key -> version ids) in one statement."""
        queries = {
            (key, status): select(Deal.id).where(
                Deal.process_version_id.in_(ids), Deal.status == status
            )
            for key, ids in versions.items()
            if ids
            for status in statuses
        }
        counts = capped_counts(self.session, queries)
        found: dict[int, dict[str, int]] = {key: {} for key in versions}
        for (key, status), n in counts.items():
            found[key][status] = n
        return found

    def stage_counts(self, version_ids: Sequence[int], stages: Sequence[str]) -> dict[str, int]:
        """Deals of any status and owner at each stage, counted up to COUNT_CAP + 1."""
        queries = {
            stage: select(Deal.id).where(
                Deal.process_version_id.in_(version_ids), Deal.stage_key == stage
            )
            for stage in stages
        }
        return capped_counts(self.session, queries)

    def process_deal_counts(
        self, process_id: int, owner_ids: list[int] | None = None, stage_key: str | None = None
    ) -> dict[str, int]:
        """How many deals of a process are in each status (optionally: at one stage)."""
        query = (
            select(Deal.status, func.count())
            .join(ProcessVersion, ProcessVersion.id == Deal.process_version_id)
            .where(ProcessVersion.process_id == process_id)
        )
        if owner_ids is not None:
            query = query.where(Deal.owner_id.in_(owner_ids))
        if stage_key is not None:
            query = query.where(Deal.stage_key == stage_key)
        rows = self.session.execute(query.group_by(Deal.status))
        return {row[0]: int(row[1]) for row in rows}


CARD_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Deal.id,
    Deal.name,
    Deal.customer,
    Deal.value,
    Deal.currency,
    Deal.probability,
    Deal.owner_id,
    Deal.stage_entered_at,
    Deal.created_at,
    Deal.version,
    Deal.updated_at,
)
# Longest in the stage first: what a rep works on next. Index ix_deals_column.
CARD_SORT = Sort("cards", Deal.id, (Deal.stage_entered_at,), nullable=True)


def _cards(version_ids: Sequence[int], owner_ids: Sequence[int] | None, stage: str) -> Select[Any]:
    query = select(*CARD_COLUMNS).where(
        Deal.status == "open",
        Deal.stage_key == stage,
        Deal.process_version_id.in_(version_ids),
    )
    if owner_ids is not None:
        query = query.where(Deal.owner_id.in_(owner_ids))
    return query
