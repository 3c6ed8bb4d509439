"""The journal of process instances: what each step changed, after the lead's or deal's
snapshot (`state`), until the next snapshot replaces them."""

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
