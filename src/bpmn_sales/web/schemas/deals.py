"""Deals: starting one, changing, moving and closing it, and listing them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import (
    FIELD_VALUES_TEXT,
    SEARCH_TEXT,
    Amount,
    Body,
    DateText,
    FieldValues,
    Money,
    Paged,
    Reply,
    Version,
    sometimes,
)
from bpmn_sales.web.schemas.deal_page import DealDetail
from bpmn_sales.web.schemas.rules import DealStatus, Outcome
from bpmn_sales.web.schemas.tasks import Task


class NextActivity(Reply):
    """An open deal's next due activity: a ready task (due_at) or a follow-up (due_on)."""

    title: str
    kind: Literal["task", "follow_up"]
    due_at: datetime | None
    due_on: date | None
    overdue: bool


class Deal(Reply):
    """An opportunity with its ready tasks (and, from GET and PATCH of one deal, `detail`)."""

    id: int
    name: str
    customer: str | None
    value: Money
    currency: str
    status: DealStatus
    stage: str | None
    stage_name: str | None
    probability: int
    owner: str
    process: str = Field(description="Key and version, e.g. 'sales_process v1'")
    process_key: str
    process_name: str = Field(description="The process's name, as people read it")
    process_version: int = Field(description="The version number of the deal's process")
    outcome_label: str | None
    expected_close_date: date | None
    fields: dict[str, Any]
    stage_fields: dict[str, dict[str, Any]] = Field(description="Stage fields by stage key")
    lead_id: int | None
    reopened_from_id: int | None
    reopened_as_id: int | None
    lost_reason: str | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    tasks: list[Task]
    next_activity: NextActivity | None = Field(
        None, description="Open deals: the earliest due ready task or open follow-up"
    )
    flag: Literal["nothing_scheduled", "quiet"] | None = Field(
        None,
        description="Open deals needing attention: nothing_scheduled (no task or follow-up "
        "with a due date) or quiet (unchanged for longer than its stage's reminder period)",
    )
    quiet_since: datetime | None = Field(None, description="Quiet deals: when it last changed")
    detail: DealDetail = sometimes("The deal page's extras: GET /deals/{deal_id} and PATCH only")


class DealListQuery(Paged):
    status: DealStatus | None = None
    stage: str | None = Field(None, description="A stage key")
    process: str | None = Field(None, description="A process key")
    owner: str | None = Field(None, description="The owner's user name")
    q: str | None = Field(None, max_length=200, description=SEARCH_TEXT)
    value_min: str | None = Field(None, description="Only deals worth at least this much")
    value_max: str | None = Field(None, description="Only deals worth at most this much")
    close_from: DateText = Field(None, description="Expected to close on or after this day")
    close_to: DateText = Field(None, description="Expected to close on or before this day")
    sort: Literal["newest", "value", "close", "name"] | None = Field(
        None,
        description="newest (the default), value (largest first), close (soonest expected "
        "close first, deals without one last) or name (A to Z)",
    )


class NewDeal(Body):
    name: str
    customer: str | None = None
    value: Amount = None
    currency: str | None = Field(
        None, description="A 3-letter code (default: the company's currency)"
    )
    owner: str | None = Field(None, description="A user name (default: you)")
    process: str | None = Field(
        None, description="Process key (default: the one for the owner's department)"
    )
    expected_close_date: DateText = None


class DealChanges(Body):
    """The fields to change; a field left out stays as it is."""

    name: str = sometimes()
    customer: str | None = sometimes("null removes the customer")
    value: Amount = sometimes()
    currency: str | None = sometimes()
    expected_close_date: DateText = sometimes()
    fields: FieldValues = sometimes(f"Deal custom fields (deal.NAME). {FIELD_VALUES_TEXT}")
    customer_fields: FieldValues = sometimes("The customer's custom fields (customer.NAME)")
    stage_fields: dict[str, FieldValues] = sometimes(
        "Stage fields by stage key: {stage: {name: value}}"
    )
    version: Version = None


class Closing(Body):
    outcome: Outcome
    reason: str | None = Field(None, description="Lost: one of the process's lost reasons")
    version: Version = None


class Move(Body):
    stage: str = Field(description="The key of the stage to move to")
    version: Version = None


class DealMessage(Body):
    name: str = Field(description="The BPMN message name")
    payload: dict[str, Any] | None = Field(None, description="Stored in the event's variable")
    version: Version = None
