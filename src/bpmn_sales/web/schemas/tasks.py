"""Tasks: what a person has to do on a lead or deal, its form, and completing it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from bpmn_sales.web.schemas.common import Body, Id, Paged, Reply, Version

Role = Literal["rep", "manager", "admin"]
NoteRequired = Literal["none", "note", "note_and_file"]


class Task(Reply):
    """A ready user task of a lead or deal, or an open follow-up."""

    task_id: str = Field(description="follow-up-N for follow-up tasks")
    element_id: str
    title: str
    lane: str | None
    role: Role
    stage: str | None
    subject_type: Literal["lead", "deal"]
    subject_id: int
    subject_name: str
    owner: str | None
    kind: Literal["task", "approval", "follow_up"]
    assignee: str | None = Field(
        description="The user (or group:NAME for follow-ups) it is assigned to"
    )
    due_on: date | None = Field(description="Follow-ups: the day it is due")
    tip: str
    note_required: NoteRequired
    group: str | None = Field(description="The group it is offered to (claim it to take it)")
    waiting: bool = Field(
        False,
        description="An approval kept out of the task lists until its stage's requirements are met",
    )
    approval_waits_for: list[str] = Field(
        default_factory=list,
        description="In the answer to a completion: the stage requirements still unmet that "
        "keep the deal's approval from the manager (it is offered once they are met)",
    )
    due_at: datetime | None = Field(
        None, description="Ready tasks: when it is due (its due_days or its stage's reminder)"
    )
    due: Literal["overdue", "today", "upcoming", "none"] = Field(
        "none",
        description="Its group on a task list, in the reader's time zone: overdue, due today, "
        "upcoming, or no due date (the list comes in this order)",
    )
    stage_name: str | None = Field(None, description="The stage's name, as the diagram gives it")


class TaskForm(Reply):
    """A ready task with its form: the JSON Schema and UI schema its user task names."""

    task: Task
    schema_: dict[str, Any] | None = Field(
        alias="schema", description="formJsonSchemaFilename's JSON Schema; null without a form"
    )
    ui_schema: dict[str, Any] | None = Field(description="formUiSchemaFilename's UI schema")
    description: str
    version: int | None = Field(description="The lead's or deal's version, for `version`")


class TaskListQuery(Paged):
    role: Role | None = Field(None, description="Only tasks for this role")
    scope: Literal["all", "mine", "groups"] | None = Field(
        None,
        description="all (the default: what you may see), mine (assigned to you, or on your "
        "records and offered to nobody) or groups (offered to a group, not claimed by you)",
    )


class CompleteTask(Body):
    data: dict[str, Any] | None = Field(
        None,
        description="Form data; approval tasks take {decision: approve|reject, comment} "
        "(a reject needs a comment)",
    )
    note: str | None = Field(None, description="Needed where the task's note_required says")
    attachment_ids: list[Id] | None = Field(
        None, description="Files uploaded to the deal before, for the note"
    )
    version: Version = None
