"""Work waiting to be done: ready user tasks (work items), follow-ups and BPMN timers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base, UTCDateTime

LIST_FILTERS = ("waiting", "owner_id", "assignee_id", "group_id", "role")


class WorkItem(Base):
    """Projection of the ready user tasks of every lead and deal, for task lists."""

    __tablename__ = "work_items"
    # Only the indexes the lists need: each one costs every completed or new task a page
    # written (0029 dropped those a wider index below already serves).
    __table_args__ = (
        # Task lists in their order, and grouped by due time (0010, 0021): who sees a task,
        # whether it waits, its role (and due time) in them, so the lists' filters read no
        # rows (0027).
        Index("ix_work_items_order", "created_at", "title", "task_id", *LIST_FILTERS, "due_at"),
        Index("ix_work_items_due", "due_at", "task_id", *LIST_FILTERS),
        # A user's approvals and assigned tasks in the lists' order; a team's group tasks
        # counted without reading rows (0016; `waiting` in it since 0025, as the lists ask).
        Index("ix_work_items_assignee_order", "assignee_id", "created_at", "title", "task_id"),
        Index(
            "ix_work_items_owner_group", "owner_id", "group_id", "waiting", "assignee_id", "task_id"
        ),
        # A page of deals' next activities (0021); a record's work items.
        Index("ix_work_items_subject_due", "subject_type", "subject_id", "due_at"),
    )

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    stage_key: Mapped[str | None] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_work_items_assignee_id_users")
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", name="fk_work_items_group_id_groups")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # An approval task whose stage still misses what only the rep can give (required fields,
    # contacts, obligatory activities): kept out of every task list until they are met (0020).
    waiting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the task is due: projection time plus the task's `due_days` or its stage's
    # reminder period; None when neither is set (0021).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FollowUp(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_open", "done_at", "due_on", "id"),  # (0010)
        Index("ix_follow_ups_deal_open", "deal_id", "done_at", "due_on"),  # next activity (0021)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    due_on: Mapped[date] = mapped_column(Date)
    source_element_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set with done_at when closing the deal cancelled the follow-up instead (0021).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# -- timers (issue 7) ---------------------------------------------------------------------
class Timer(Base):
    """A BPMN timer a lead or deal waits for, with its due time (kept in step with the state).

    Rows are replaced in the transaction that saves the instance; the worker finds due ones by
    a range scan of `ix_timers_due_at`.
    """

    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_due_at", "due_at"),
        Index("ix_timers_subject", "subject_type", "subject_id"),
    )

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
