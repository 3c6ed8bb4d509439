"""Queries for work waiting to be done: the ready-task projection (work items), claims,
approval tasks and follow-ups (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bpmn_sales.domain.attention import Due
from bpmn_sales.domain.paging import COUNT_CAP, Cursor, Page
from bpmn_sales.persistence.attached import Joined
from bpmn_sales.persistence.models import Deal, FollowUp, Lead, User, WorkItem, table_of
from bpmn_sales.persistence.prepared import Prepared
from bpmn_sales.persistence.queries.batches import Pending
from bpmn_sales.persistence.queries.delivery import WEBHOOKS_ON, knows_webhooks
from bpmn_sales.persistence.queries.paging import Part, Sort, capped_counts, keyset, read_page

WORK_ITEMS = table_of(WorkItem)
DROP_ITEMS = delete(WORK_ITEMS).where(WORK_ITEMS.c.task_id.in_(bindparam("ids", expanding=True)))
# A step mostly takes one task off the list: the task completed.
DROP_ITEM = Prepared(delete(WORK_ITEMS).where(WORK_ITEMS.c.task_id == bindparam("id")))
ADD_ITEMS = Prepared(insert(WORK_ITEMS))


def _with_subject(model: type[Deal | Lead], kind: str) -> Joined:
    """A ready task with its lead or deal and that record's owner. Built once: completing a
    task starts with this lookup, and building the statement cost more than running it; it
    runs through Core into the session (persistence/attached.py), the statement at about half
    the cost it had through the ORM.
    The same statement answers whether any webhook is on, which every history entry of the
    step asks (queries/delivery.py): one statement fewer per completed task."""

    def build(columns: Sequence[Any]) -> Select[Any]:
        return (
            select(*columns)
            .select_from(WorkItem)
            .join(model, model.id == WorkItem.subject_id)
            .join(User, User.id == model.owner_id)
            .where(WorkItem.task_id == bindparam("task_id"), WorkItem.subject_type == kind)
        )

    return Joined([WorkItem, model, User], [WEBHOOKS_ON], build)


WITH_SUBJECT = (_with_subject(Deal, "deal"), _with_subject(Lead, "lead"))

# The approvals inbox: ready tasks oldest first (then by title, as a stage's activities read).
# The task list reads its ready tasks by due time and its follow-ups by due date, in the groups
# of DUE_GROUPS; tasks without a due time come last, oldest first.
TASK_SORTS = (
    Sort("tasks", WorkItem.task_id, (WorkItem.created_at, WorkItem.title)),
    Sort("tasks", FollowUp.id, (FollowUp.due_on,)),
)
ITEMS_BY_DUE = Sort("tasks", WorkItem.task_id, (WorkItem.due_at,))
DUE_GROUPS = ("overdue", "today", "upcoming", "none")


@dataclass(frozen=True)
class DueBounds:
    """Where a task list's due groups meet: a ready task due before `now` is overdue, one due
    before `tomorrow` (the reader's next midnight) is due today; a follow-up is overdue before
    `today` (the reader's date) and due today on it."""

    now: datetime
    today: date
    tomorrow: datetime

    def group(self, due_at: datetime | None = None, due_on: date | None = None) -> str:
        """The group of a task due at `due_at` or a follow-up due on `due_on`."""
        if due_at is not None:
            return (
                "overdue"
                if due_at < self.now
                else "today"
                if due_at < self.tomorrow
                else ("upcoming")
            )
        if due_on is not None:
            return (
                "overdue"
                if due_on < self.today
                else "today"
                if due_on == self.today
                else ("upcoming")
            )
        return "none"


@dataclass(frozen=True)
class TaskReader:
    """Whose task list: what the reader sees and which of its tabs.

    `scope` is all (what the reader may see), mine (assigned to the reader, or on its own
    records and offered to nobody) or groups (offered to a group, not claimed by the reader).
    """

    user_id: int
    owner_ids: list[int] | None  # whose records the reader sees (None: everyone's)
    group_ids: Sequence[int] = ()
    role: str | None = None
    scope: str = "all"


def _visible(reader: TaskReader, owner: Any, assignee: Any, group: Any) -> list[Any]:
    if reader.owner_ids is None:
        return []
    seen: list[ColumnElement[bool]] = [owner.in_(reader.owner_ids), assignee == reader.user_id]
    if reader.group_ids:
        seen.append(group.in_(reader.group_ids))
    return [or_(*seen)]


def _tab(reader: TaskReader, owner: Any, assignee: Any, group: Any) -> list[Any]:
    me = reader.user_id
    if reader.scope == "groups":
        return [group.is_not(None), or_(assignee.is_(None), assignee != me)]
    if reader.scope == "mine":
        offered_to_none = and_(owner == me, assignee.is_(None), group.is_(None))
        return [or_(assignee == me, offered_to_none)]
    return []


def _task_queries(reader: TaskReader) -> tuple[Select[Any], Select[Any] | None]:
    """The reader's ready tasks, and open follow-ups (None when the role has none)."""
    columns = (WorkItem.owner_id, WorkItem.assignee_id, WorkItem.group_id)
    items = select(WorkItem).where(
        WorkItem.waiting.is_(False), *_visible(reader, *columns), *_tab(reader, *columns)
    )
    if reader.role:
        items = items.where(WorkItem.role == reader.role)
    if reader.role not in (None, "rep"):
        return items, None
    columns = (Deal.owner_id, FollowUp.assignee_id, FollowUp.group_id)
    follow_ups = (
        select(FollowUp)
        .join(Deal, Deal.id == FollowUp.deal_id)
        .where(FollowUp.done_at.is_(None), *_visible(reader, *columns))
        .where(*_tab(reader, *columns))
    )
    return items, follow_ups


def _task_parts(reader: TaskReader, due: DueBounds) -> list[Part]:
    """The list in its due groups: overdue, today, upcoming (ready tasks, then follow-ups of
    each), then ready tasks without a due time."""
    items, follow_ups = _task_queries(reader)
    at, on = WorkItem.due_at, FollowUp.due_on
    bounds = {
        "overdue": (at < due.now, on < due.today),
        "today": (and_(at >= due.now, at < due.tomorrow), on == due.today),
        "upcoming": (at >= due.tomorrow, on > due.today),
    }
    found = []
    for label, (item_due, follow_up_due) in bounds.items():
        found.append(Part(f"{label}-w", items.where(item_due), ITEMS_BY_DUE))
        if follow_ups is not None:
            found.append(Part(f"{label}-f", follow_ups.where(follow_up_due), TASK_SORTS[1]))
    found.append(Part("none-w", items.where(at.is_(None)), TASK_SORTS[0]))
    return found


def _moment(value: Any) -> datetime | None:
    """A due time read from a compound select (no column type to convert it): UTC-aware."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


class WorklistQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
    pending: Pending | None

    # -- work items --------------------------------------------------------------------
    def replace_work_items(
        self,
        subject_type: str,
        subject_id: int,
        rows: list[dict[str, Any]],
        previous: set[str] | None = None,
        ready: set[str] | None = None,
    ) -> None:
        """Swap the ready tasks of a subject for new ones (each a work item's values, every
        column), keeping rows that did not change.

        `previous` is the set of task ids projected last time, when the caller knows it; it
        saves reading them back. With it, `ready` may give every ready task id, and `rows`
        then need hold only the tasks not in `previous` (the rows to add).
        """
        if previous is not None:
            # By SQL on the session's connection: no ORM object for rows nobody reads here.
            connection = self.session.connection()
            keep = ready if ready is not None else {row["task_id"] for row in rows}
            gone = previous - keep
            if len(gone) == 1:
                DROP_ITEM(connection, {"id": next(iter(gone))})
            elif gone:
                connection.execute(DROP_ITEMS, {"ids": sorted(gone)})
            new = [row for row in rows if row["task_id"] not in previous]
            if new and self.pending is not None:  # written with the batch's (Store.batched)
                self.pending.add(WORK_ITEMS, new)
            elif new:
                ADD_ITEMS.many(connection, new)
            return
        items = [WorkItem(**row) for row in rows]
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
        for statement in WITH_SUBJECT:
            row = statement.first(self.session, {"task_id": task_id})
            if row is not None:
                knows_webhooks(self.session, bool(row[3]))
                return row[0], row[1], row[2]
        return None

    def work_items_for(self, subject_type: str, subject_id: int) -> Sequence[WorkItem]:
        return self.session.scalars(
            select(WorkItem)
            .where(WorkItem.subject_type == subject_type, WorkItem.subject_id == subject_id)
            .order_by(WorkItem.created_at, WorkItem.title)
        ).all()

    def work_items_of(self, subject_type: str, subject_ids: Sequence[int]) -> list[WorkItem]:
        """The ready tasks of many leads or deals, in one query."""
        if not subject_ids:
            return []
        return list(
            self.session.scalars(
                select(WorkItem)
                .where(
                    WorkItem.subject_type == subject_type,
                    WorkItem.subject_id.in_(set(subject_ids)),
                )
                .order_by(WorkItem.created_at, WorkItem.title)
            )
        )

    def task_page(
        self, reader: TaskReader, due: DueBounds, cursor: Cursor | None, limit: int
    ) -> Page[Any]:
        """A page of the ready tasks and open follow-ups the reader sees (one list), in due
        groups: overdue, due today, upcoming, each earliest first, then tasks with no due time."""
        items, follow_ups = _task_queries(reader)
        counted = [items.with_only_columns(WorkItem.task_id)]
        if follow_ups is not None:
            counted.append(follow_ups.with_only_columns(FollowUp.id))
        return keyset(self.session, _task_parts(reader, due), cursor, limit, count=counted)

    def task_count(self, reader: TaskReader) -> int:
        """How many tasks the reader's list holds, counted up to COUNT_CAP + 1 (one statement)."""
        items, follow_ups = _task_queries(reader)
        parts = {"w": items.with_only_columns(WorkItem.task_id)}
        if follow_ups is not None:
            parts["f"] = follow_ups.with_only_columns(FollowUp.id)
        return min(sum(capped_counts(self.session, parts).values()), COUNT_CAP + 1)

    def deals_awaiting_approval(self, customer_id: int) -> list[Deal]:
        """The customer's deals with a ready manager task (an approval, perhaps waiting)."""
        has_item = (
            select(WorkItem.task_id)
            .where(
                WorkItem.subject_type == "deal",
                WorkItem.subject_id == Deal.id,
                WorkItem.role == "manager",
            )
            .exists()
        )
        return list(
            self.session.scalars(select(Deal).where(Deal.customer_id == customer_id, has_item))
        )

    def mark_waiting(self, waiting: Sequence[str], offered: Sequence[str]) -> None:
        """Keep approval tasks out of the task lists (`waiting`) or offer them (`offered`)."""
        for ids, flag in ((waiting, True), (offered, False)):
            if ids:
                self.session.execute(
                    update(WorkItem)
                    .where(WorkItem.task_id.in_(ids), WorkItem.waiting != flag)
                    .values(waiting=flag)
                )

    # -- tasks pages (claim, approvals) ------------------------------------------------
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

    def approval_page(
        self,
        assignee_id: int | None,
        elements: Sequence[str],
        cursor: Cursor | None,
        limit: int,
    ) -> Page[WorkItem]:
        """Ready approval tasks of deals (manager tasks of these element ids), oldest first:
        those assigned to the user (None: everyone's)."""
        query = select(WorkItem).where(
            WorkItem.role == "manager",
            WorkItem.subject_type == "deal",
            WorkItem.element_id.in_(elements),
            WorkItem.waiting.is_(False),
        )
        if assignee_id is not None:
            query = query.where(WorkItem.assignee_id == assignee_id)
        return read_page(self.session, query, TASK_SORTS[0], cursor, limit)

    # -- follow-ups --------------------------------------------------------------------
    def follow_ups_for(self, deal_id: int) -> Sequence[FollowUp]:
        return self.session.scalars(
            select(FollowUp).where(FollowUp.deal_id == deal_id).order_by(FollowUp.id)
        ).all()

    def open_items_of(self, deal_ids: Sequence[int]) -> list[Due]:
        """The ready tasks and open follow-ups of many deals, with their due dates, in one
        statement (each deal's next activity is the earliest of them)."""
        if not deal_ids:
            return []
        ids = sorted(set(deal_ids))
        items = select(
            WorkItem.subject_id.label("deal_id"),
            WorkItem.title.label("title"),
            literal("task").label("kind"),
            WorkItem.due_at.label("due_at"),
            null().label("due_on"),
        ).where(WorkItem.subject_type == "deal", WorkItem.subject_id.in_(ids))
        follow_ups = select(
            FollowUp.deal_id,
            FollowUp.title,
            literal("follow_up"),
            null(),
            FollowUp.due_on,
        ).where(FollowUp.deal_id.in_(ids), FollowUp.done_at.is_(None))
        rows: list[Any] = list(self.session.execute(union_all(items, follow_ups)).all())
        return [
            Due(
                row.deal_id,
                row.title,
                row.kind,
                _moment(row.due_at),
                _day(row.due_on),
            )
            for row in rows
        ]

    def cancel_follow_ups(self, deal_id: int, at: datetime) -> list[str]:
        """Cancel the deal's open follow-ups (done and cancelled at `at`); their titles."""
        titles = list(
            self.session.scalars(
                select(FollowUp.title)
                .where(FollowUp.deal_id == deal_id, FollowUp.done_at.is_(None))
                .order_by(FollowUp.due_on, FollowUp.id)
            )
        )
        if titles:
            self.session.execute(
                update(FollowUp)
                .where(FollowUp.deal_id == deal_id, FollowUp.done_at.is_(None))
                .values(done_at=at, cancelled_at=at)
                .execution_options(synchronize_session="fetch")
            )
        return titles

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
