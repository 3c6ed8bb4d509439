"""A deal: its instance state and the columns pages and reports read (the deal projection)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base, UTCDateTime


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
        # The lists' orders and filters, the board and the counts of a version (0010).
        Index("ix_deals_owner_id", "owner_id", "id"),
        Index("ix_deals_value", "value", "id"),
        Index("ix_deals_status_value", "status", "value", "id"),  # a status by value (0016)
        Index("ix_deals_close", "expected_close_date", "id"),
        Index("ix_deals_name", "name", "id"),
        Index("ix_deals_version_status", "process_version_id", "status"),
        Index("ix_deals_version_stage", "process_version_id", "stage_key"),
        Index(
            "ix_deals_board",
            "status",
            "process_version_id",
            "owner_id",
            "stage_key",
            "currency",
            "value",
        ),
        Index(
            "ix_deals_column",
            "status",
            "stage_key",
            "stage_entered_at",
            "id",
            "process_version_id",
            "owner_id",
        ),
        # The win-rate calibration's past forecasts: the deals expected in a month (0023).
        Index(
            "ix_deals_expected_history",
            "expected_close_date",
            "process_version_id",
            "closed_at",
            "currency",
            "value",
            "owner_id",
            "id",
        ),
        # An imported record's id in the system it came from (0013).
        Index("ix_deals_external_id", "external_id", unique=True),
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
    # The process instance: its full snapshot (instance_snapshots) was written at row version
    # `state_version`; the deltas in instance_journal after it lead to the state at
    # `instance_version` (persistence/queries/instances.py).
    state_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    instance_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
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
    # The id the deal had in the file it was imported from (`--id-column`), if any (0013).
    external_id: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}
