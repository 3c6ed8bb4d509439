"""SQLAlchemy 2.0 typed models: specs stored once per version, instances as state + projections."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Store timezone-aware UTC datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        from datetime import UTC

        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # "scrypt$n$r$p$salt$hash" (hex); None: the user cannot sign in to the web pages.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", name="fk_users_department_id_departments")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    groups: Mapped[list[Group]] = relationship(
        secondary="group_members", back_populates="members", order_by="Group.name"
    )


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


group_members = Table(
    "group_members",
    Base.metadata,
    Column("group_id", ForeignKey("groups.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class Group(Base):
    """A named set of users that tasks and follow-ups can be assigned to (a lane's audience)."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    members: Mapped[list[User]] = relationship(
        secondary="group_members", back_populates="groups", order_by="User.username"
    )


process_departments = Table(
    "process_departments",
    Base.metadata,
    Column("process_id", ForeignKey("processes.id"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True, index=True),
)


class Process(Base):
    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # Disabled: no new leads or deals start on it; running ones go on.
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A clone's template (issue 6; see the process library section at the end of the file).
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("processes.id", name="fk_processes_template_id_processes")
    )
    template_version: Mapped[int | None] = mapped_column(Integer)
    departments: Mapped[list[Department]] = relationship(
        secondary="process_departments", order_by="Department.name"
    )
    versions: Mapped[list[ProcessVersion]] = relationship(
        back_populates="process", order_by="ProcessVersion.version"
    )


class ProcessVersion(Base):
    """One deployed version: the diagram as uploaded and its serialized spec, stored once."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    # Large, and read only when a spec is (re)loaded: not fetched with the row.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    digest: Mapped[str] = mapped_column(String(64))
    # The JSON form files deployed with the diagram (formJsonSchemaFilename and
    # formUiSchemaFilename of its user tasks), by file name.
    forms: Mapped[dict[str, Any]] = mapped_column(
        JSON, deferred=True, default=dict, server_default="{}"
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    process: Mapped[Process] = relationship(back_populates="versions")


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_owner_status", "owner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    state: Mapped[str] = mapped_column(Text)
    disqualify_reason: Mapped[str | None] = mapped_column(String(500))
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", use_alter=True, name="fk_leads_deal_id_deals")
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # Custom customer fields, keyed by the field name the configuration declares.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        Index("ix_deals_owner_status", "owner_id", "status"),
        # Covering indexes of the analytics reports (0006): funnel, closed deals, forecast, stuck.
        # Grouped columns lead, so a report streams the index in order without sorting.
        Index(
            "ix_deals_funnel",
            "process_version_id",
            "stages_reached",
            "status",
            "currency",
            "value",
            "created_at",
            "owner_id",
        ),
        Index(
            "ix_deals_closed",
            "status",
            "process_version_id",
            "stage_key",
            "lost_reason",
            "currency",
            "value",
            "closed_at",
            "owner_id",
            "created_at",
        ),
        Index(
            "ix_deals_forecast",
            "status",
            "process_version_id",
            "expected_close_date",
            "currency",
            "value",
            "probability",
            "owner_id",
        ),
        # Deals closed within a period (won by month, cycle and losses of a quarter).
        Index(
            "ix_deals_closed_at",
            "status",
            "closed_at",
            "process_version_id",
            "owner_id",
            "currency",
            "value",
        ),
        Index(
            "ix_deals_stuck",
            "status",
            "stage_key",
            "stage_entered_at",
            "process_version_id",
            "owner_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), index=True)
    stage_key: Mapped[str | None] = mapped_column(String(100), index=True)
    stage_name: Mapped[str | None] = mapped_column(String(200))
    probability: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id"))
    reopened_from_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id"), unique=True)
    lost_reason: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    state: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", name="fk_deals_customer_id_customers"), index=True
    )
    # Custom opportunity fields; stage_fields holds stage key -> {field: value}.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stage_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Element ids of every activity ever completed, so a revisited stage remembers them.
    activities_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    stage_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_label: Mapped[str | None] = mapped_column(String(100))
    # Every stage the deal has entered, as sorted keys joined by "|" (analytics' funnel);
    # kept by persistence/stage_visits.py with each stage change.
    stages_reached: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}


class WorkItem(Base):
    """Projection of the ready user tasks of every lead and deal, for task lists."""

    __tablename__ = "work_items"
    __table_args__ = (Index("ix_work_items_subject", "subject_type", "subject_id"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    stage_key: Mapped[str | None] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_work_items_assignee_id_users"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", name="fk_work_items_group_id_groups")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HistoryEntry(Base):
    """Who did what, when, from which stage/status to which."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    from_stage: Mapped[str | None] = mapped_column(String(100))
    to_stage: Mapped[str | None] = mapped_column(String(100))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="{}")


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    task_element_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The file itself: read only when downloaded, never with a list of attachments.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Approval(Base):
    """A manager's decision on a stage's approval task."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    stage_key: Mapped[str] = mapped_column(String(100))
    task_element_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message to send (mail, ...), written in the same transaction as the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))  # pending, sending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # A worker's claim (status 'sending'): whose it is and until when; then others may take it.
    claim_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The webhook a 'webhook' message is for (no foreign key: removing a webhook keeps history).
    webhook_id: Mapped[int | None] = mapped_column(Integer, index=True)


class FollowUp(Base):
    __tablename__ = "follow_ups"

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


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BoardColumn(Base):
    """How a process's pipeline board shows one stage: a label of its own and a position."""

    __tablename__ = "board_columns"
    __table_args__ = (UniqueConstraint("process_id", "stage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    stage_key: Mapped[str] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SignInFailure(Base):
    """A failed web sign-in: counted per user name and per address to rate-limit guessing."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_username_at", "username", "at"),
        Index("ix_sign_in_failures_remote_addr_at", "remote_addr", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Setting(Base):
    """Installation-wide values every worker must share, e.g. the session signing key."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


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


# -- delivery: webhooks, outbox (issue 7) ---------------------------------------------------
class Webhook(Base):
    """An integration's URL that receives signed JSON for the deal events it subscribes to."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# -- analytics: targets (issue 8) ------------------------------------------------------------
class StageVisit(Base):
    """One stay of a deal in a stage: entered, left (None while there) and how long.

    A projection of the deal's history kept in the transaction of each stage change
    (persistence/stage_visits.py), so time-in-stage reports never replay workflow instances.
    """

    __tablename__ = "stage_visits"
    __table_args__ = (
        Index("ix_stage_visits_deal_open", "deal_id", "left_at"),
        Index("ix_stage_visits_report", "process_id", "stage_key", "hours", "left_at", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"))
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"))
    stage_key: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Whole hours between entering and leaving (None while the deal is still there).
    hours: Mapped[int | None] = mapped_column(Integer)
    deal: Mapped[Deal] = relationship()


class Target(Base):
    """A sales target for a period ('2026-11' or '2026-Q4') and a scope (company, ...)."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("period", "scope", "scope_id", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    # company (scope_id 0), department (its id), team (the manager's user id), user (its id).
    scope: Mapped[str] = mapped_column(String(20))
    scope_id: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# -- process library: clones and their templates (issue 6)
# A clone is a Process whose `template_id` names the process it was cloned from and
# `template_version` the version of it (columns added to class Process by migration 0007).
# Deleting the template empties both (services/processes/library.py does it in the delete).


# -- modeler drafts (issue 6)


class ProcessDraft(Base):
    """The in-browser modeler's unsaved-to-production diagram of a process (one per process).

    A draft runs nothing: versions and deals change only when it is deployed (and deleted).
    `revision` changes on every save, so an edit based on an older one is refused (409).
    """

    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), unique=True
    )
    # The version the designer opened; None once that version is deleted.
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_versions.id", ondelete="SET NULL")
    )
    xml: Mapped[str] = mapped_column(Text)
    revision: Mapped[str] = mapped_column(String(32))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    process: Mapped[Process] = relationship()
    based_on: Mapped[ProcessVersion | None] = relationship()
    updated_by: Mapped[User | None] = relationship()


# -- migration runs (issue 6)
class MigrationRun(Base):
    """One move of a process's open deals from older versions to a newer one, in batches.

    Counts are updated after each batch, so a page shows progress and a rerun after an
    interruption knows what is left; `refused_deals` (deal id -> reasons) keeps a refused deal
    from being tried again within the run.
    """

    __tablename__ = "migration_runs"
    __table_args__ = (Index("ix_migration_runs_process", "process_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id", ondelete="CASCADE"))
    # The one older version moved, or None: every version older than the target.
    from_version: Mapped[int | None] = mapped_column(Integer)
    to_version_id: Mapped[int] = mapped_column(
        ForeignKey("process_versions.id", ondelete="CASCADE")
    )
    to_version: Mapped[int] = mapped_column(Integer)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moved: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    refused_deals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
