"""Leads: creating one, qualifying, disqualifying and renewing it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import (
    SEARCH_TEXT,
    Amount,
    Body,
    DateText,
    OptionalMoney,
    Paged,
    Reply,
    Version,
    Versioned,
)
from bpmn_sales.web.schemas.tasks import Task

LeadStatus = Literal["new", "qualified", "disqualified"]


class Lead(Reply):
    """A lead with its ready tasks."""

    id: int
    name: str
    company: str | None
    email: str | None
    phone: str | None
    estimated_value: OptionalMoney
    currency: str
    status: LeadStatus
    owner: str
    process: str = Field(description="Key and version, e.g. 'lead_qualification v1'")
    process_name: str = Field(description="The process's name, as people read it")
    process_version: int = Field(description="The version number of the lead's process")
    disqualify_reason: str | None
    deal_id: int | None = Field(description="The opportunity it was qualified into")
    version: int
    created_at: datetime
    tasks: list[Task]


class LeadListQuery(Paged):
    status: LeadStatus | None = None
    owner: str | None = Field(None, description="The owner's user name")
    process: str | None = Field(None, description="A process key")
    q: str | None = Field(None, max_length=200, description=SEARCH_TEXT)
    value_min: str | None = Field(None, description="Only leads estimated at least this much")
    value_max: str | None = Field(None, description="Only leads estimated at most this much")
    sort: Literal["newest", "value", "name"] | None = Field(
        None,
        description="newest (the default), value (largest estimate first, leads without one "
        "last) or name (A to Z)",
    )


class NewLead(Body):
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    estimated_value: Amount = None
    owner: str | None = Field(None, description="A user name (default: you)")
    currency: str | None = Field(
        None,
        description="A 3-letter code (default: the company's currency); the deal the lead "
        "becomes takes it",
    )


class Qualification(Versioned):
    """The terms of the deal a qualified lead becomes (each defaults to the lead's)."""

    value: Amount = Field(None, description="The deal's value (default: the lead's estimate)")
    currency: str | None = Field(None, description="A 3-letter code (default: the lead's currency)")
    expected_close_date: DateText = Field(None, description="When the deal is expected to close")


class LeadStatusChange(Body):
    status: LeadStatus = Field(
        description="new renews, qualified qualifies, disqualified disqualifies (with a reason)"
    )
    reason: str | None = None
    version: Version = None


class Disqualification(Body):
    reason: str
    version: Version = None
