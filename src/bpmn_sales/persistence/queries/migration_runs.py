"""Queries for migration runs: moving running deals between versions (part of the Store)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import Deal, MigrationRun, WorkItem


class MigrationQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def deals_on_versions(
        self,
        version_ids: Collection[int],
        status: str = "open",
        skip: Collection[int] = (),
        limit: int | None = None,
    ) -> Sequence[Deal]:
        """Deals of a status on some versions, oldest first, leaving out `skip`."""
        query = select(Deal).where(Deal.process_version_id.in_(version_ids), Deal.status == status)
        if skip:
            query = query.where(Deal.id.not_in(skip))
        return self.session.scalars(query.order_by(Deal.id).limit(limit)).all()

    def count_on_versions(
        self, version_ids: Collection[int], open_deals: bool = True, skip: Collection[int] = ()
    ) -> int:
        """How many deals (open ones, or closed ones) are on some versions, leaving out `skip`."""
        query = select(func.count()).select_from(Deal)
        query = query.where(Deal.process_version_id.in_(version_ids))
        query = query.where((Deal.status == "open") if open_deals else (Deal.status != "open"))
        if skip:
            query = query.where(Deal.id.not_in(skip))
        return int(self.session.scalar(query) or 0)

    def migration_runs(self, process_id: int, limit: int = 20) -> Sequence[MigrationRun]:
        """A process's migration runs, newest first."""
        query = select(MigrationRun).where(MigrationRun.process_id == process_id)
        return self.session.scalars(query.order_by(MigrationRun.id.desc()).limit(limit)).all()

    def count_moved(self, run_id: int) -> None:
        """One more deal moved by the run (in the deal's own transaction, so a crash keeps
        the count exact)."""
        self.session.execute(
            update(MigrationRun)
            .where(MigrationRun.id == run_id)
            .values(moved=MigrationRun.moved + 1)
            .execution_options(synchronize_session=False)
        )

    def relabel_work_items(self, items: Mapping[str, Mapping[str, Any]]) -> None:
        """Give kept work-item rows (task id -> columns) what the new version calls them.

        The projection keeps a row whose task id did not change (and its claim); after a
        migration the same task may have a new title, element, lane or stage.
        """
        for task_id, values in items.items():
            row = self.session.get(WorkItem, task_id)
            if row is not None:
                for name, value in values.items():
                    if getattr(row, name) != value:
                        setattr(row, name, value)
