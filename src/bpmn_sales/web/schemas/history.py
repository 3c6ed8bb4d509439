"""What happened to a lead or deal, and the timers it waits for."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Paged, Reply


class HistoryEntry(Reply):
    """One change: who did what, and the stage and status before and after."""

    at: datetime
    actor: str | None
    action: str
    from_stage: str | None
    to_stage: str | None
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]
    summary: str = Field(
        description="What happened, as a sentence in the caller's language (Accept-Language); "
        "`action` is the stable code"
    )


class Timer(Reply):
    """A timer a lead or deal waits for."""

    element_id: str = Field(description="The timer event in the diagram")
    name: str = Field(description="Its label, e.g. 'Reminder after 7d'")
    due_at: datetime = Field(description="When the worker fires it (UTC)")


class HistoryQuery(Paged):
    sort: Literal["oldest", "newest"] | None = Field(
        None, description="oldest first (the default) or newest first"
    )
