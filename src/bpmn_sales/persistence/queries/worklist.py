"""Queries for work waiting to be done: the ready-task projection (work items), claims,
approval tasks and follow-ups (part of the Store: persistence/store.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bpmn_sales.persistence.models import Deal, FollowUp, Lead, User, WorkItem, table_of

WORK_ITEM_COLUMNS = tuple(c.key for c in WorkItem.__table__.columns)
WORK_ITEMS = table_of(WorkItem)
DROP_ITEMS = delete(WORK_ITEMS).where(WORK_ITEMS.c.task_id.in_(bindparam("ids", expanding=True)))
ADD_ITEMS = insert(WORK_ITEMS)
# Built once: completing a task starts with this lookup, and building the statement cost
# more than running it.
WITH_SUBJECT = tuple(
    select(WorkItem, model, User)
    .join(model, model.id == WorkItem.subject_id)
    .join(User, User.id == model.owner_id)
    .where(WorkItem.task_id == bindparam("task_id"), WorkItem.subject_type == kind)
    for model, kind in ((Deal, "deal"), (Lead, "lead"))
)


class WorklistQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session

    # -- work items --------------------------------------------------------------------
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
            # By SQL on the session's connection: no ORM bookkeeping for rows nobody reads here.
            connection = self.session.connection()
            keep = {item.task_id for item in items}
            gone = previous - keep
            if gone:
                connection.execute(DROP_ITEMS, {"ids": sorted(gone)})
            new = [item for item in items if item.task_id not in previous]
            if new:
                connection.execute(
                    ADD_ITEMS, [{c: getattr(i, c) for c in WORK_ITEM_COLUMNS} for i in new]
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
        for statement in WITH_SUBJECT:
            row = self.session.execute(statement, {"task_id": task_id}).first()
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

    def approval_work_items(self, assignee_id: int | None) -> Sequence[WorkItem]:
        """Ready manager tasks, oldest first: those assigned to the user (None: everyone's)."""
        query = select(WorkItem).where(WorkItem.role == "manager")
        if assignee_id is not None:
            query = query.where(WorkItem.assignee_id == assignee_id)
        return self.session.scalars(query.order_by(WorkItem.created_at, WorkItem.task_id)).all()

    # -- follow-ups --------------------------------------------------------------------
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
