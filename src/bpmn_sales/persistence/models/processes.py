"""Processes and what hangs off them: deployed versions, board columns, drafts, migration runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bpmn_sales.persistence.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from bpmn_sales.persistence.models.people import Department, User

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
    # The process library (issue 6): a clone is a Process whose `template_id` names the
    # process it was cloned from and `template_version` the version of it (columns added by
    # migration 0007). Deleting the template empties both (services/processes/library.py
    # does it in the delete).
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
