"""The unit of work and the queries use cases need; one Store is one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.errors import Conflict, NotFound
from bpmn_sales.persistence.analytics_queries import AnalyticsQueries
from bpmn_sales.persistence.delivery_queries import DeliveryQueries
from bpmn_sales.persistence.draft_queries import DraftQueries
from bpmn_sales.persistence.library_queries import LibraryQueries
from bpmn_sales.persistence.migration_queries import MigrationQueries
from bpmn_sales.persistence.models import (
    Approval,
    Attachment,
    Base,
    BoardColumn,
    Contact,
    Customer,
    Deal,
    Department,
    FollowUp,
    Group,
    HistoryEntry,
    Lead,
    Note,
    Notification,
    Order,
    OutboxMessage,
    Process,
    ProcessVersion,
    Setting,
    SignInFailure,
    User,
    WorkItem,
    group_members,
)
from bpmn_sales.persistence.timer_queries import TimerQueries

WORK_ITEM_COLUMNS = tuple(c.key for c in WorkItem.__table__.columns)

M = TypeVar("M", bound=Base)


class Store(
    TimerQueries,
    DeliveryQueries,
    AnalyticsQueries,
    LibraryQueries,
    DraftQueries,
    MigrationQueries,
):
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

    def no_autoflush(self) -> Any:
        """Queries inside do not flush pending changes (so a row is written once, at the end)."""
        return self.session.no_autoflush

    def add(self, obj: object) -> None:
        self.session.add(obj)

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict("someone else changed this record since you read it") from None

    # -- generic -----------------------------------------------------------------------
    def get(self, model: type[M], ident: int, what: str) -> M:
        # An id no column can hold is simply not there (SQLite would overflow looking).
        obj = self.session.get(model, ident) if abs(ident) <= MAX_ID else None
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

    def user_ids(self, role: str) -> list[int]:
        return list(self.session.scalars(select(User.id).where(User.role == role)))

    def group_by_name(self, name: str) -> Group | None:
        return self.session.scalars(select(Group).where(Group.name == name)).first()

    def groups(self) -> Sequence[Group]:
        return self.session.scalars(select(Group).order_by(Group.name)).all()

    def group_member_ids(self, name: str) -> list[int]:
        return list(
            self.session.scalars(
                select(group_members.c.user_id)
                .join(Group, Group.id == group_members.c.group_id)
                .where(Group.name == name)
                .order_by(group_members.c.user_id)
            )
        )

    def group_names(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = self.session.execute(select(Group.id, Group.name).where(Group.id.in_(wanted)))
        return {row.id: row.name for row in rows}

    def groups_of(self, user_id: int) -> dict[int, str]:
        rows = self.session.execute(
            select(Group.id, Group.name)
            .join(group_members, group_members.c.group_id == Group.id)
            .where(group_members.c.user_id == user_id)
        )
        return {row.id: row.name for row in rows}

    def department_by_name(self, name: str) -> Department | None:
        return self.session.scalars(select(Department).where(Department.name == name)).first()

    def departments(self) -> Sequence[Department]:
        return self.session.scalars(select(Department).order_by(Department.name)).all()

    # -- deal records --------------------------------------------------------------------
    def customer_by_name(self, name: str) -> Customer | None:
        return self.session.scalars(
            select(Customer).where(Customer.name == name).order_by(Customer.id)
        ).first()

    def contacts(self, customer_id: int | None) -> Sequence[Contact]:
        if customer_id is None:
            return []
        return self.session.scalars(
            select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.id)
        ).all()

    def contact_count(self, customer_id: int | None) -> int:
        if customer_id is None:
            return 0
        return int(
            self.session.scalar(select(func.count()).where(Contact.customer_id == customer_id)) or 0
        )

    def approvals(self, deal_id: int) -> Sequence[Approval]:
        return self.session.scalars(
            select(Approval).where(Approval.deal_id == deal_id).order_by(Approval.id)
        ).all()

    def notes(self, subject_type: str, subject_id: int) -> Sequence[Note]:
        return self.session.scalars(
            select(Note)
            .where(Note.subject_type == subject_type, Note.subject_id == subject_id)
            .order_by(Note.id)
        ).all()

    def attachments(self, deal_id: int) -> Sequence[Attachment]:
        return self.session.scalars(
            select(Attachment).where(Attachment.deal_id == deal_id).order_by(Attachment.id)
        ).all()

    def orders(self, deal_id: int) -> Sequence[Order]:
        return self.session.scalars(
            select(Order).where(Order.deal_id == deal_id).order_by(Order.id)
        ).all()

    def order_count(self, deal_id: int) -> int:
        return int(self.session.scalar(select(func.count()).where(Order.deal_id == deal_id)) or 0)

    def follow_ups_for(self, deal_id: int) -> Sequence[FollowUp]:
        return self.session.scalars(
            select(FollowUp).where(FollowUp.deal_id == deal_id).order_by(FollowUp.id)
        ).all()

    def open_follow_ups(
        self, owner_ids: list[int] | None, user_id: int, group_ids: Sequence[int]
    ) -> Sequence[FollowUp]:
        """Open follow-ups assigned to the user or its groups, or on deals of the owners."""
        query = select(FollowUp).where(FollowUp.done_at.is_(None))
        if owner_ids is not None:
            on_deals = select(Deal.id).where(Deal.owner_id.in_(owner_ids))
            visible: list[ColumnElement[bool]] = [
                FollowUp.assignee_id == user_id,
                FollowUp.deal_id.in_(on_deals),
            ]
            if group_ids:
                visible.append(FollowUp.group_id.in_(group_ids))
            query = query.where(or_(*visible))
        return self.session.scalars(query.order_by(FollowUp.due_on, FollowUp.id)).all()

    # -- notifications -------------------------------------------------------------------
    def notifications(self, user_id: int, unread_only: bool, limit: int) -> Sequence[Notification]:
        query = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        return self.session.scalars(query.order_by(Notification.id.desc()).limit(limit)).all()

    def unread_count(self, user_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(
                    Notification.user_id == user_id, Notification.read_at.is_(None)
                )
            )
            or 0
        )

    def mark_read(self, user_id: int, ids: Sequence[int] | None, at: datetime) -> int:
        query = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        result = self.session.execute(query.values(read_at=at))
        return int(getattr(result, "rowcount", 0) or 0)

    def outbox(self, status: str | None, limit: int) -> Sequence[OutboxMessage]:
        query = select(OutboxMessage)
        if status:
            query = query.where(OutboxMessage.status == status)
        return self.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()

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
                row = existing[item.task_id]
                row.owner_id = item.owner_id
                # A member's claim on a group task outlives re-projection (worklist.claim_task).
                claimed = row.group_id is not None and row.group_id == item.group_id
                if not (claimed and row.assignee_id is not None):
                    row.assignee_id = item.assignee_id

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

    def work_items(
        self,
        owner_ids: list[int] | None,
        role: str | None,
        assignee_id: int | None = None,
        group_ids: Sequence[int] = (),
    ) -> Sequence[WorkItem]:
        """Ready tasks on the owners' records, plus those assigned to the user or its groups."""
        query = select(WorkItem)
        if owner_ids is not None:
            mine: list[ColumnElement[bool]] = [WorkItem.owner_id.in_(owner_ids)]
            if assignee_id is not None:
                mine.append(WorkItem.assignee_id == assignee_id)
            if group_ids:
                mine.append(WorkItem.group_id.in_(group_ids))
            query = query.where(or_(*mine))
        if role:
            query = query.where(WorkItem.role == role)
        return self.session.scalars(query.order_by(WorkItem.created_at, WorkItem.title)).all()

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

    # -- sign-in and settings ----------------------------------------------------------
    def sign_in_failures(self, username: str, remote_addr: str, since: datetime) -> tuple[int, int]:
        """Failed sign-ins since `since`: (for this user name, from this address)."""
        by_name = self.session.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(SignInFailure.username == username, SignInFailure.at >= since)
        )
        by_addr = self.session.scalar(
            select(func.count())
            .select_from(SignInFailure)
            .where(SignInFailure.remote_addr == remote_addr, SignInFailure.at >= since)
        )
        return int(by_name or 0), int(by_addr or 0)

    def oldest_failure(self, username: str, remote_addr: str, since: datetime) -> datetime | None:
        return self.session.scalar(
            select(func.min(SignInFailure.at)).where(
                or_(SignInFailure.username == username, SignInFailure.remote_addr == remote_addr),
                SignInFailure.at >= since,
            )
        )

    def forget_failures(self, username: str, before: datetime) -> None:
        """Drop this user's failures (after a good sign-in) and everyone's older ones."""
        self.session.execute(
            delete(SignInFailure).where(
                or_(SignInFailure.username == username, SignInFailure.at < before)
            )
        )

    def setting(self, key: str) -> str | None:
        row = self.session.get(Setting, key)
        return row.value if row else None

    # -- tasks pages (forms, claim, approvals) -----------------------------------------
    def version_forms(self, version_id: int) -> dict[str, Any]:
        """The JSON form files deployed with a process version, by file name."""
        forms = self.session.scalar(
            select(ProcessVersion.forms).where(ProcessVersion.id == version_id)
        )
        return dict(forms or {})

    def claim_work_item(self, task_id: str, user_id: int) -> bool:
        """Assign an unclaimed group task to the user; False when someone else was first."""
        result = self.session.execute(
            update(WorkItem)
            .where(
                WorkItem.task_id == task_id,
                WorkItem.group_id.is_not(None),
                WorkItem.assignee_id.is_(None),
            )
            .values(assignee_id=user_id)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    def claim_follow_up(self, follow_up_id: int, user_id: int) -> bool:
        result = self.session.execute(
            update(FollowUp)
            .where(
                FollowUp.id == follow_up_id,
                FollowUp.group_id.is_not(None),
                FollowUp.assignee_id.is_(None),
                FollowUp.done_at.is_(None),
            )
            .values(assignee_id=user_id)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0))

    def approval_work_items(self, assignee_id: int | None) -> Sequence[WorkItem]:
        """Ready manager tasks, oldest first: those assigned to the user (None: everyone's)."""
        query = select(WorkItem).where(WorkItem.role == "manager")
        if assignee_id is not None:
            query = query.where(WorkItem.assignee_id == assignee_id)
        return self.session.scalars(query.order_by(WorkItem.created_at, WorkItem.task_id)).all()

    # -- deal page and leads pages -----------------------------------------------------
    def version_diagram(self, version_id: int) -> str:
        """The BPMN XML a process version was deployed from (a deferred column)."""
        xml = self.session.scalar(
            select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == version_id)
        )
        if xml is None:
            raise NotFound(f"process version {version_id} does not exist")
        return xml

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

    # -- pipeline board and process admin ----------------------------------------------
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
