"""Queries for migration runs: moving running deals between versions (part of the Store)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bpmn_sales.domain.paging import Cursor, Page
from bpmn_sales.persistence.models import (
    Deal,
    FunnelRollup,
    MigrationRun,
    OpenRollup,
    ProcessVersion,
    WorkItem,
)
from bpmn_sales.persistence.queries.paging import Sort, keyset, parts

# The migration preview's order: oldest deal first, the order a run moves them in.
PREVIEW_SORT = Sort("oldest", Deal.id)


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
        """How many deals (open ones, or closed ones) are on some versions, leaving out `skip`
        (without `skip`, summed from the rollups: a few rows whatever the number of deals)."""
        if not skip:
            kept = (
                select(func.sum(OpenRollup.deals)).where(
                    OpenRollup.process_version_id.in_(version_ids)
                )
                if open_deals
                else select(func.sum(FunnelRollup.deals)).where(
                    FunnelRollup.process_version_id.in_(version_ids),
                    FunnelRollup.status != "open",
                )
            )
            return int(self.session.scalar(kept) or 0)
        query = select(func.count()).select_from(Deal)
        query = query.where(Deal.process_version_id.in_(version_ids))
        query = query.where((Deal.status == "open") if open_deals else (Deal.status != "open"))
        if skip:
            query = query.where(Deal.id.not_in(skip))
        return int(self.session.scalar(query) or 0)

    def open_deal_page(
        self, version_ids: Collection[int], cursor: Cursor | None, limit: int, total: int
    ) -> Page[Deal]:
        """A page of the open deals on some versions, oldest first (`total`: counted already)."""
        query = select(Deal).where(Deal.process_version_id.in_(version_ids), Deal.status == "open")
        page = keyset(self.session, parts(query, PREVIEW_SORT), cursor, limit, count=[])
        return Page(page.items, page.next, page.previous, total, exact=True)

    def open_positions(self, version_ids: Collection[int]) -> list[tuple[int, str | None, int]]:
        """(version id, stage key, open deals) of the open deals on some versions, summed from
        the rollup of open deals (a few rows whatever the number of deals)."""
        r = OpenRollup
        query = (
            select(r.process_version_id, r.stage_key, func.sum(r.deals))
            .where(r.process_version_id.in_(version_ids))
            .group_by(r.process_version_id, r.stage_key)
            .having(func.sum(r.deals) != 0)
        )
        return [(v, s or None, int(n)) for v, s, n in self.session.execute(query)]

    def open_by_version(self, process_id: int) -> dict[int, int]:
        """Open deals on each version of a process (version id -> count), in one statement
        over the rollup of open deals."""
        r = OpenRollup
        query = (
            select(r.process_version_id, func.sum(r.deals))
            .join(ProcessVersion, ProcessVersion.id == r.process_version_id)
            .where(ProcessVersion.process_id == process_id)
            .group_by(r.process_version_id)
            .having(func.sum(r.deals) != 0)
        )
        return {v: int(n) for v, n in self.session.execute(query)}

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
