"""The sales rules of a process as the deal page shows them: stages, activities, terminals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Reply
from bpmn_sales.web.schemas.tasks import NoteRequired

Phase = Literal["pre_sale", "post_sale"]
Outcome = Literal["won", "lost", "invalid"]
DealStatus = Literal["open", "won", "lost", "invalid"]


class FollowUpRule(Reply):
    """The follow-up task completing an activity creates."""

    title: str
    due_days: int
    assignee: str


class Activity(Reply):
    """A user task inside a stage, with its weight and completion rules."""

    element_id: str
    name: str
    stage: str | None
    weight: float
    obligatory: bool
    completed_by: list[str]
    note_required: NoteRequired
    notify: list[str]
    follow_up: FollowUpRule | None
    tip: str
    description: str
    approval: str | None
    due_days: int | None = Field(
        None, description="Days after it becomes ready that it is due (None: the stage's reminder)"
    )


class ChecklistItem(Activity):
    """An activity of the deal's current stage, and whether the deal has done it."""

    done: bool


class Stage(Reply):
    """A stage of the pipeline and what it takes to leave it."""

    key: str
    name: str
    element_id: str
    order: int
    description: str
    requirements: str
    win_rate: float | None
    required_fields: list[str] = Field(description="scope.name[:type], e.g. deal.budget:number")
    optional_fields: list[str] = Field(
        description="Fields the stage asks for without requiring them (stage_fields)"
    )
    field_labels: dict[str, str] = Field(
        description="What people read for each of these fields, by scope.name: the title the "
        "diagram gives (scope.name[:type]=Title), else the name in words"
    )
    min_contacts: int
    optional: bool
    approval: str | None
    phase: Phase
    activities: list[Activity]


class StagePathEntry(Reply):
    """A stage on the deal's path, and whether the deal has passed it, is at it or not yet."""

    key: str
    name: str
    order: int
    phase: Phase
    win_rate: float | None
    optional: bool
    state: Literal["passed", "current", "todo"]


class Terminal(Reply):
    """An event where the deal gets its outcome."""

    element_id: str
    outcome: Outcome
    label: str
    probability: float
    lost_reasons: list[str]
    order_required: bool
    orders_from_stage: str | None = Field(description="Orders once the deal reached this stage")
    orders_after_stage: str | None = Field(description="Orders once the deal completed this stage")
