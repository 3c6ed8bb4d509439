"""Process instances' stored state: each lead's and deal's last snapshot, and the journal of what
each step changed after it, until the next snapshot replaces them."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base


class JournalEntry(Base):
    """One step's delta of a lead's or deal's instance.

    `version` is the row version the step wrote; `base_version` the version of the state it
    applies to (the snapshot's or the previous entry's), so a reader can tell the chain is whole.
    """

    __tablename__ = "instance_journal"

    subject_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class InstanceSnapshot(Base):
    """A lead's or deal's last full snapshot of its instance, written at the row version that
    its `state_version` holds.

    It has a table of its own (0030) instead of a column of the lead's or deal's row: a
    snapshot is ~13 KB, and in the row it made every UPDATE of a step (its probability, its
    stage) rewrite a row of four overflow pages, and every read of the columns after it walk
    them. A snapshot is written once in up to 16 steps and read only to restore an instance.
    """

    __tablename__ = "instance_snapshots"

    subject_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(Text)
