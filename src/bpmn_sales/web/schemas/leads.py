"""Leads: creating one, qualifying, disqualifying and renewing it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Amount, Body, Query, Reply, Version
from bpmn_sales.web.schemas.tasks import Task

LeadStatus = Literal["new", "qualified", "disqualified"]


class Lead(Reply):
    """A lead with its ready tasks."""

    id: int
    name: str
    company: str | None
    email: str | None
    phone: str | None
    estimated_value: float | None
    status: LeadStatus
    owner: str
    process: str = Field(description="Key and version, e.g. 'lead_qualification v1'")
    disqualify_reason: str | None
    deal_id: int | None = Field(description="The opportunity it was qualified into")
    version: int
    created_at: datetime
    tasks: list[Task]


class LeadListQuery(Query):
    status: LeadStatus | None = None
    owner: str | None = Field(None, description="The owner's user name")
    limit: int = Field(100, description="At most this many (1 to 500)")


class NewLead(Body):
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    estimated_value: Amount = None
    owner: str | None = Field(None, description="A user name (default: you)")


class LeadStatusChange(Body):
    status: LeadStatus = Field(
        description="new renews, qualified qualifies, disqualified disqualifies (with a reason)"
    )
    reason: str | None = None
    version: Version = None


class Disqualification(Body):
    reason: str
    version: Version = None
