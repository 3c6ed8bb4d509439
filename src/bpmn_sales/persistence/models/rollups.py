"""Running totals of the analytics reports (0026), kept by database triggers.

Each table holds counts and sums of deals, stage stays or leads grouped by what the reports
slice and group by, so a report reads a few hundred rows whatever the number of deals. The
triggers (persistence/rollups.py) add a row's share when it is written and take it back when it
changes or goes, inside the writer's transaction, whichever path writes. Keys are never NULL
(an absent stage, reason or month is ''), so each group is one row; money is in cents.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base


class OpenRollup(Base):
    """Open deals by stage: the board's column counts and totals (0028)."""

    __tablename__ = "rollup_open"

    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(BigInteger)


class FunnelRollup(Base):
    """Deals by the stages they reached and their status (funnel, calibration)."""

    __tablename__ = "rollup_funnel"

    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stages_reached: Mapped[str] = mapped_column(String(1000), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(BigInteger)


class ClosedRollup(Base):
    """Closed deals by status, stage at close and lost reason (losses, win rate, cycle)."""

    __tablename__ = "rollup_closed"

    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    stage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    lost_reason: Mapped[str] = mapped_column(String(200), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(BigInteger)
    # Seconds from creation to close, summed over the deals with both (`timed` of them).
    cycle_seconds: Mapped[float] = mapped_column(Float)
    timed: Mapped[int] = mapped_column(Integer)


class ForecastRollup(Base):
    """Open deals by expected close month ('' without a date): the weighted forecast."""

    __tablename__ = "rollup_forecast"

    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    close_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(BigInteger)
    # Cents x probability (%), summed.
    weighted: Mapped[int] = mapped_column(BigInteger)


class StayRollup(Base):
    """Ended stage stays by whole hours (time in stage): each owner's, and everyone's under
    owner 0 (by owner, the hours make many groups; the whole company reads few)."""

    __tablename__ = "rollup_stays"

    process_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    hours: Mapped[int] = mapped_column(Integer, primary_key=True)
    stays: Mapped[int] = mapped_column(Integer)


class LeadRollup(Base):
    """Leads by status (the funnel's leads)."""

    __tablename__ = "rollup_leads"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer)


class HistoryRollup(Base):
    """Past forecasts: deals expected to close in a month that were open when it began (at UTC
    midnight), by the stage they were in then (the calibration's forecast against actual)."""

    __tablename__ = "rollup_history"

    close_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(BigInteger)


class WonRollup(Base):
    """Won deals by the UTC month they were won in (the value won per month)."""

    __tablename__ = "rollup_won"

    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    close_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int] = mapped_column(BigInteger)


class ReopenedRollup(Base):
    """Deals reopened since they closed, by their own groups (losses, calibration)."""

    __tablename__ = "rollup_reopened"

    process_version_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stages_reached: Mapped[str] = mapped_column(String(1000), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    stage_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    deals: Mapped[int] = mapped_column(Integer)
