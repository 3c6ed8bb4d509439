"""Queries for the two subjects a process runs on, leads and deals: the lists of pages and the
API, their names and versions (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import Deal, Lead, Process, ProcessVersion, User


class SubjectQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- leads and deals ---------------------------------------------------------------
    def leads(self, owner_ids: list[int] | None, status: str | None, limit: int) -> Sequence[Lead]:
        query = select(Lead)
        if owner_ids is not None:
            query = query.where(Lead.owner_id.in_(owner_ids))
        if status:
            query = query.where(Lead.status == status)
        return self.session.scalars(query.order_by(Lead.id.desc()).limit(limit)).all()

    def deals(
        self, owner_ids: list[int] | None, status: str | None, stage: str | None, limit: int
    ) -> Sequence[Deal]:
        query = select(Deal)
        if owner_ids is not None:
            query = query.where(Deal.owner_id.in_(owner_ids))
        if status:
            query = query.where(Deal.status == status)
        if stage:
            query = query.where(Deal.stage_key == stage)
        return self.session.scalars(query.order_by(Deal.id.desc()).limit(limit)).all()

    def reopened_as(self, deal_id: int) -> int | None:
        return self.session.scalar(select(Deal.id).where(Deal.reopened_from_id == deal_id))

    def count(self, model: type[Lead] | type[Deal] | type[User]) -> int:
        return int(self.session.scalar(select(func.count()).select_from(model)) or 0)

    # -- deals page and leads page -----------------------------------------------------
    def deal_list(
        self,
        owner_ids: list[int] | None,
        status: str | None,
        stage: str | None,
        process_key: str | None,
        owner_id: int | None,
        limit: int,
    ) -> Sequence[Deal]:
        """Deals for the deals page: visible owners, then the page's filters, newest first."""
        query = select(Deal)
        if owner_ids is not None:
            query = query.where(Deal.owner_id.in_(owner_ids))
        if owner_id is not None:
            query = query.where(Deal.owner_id == owner_id)
        if status:
            query = query.where(Deal.status == status)
        if stage:
            query = query.where(Deal.stage_key == stage)
        if process_key:
            versions = (
                select(ProcessVersion.id)
                .join(Process, Process.id == ProcessVersion.process_id)
                .where(Process.key == process_key)
            )
            query = query.where(Deal.process_version_id.in_(versions))
        return self.session.scalars(query.order_by(Deal.id.desc()).limit(limit)).all()

    def lead_list(
        self, owner_ids: list[int] | None, status: str | None, owner_id: int | None, limit: int
    ) -> Sequence[Lead]:
        """Leads for the leads page: visible owners, then the page's filters, newest first."""
        query = select(Lead)
        if owner_ids is not None:
            query = query.where(Lead.owner_id.in_(owner_ids))
        if owner_id is not None:
            query = query.where(Lead.owner_id == owner_id)
        if status:
            query = query.where(Lead.status == status)
        return self.session.scalars(query.order_by(Lead.id.desc()).limit(limit)).all()

    # -- names and versions ------------------------------------------------------------
    def subject_versions(self, subject_type: str, ids: Iterable[int]) -> dict[int, int]:
        """Process version id of each lead or deal."""
        model: type[Lead] | type[Deal] = Lead if subject_type == "lead" else Deal
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(
            select(model.id, model.process_version_id).where(model.id.in_(wanted))
        )
        return {row.id: row.process_version_id for row in rows}

    def subject_names(self, subject_type: str, ids: Iterable[int]) -> dict[int, str]:
        model: type[Lead] | type[Deal] = Lead if subject_type == "lead" else Deal
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(select(model.id, model.name).where(model.id.in_(wanted)))
        return {row.id: row.name for row in rows}
