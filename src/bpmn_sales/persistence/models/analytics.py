"""Analytics: the stage-visit projection time-in-stage reports read, and sales targets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bpmn_sales.persistence.models.base import Base, UTCDateTime

if TYPE_CHECKING:
    from bpmn_sales.persistence.models.deals import Deal


class StageVisit(Base):
    """One stay of a deal in a stage: entered, left (None while there) and how long.

    A projection of the deal's history kept in the transaction of each stage change
    (persistence/stage_visits.py), so time-in-stage reports never replay workflow instances.
    """

    __tablename__ = "stage_visits"
    __table_args__ = (
        Index("ix_stage_visits_deal_open", "deal_id", "left_at"),
        Index("ix_stage_visits_report", "process_id", "stage_key", "hours", "left_at", "owner_id"),
        # The visit open at an instant, from the index alone (calibration, 0023).
        Index("ix_stage_visits_deal_span", "deal_id", "entered_at", "left_at", "stage_key"),
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


# -- targets (issue 8)
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
