"""Who is calling, the groups people work in, and their in-app notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from bpmn_sales.web.schemas.common import Body, Id, Paged, Reply
from bpmn_sales.web.schemas.tasks import Role


class Me(Reply):
    """The user the token belongs to."""

    id: int
    username: str
    role: Role
    language: str | None = Field(description="Your own language; null: the company's default")
    time_zone: str | None = Field(description="Your own time zone; null: the company's default")


class Group(Reply):
    """A group of users that tasks can be offered to."""

    id: int
    name: str
    members: list[str]


class Notification(Reply):
    """Something a sales rule told you."""

    id: int
    kind: str
    message: str
    subject_type: str
    subject_id: int
    created_at: datetime
    read_at: datetime | None


class Notifications(Reply):
    unread: int
    notifications: list[Notification]


class NotificationQuery(Paged):
    unread: bool = Field(False, description="Only unread ones")


class MarkRead(Body):
    ids: list[Id] | None = Field(None, description="Notification ids (default: all of yours)")


class Marked(Reply):
    marked: int
