"""Queries for the pipeline board and the process admin pages: board columns, a process's
deals and their counts (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import BoardColumn, Deal, ProcessVersion


class BoardQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

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

    # -- a process's deals -------------------------------------------------------------
    def process_deals(
        self, process_id: int, owner_ids: list[int] | None, status: str | None = None
    ) -> Sequence[Deal]:
        """Deals on any version of a process, oldest first."""
        query = (
            select(Deal)
            .join(ProcessVersion, ProcessVersion.id == Deal.process_version_id)
            .where(ProcessVersion.process_id == process_id)
        )
        if owner_ids is not None:
            query = query.where(Deal.owner_id.in_(owner_ids))
        if status:
            query = query.where(Deal.status == status)
        return self.session.scalars(query.order_by(Deal.id)).all()

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
