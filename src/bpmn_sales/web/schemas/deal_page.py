"""The deal page's extras: stage path, checklist, what is still needed, records, diagram."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Money, Reply
from bpmn_sales.web.schemas.records import Attachment
from bpmn_sales.web.schemas.rules import ChecklistItem, Stage, StagePathEntry, Terminal


class Customer(Reply):
    id: int
    name: str
    fields: dict[str, Any]


class DealContact(Reply):
    id: int
    name: str
    email: str | None
    phone: str | None
    title: str | None


class Approval(Reply):
    """A manager's decision on a stage's approval."""

    stage: str
    decision: Literal["approve", "reject"]
    comment: str
    by: str | None
    at: datetime


class DealNote(Reply):
    id: int
    text: str
    author: str | None
    task: str | None = Field(description="Element id of the task it was written for")
    task_name: str | None = Field(description="The name of that task, as people read it")
    at: datetime


class DealOrder(Reply):
    id: int
    number: str
    amount: Money
    currency: str
    at: datetime


class FollowUp(Reply):
    """A follow-up task an activity created."""

    id: int
    title: str
    due_on: date
    assignee: str | None
    done: bool
    cancelled: bool = Field(False, description="Cancelled when the deal closed")


class EarlierDeal(Reply):
    """The closed deal a reopened one came from, with its notes and files (read-only)."""

    id: int
    name: str
    status: str
    outcome_label: str | None
    lost_reason: str | None
    closed_at: datetime | None
    restarted_at: str | None = Field(description="The stage the reopened deal started at")
    notes: list[DealNote]
    attachments: list[Attachment]


class LinkedNames(Reply):
    """The names of the records linked to the deal (None where there is none)."""

    lead: str | None = Field(description="The lead the deal was qualified from")
    reopened_from: str | None = Field(description="The closed deal this one reopens")
    reopened_as: str | None = Field(description="The deal that reopened this one")


class DealDetail(Reply):
    """The deal page's extras: GET /deals/{deal_id} and PATCH only."""

    stages: list[StagePathEntry]
    current_stage: Stage | None
    checklist: list[ChecklistItem]
    unmet_requirements: list[str] = Field(
        description="What the current stage still needs before it can be left"
    )
    win_blockers: list[str] = Field(description="What winning still needs")
    terminals: list[Terminal]
    free_moves: bool = Field(description="The process lets the deal move between stages freely")
    customer: Customer | None
    contacts: list[DealContact]
    approvals: list[Approval]
    notes: list[DealNote]
    attachments: list[Attachment]
    orders: list[DealOrder]
    follow_ups: list[FollowUp]
    linked: LinkedNames
    field_labels: dict[str, str] = Field(
        description="What people read for each field of the process and of this deal, by "
        "scope.name (customer.industry, deal.budget, stage.design_summary)"
    )
    reopened_from: EarlierDeal | None = Field(
        None, description="A reopened deal: the deal it came from, its notes and files"
    )


class DealDiagram(Reply):
    """The deal's process diagram with the element ids to mark."""

    deal_id: int
    version: int
    xml: str = Field(description="BPMN 2.0 XML of the deal's version")
    current: list[str] = Field(description="Element ids where the deal is")
    completed: list[str] = Field(description="Element ids completed so far")
