"""A lead: a prospect being qualified on a lead process, until it becomes a deal or is dropped."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base, UTCDateTime


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_owner_status", "owner_id", "status"),
        # The list's orders and filters, and the counts of a version (0010).
        Index("ix_leads_owner_id", "owner_id", "id"),
        Index("ix_leads_value", "estimated_value", "id"),
        Index("ix_leads_name", "name", "id"),
        Index("ix_leads_version_status", "process_version_id", "status"),
        # An imported record's id in the system it came from (0013).
        Index("ix_leads_external_id", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # The deal it becomes takes it; new leads take the company's currency (0015).
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    status: Mapped[str] = mapped_column(String(20), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    # The process instance: its full snapshot (instance_snapshots) was written at row version
    # `state_version`; the deltas in instance_journal after it lead to the state at
    # `instance_version` (persistence/queries/instances.py).
    state_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    instance_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disqualify_reason: Mapped[str | None] = mapped_column(String(500))
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("deals.id", use_alter=True, name="fk_leads_deal_id_deals")
    )
    # The id the lead had in the file it was imported from (`--id-column`), if any (0013).
    external_id: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": version}
