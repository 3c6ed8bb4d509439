"""Queries for processes and their deployed versions (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bpmn_sales.errors import NotFound
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, Lead, Process, ProcessVersion


class ProcessQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- processes ---------------------------------------------------------------------
    def process_by_key(self, key: str) -> Process | None:
        return self.session.scalars(select(Process).where(Process.key == key)).first()

    def processes(self) -> Sequence[Process]:
        return self.session.scalars(select(Process).order_by(Process.key)).all()

    def processes_with_versions(self) -> Sequence[Process]:
        """Every process with its versions and departments loaded: three statements however
        many there are (a list of processes reads no version one process at a time)."""
        query = select(Process).options(
            selectinload(Process.versions), selectinload(Process.departments)
        )
        return self.session.scalars(query.order_by(Process.key)).all()

    def latest_version(self, process_id: int, enabled_only: bool = True) -> ProcessVersion | None:
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        if enabled_only:
            query = query.where(ProcessVersion.enabled.is_(True))
        return self.session.scalars(query.order_by(ProcessVersion.version.desc())).first()

    def all_version_ids(self) -> list[int]:
        return list(self.session.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id)))

    def version_labels(self, version_ids: Iterable[int]) -> dict[int, tuple[str, int, str]]:
        """(process key, version number, process name) of each process version, in one query."""
        wanted = set(version_ids)
        if not wanted:
            return {}
        rows = self.session.execute(
            select(ProcessVersion.id, Process.key, ProcessVersion.version, Process.name)
            .join(Process, Process.id == ProcessVersion.process_id)
            .where(ProcessVersion.id.in_(wanted))
        )
        return {row.id: (row.key, row.version, row.name or row.key) for row in rows}

    def preferred_version_ids(self, process_ids: Sequence[int]) -> dict[int, int]:
        """Each process's newest enabled version (its newest of any, when none is enabled), in
        one query: what `latest_version(id) or latest_version(id, False)` finds, for many."""
        if not process_ids:
            return {}
        rows = self.session.execute(
            select(ProcessVersion.process_id, ProcessVersion.id, ProcessVersion.enabled)
            .where(ProcessVersion.process_id.in_(process_ids))
            .order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
        )
        newest: dict[int, int] = {}
        enabled: dict[int, int] = {}
        for process_id, version_id, on in rows:
            newest.setdefault(process_id, version_id)
            if on:
                enabled.setdefault(process_id, version_id)
        return {p: enabled.get(p, v) for p, v in newest.items()}

    def latest_versions(self, process_ids: Sequence[int]) -> dict[int, ProcessVersion]:
        """The newest version (enabled or not) of each process, in one query."""
        if not process_ids:
            return {}
        newest = (
            select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("top"))
            .where(ProcessVersion.process_id.in_(process_ids))
            .group_by(ProcessVersion.process_id)
            .subquery()
        )
        found = self.session.scalars(
            select(ProcessVersion).join(
                newest,
                (newest.c.process_id == ProcessVersion.process_id)
                & (newest.c.top == ProcessVersion.version),
            )
        )
        return {v.process_id: v for v in found}

    # -- a version's stored parts ------------------------------------------------------
    def spec_json(self, version_id: int) -> str:
        text = self.session.scalar(
            select(ProcessVersion.spec_json).where(ProcessVersion.id == version_id)
        )
        if text is None:
            raise NotFound(_("process version %(id)s does not exist", id=version_id))
        return text

    def version_digest(self, version_id: int) -> str:
        digest = self.session.scalar(
            select(ProcessVersion.digest).where(ProcessVersion.id == version_id)
        )
        if digest is None:
            raise NotFound(_("process version %(id)s does not exist", id=version_id))
        return digest

    def version_forms(self, version_id: int) -> dict[str, Any]:
        """The JSON form files deployed with a process version, by file name."""
        forms = self.session.scalar(
            select(ProcessVersion.forms).where(ProcessVersion.id == version_id)
        )
        return dict(forms or {})

    def version_diagram(self, version_id: int) -> str:
        """The BPMN XML a process version was deployed from (a deferred column)."""
        xml = self.session.scalar(
            select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == version_id)
        )
        if xml is None:
            raise NotFound(_("process version %(id)s does not exist", id=version_id))
        return xml

    # -- what runs on a version --------------------------------------------------------
    def version_usage(self, version_id: int) -> int:
        deals = self.session.scalar(
            select(func.count()).where(Deal.process_version_id == version_id)
        )
        leads = self.session.scalar(
            select(func.count()).where(Lead.process_version_id == version_id)
        )
        return int(deals or 0) + int(leads or 0)
