"""An import started from the leads or deals page: the uploaded file and how far it got."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base, UTCDateTime


class ImportJob(Base):
    """One uploaded file, its column mapping, and its progress once applied.

    `state` is "uploaded" (mapping and preview), "running" (rows being created, `done_rows`
    of `total_rows`), "done" (`report` says what it did) or "failed" (`error` says why).
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # [header, field] per column of the file, in its order; field "" for a column left out.
    mapping: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    skip_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    # Deals: the process they all start on (None: each owner's).
    process: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
