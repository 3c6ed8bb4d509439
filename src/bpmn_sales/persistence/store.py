"""The unit of work and the queries use cases need; one Store is one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bpmn_sales.errors import Conflict, NotFound
from bpmn_sales.persistence.models import (
    Deal,
    HistoryEntry,
    Lead,
    Process,
    ProcessVersion,
    User,
    WorkItem,
)

WORK_ITEM_COLUMNS = tuple(c.key for c in WorkItem.__table__.columns)

M = TypeVar("M", Lead, Deal, User, Process, ProcessVersion)


class Store:
    """Repository over one session; `commit` is the only way changes reach the database."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    # -- transaction -------------------------------------------------------------------
    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise Conflict(
                "someone else changed this record since you read it; reload and try again"
            ) from None
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(f"the change conflicts with existing data: {exc.orig}") from None
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def add(self, obj: object) -> None:
        self.session.add(obj)

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict("someone else changed this record since you read it") from None

    # -- generic -----------------------------------------------------------------------
    def get(self, model: type[M], ident: int, what: str) -> M:
        obj = self.session.get(model, ident)
        if obj is None:
            raise NotFound(f"{what} {ident} does not exist", id=ident)
        return obj

    # -- users -------------------------------------------------------------------------
    def user_by_username(self, username: str) -> User | None:
        return self.session.scalars(select(User).where(User.username == username)).first()

    def user_by_token_hash(self, token_hash: str) -> User | None:
        return self.session.scalars(select(User).where(User.token_hash == token_hash)).first()

    def users(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.id)).all()

    def usernames(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = self.session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
        return {row.id: row.username for row in rows}

    def report_ids(self, manager_id: int) -> list[int]:
        return list(self.session.scalars(select(User.id).where(User.manager_id == manager_id)))

    # -- processes ---------------------------------------------------------------------
    def process_by_key(self, key: str) -> Process | None:
        return self.session.scalars(select(Process).where(Process.key == key)).first()

    def processes(self) -> Sequence[Process]:
        return self.session.scalars(select(Process).order_by(Process.key)).all()

    def latest_version(self, process_id: int, enabled_only: bool = True) -> ProcessVersion | None:
        query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        if enabled_only:
            query = query.where(ProcessVersion.enabled.is_(True))
        return self.session.scalars(query.order_by(ProcessVersion.version.desc())).first()

    def spec_json(self, version_id: int) -> str:
        text = self.session.scalar(
            select(ProcessVersion.spec_json).where(ProcessVersion.id == version_id)
        )
        if text is None:
            raise NotFound(f"process version {version_id} does not exist")
        return text

    def version_usage(self, version_id: int) -> int:
        deals = self.session.scalar(
            select(func.count()).where(Deal.process_version_id == version_id)
        )
        leads = self.session.scalar(
            select(func.count()).where(Lead.process_version_id == version_id)
        )
        return int(deals or 0) + int(leads or 0)

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

    # -- projections -------------------------------------------------------------------
    def version_digest(self, version_id: int) -> str:
        digest = self.session.scalar(
            select(ProcessVersion.digest).where(ProcessVersion.id == version_id)
        )
        if digest is None:
            raise NotFound(f"process version {version_id} does not exist")
        return digest

    def replace_work_items(
        self,
        subject_type: str,
        subject_id: int,
        items: list[WorkItem],
        previous: set[str] | None = None,
    ) -> None:
        """Swap the ready tasks of a subject for new ones, keeping rows that did not change.

        `previous` is the set of task ids projected last time, when the caller knows it; it
        saves reading them back.
        """
        if previous is not None:
            keep = {item.task_id for item in items}
            gone = previous - keep
            if gone:
                self.session.execute(
                    delete(WorkItem)
                    .where(WorkItem.task_id.in_(gone))
                    .execution_options(synchronize_session=False)
                )
            new = [item for item in items if item.task_id not in previous]
            if new:
                self.session.execute(
                    insert(WorkItem), [{c: getattr(i, c) for c in WORK_ITEM_COLUMNS} for i in new]
                )
            return
        existing = {
            w.task_id: w
            for w in self.session.scalars(
                select(WorkItem).where(
                    WorkItem.subject_type == subject_type, WorkItem.subject_id == subject_id
                )
            )
        }
        keep = {item.task_id for item in items}
        gone_ids = [task_id for task_id in existing if task_id not in keep]
        if gone_ids:
            self.session.execute(delete(WorkItem).where(WorkItem.task_id.in_(gone_ids)))
        for item in items:
            if item.task_id not in existing:
                self.session.add(item)
            else:
                existing[item.task_id].owner_id = item.owner_id

    def work_item_with_subject(self, task_id: str) -> tuple[WorkItem, Deal | Lead, User] | None:
        """A ready task with its lead or deal and that record's owner, in one query."""
        for model in (Deal, Lead):
            row = self.session.execute(
                select(WorkItem, model, User)
                .join(model, model.id == WorkItem.subject_id)
                .join(User, User.id == model.owner_id)
                .where(
                    WorkItem.task_id == task_id,
                    WorkItem.subject_type == ("deal" if model is Deal else "lead"),
                )
            ).first()
            if row is not None:
                return row[0], row[1], row[2]  # type: ignore[return-value]
        return None

    def work_items_for(self, subject_type: str, subject_id: int) -> Sequence[WorkItem]:
        return self.session.scalars(
            select(WorkItem)
            .where(WorkItem.subject_type == subject_type, WorkItem.subject_id == subject_id)
            .order_by(WorkItem.created_at, WorkItem.title)
        ).all()

    def work_items(self, owner_ids: list[int] | None, role: str | None) -> Sequence[WorkItem]:
        query = select(WorkItem)
        if owner_ids is not None:
            query = query.where(WorkItem.owner_id.in_(owner_ids))
        if role:
            query = query.where(WorkItem.role == role)
        return self.session.scalars(query.order_by(WorkItem.created_at, WorkItem.title)).all()

    def subject_names(self, subject_type: str, ids: Iterable[int]) -> dict[int, str]:
        model: type[Lead] | type[Deal] = Lead if subject_type == "lead" else Deal
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(select(model.id, model.name).where(model.id.in_(wanted)))
        return {row.id: row.name for row in rows}

    def record(
        self,
        subject_type: str,
        subject_id: int,
        at: datetime,
        actor_id: int | None,
        action: str,
        *,
        from_stage: str | None = None,
        to_stage: str | None = None,
        from_status: str | None = None,
        to_status: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.session.add(
            HistoryEntry(
                subject_type=subject_type,
                subject_id=subject_id,
                at=at,
                actor_id=actor_id,
                action=action,
                from_stage=from_stage,
                to_stage=to_stage,
                from_status=from_status,
                to_status=to_status,
                detail=json.dumps(detail or {}, default=str),
            )
        )

    def history(self, subject_type: str, subject_id: int) -> Sequence[HistoryEntry]:
        return self.session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.subject_type == subject_type, HistoryEntry.subject_id == subject_id)
            .order_by(HistoryEntry.id)
        ).all()


class UnitOfWork:
    """`with uow as store: ...; store.commit()`; leaving without commit rolls back."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._session: Session | None = None

    def __enter__(self) -> Store:
        self._session = self.factory()
        return Store(self._session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None
        # A stale row can surface at any autoflush, not only at commit: report it the same way.
        if isinstance(exc, StaleDataError):
            raise Conflict(
                "someone else changed this record since you read it; reload and try again"
            ) from None
