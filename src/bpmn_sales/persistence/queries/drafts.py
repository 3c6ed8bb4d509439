"""Queries for modeler drafts (part of the Store: persistence/store.py)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.persistence.models import ProcessDraft, ProcessVersion


class DraftQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    def draft_for(self, process_id: int, lock: bool = False) -> ProcessDraft | None:
        """The process's draft; `lock` holds its row until commit (PostgreSQL), so two saves
        of one revision cannot both pass the stale check."""
        query = select(ProcessDraft).where(ProcessDraft.process_id == process_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def delete_draft(self, process_id: int) -> None:
        self.session.execute(delete(ProcessDraft).where(ProcessDraft.process_id == process_id))

    def process_version(self, process_id: int, version: int) -> ProcessVersion | None:
        if abs(version) > MAX_ID:  # no column holds it; SQLite would overflow looking
            return None
        return self.session.scalars(
            select(ProcessVersion).where(
                ProcessVersion.process_id == process_id, ProcessVersion.version == version
            )
        ).first()
