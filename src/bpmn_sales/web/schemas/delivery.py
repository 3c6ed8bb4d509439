"""Delivery: the mail and webhook outbox, and the webhooks deal events are posted to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from bpmn_sales.web.schemas.common import Body, Paged, Reply

OutboxStatus = Literal["pending", "sending", "sent", "failed"]


class OutboxMessage(Reply):
    """A mail or webhook delivery: waiting, being sent, sent or failed."""

    id: int
    channel: Literal["mail", "webhook"]
    recipient: str = Field(description="An address, or the webhook's URL")
    subject: str = Field(description="The mail subject, or the webhook event")
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = Field(description="When a pending message is tried next")
    lease_until: datetime | None = Field(description="Until when a worker holds a message")
    sent_at: datetime | None
    last_error: str | None
    webhook_id: int | None


class OutboxMessageDetail(OutboxMessage):
    """An outbox message with its body."""

    body: str


class OutboxQuery(Paged):
    status: OutboxStatus | None = None


class Retried(Reply):
    retried: int


def _event_names(value: object) -> object:
    # A comma-separated string is taken too, as the CLI's --events option writes it.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise PydanticCustomError("events", "must be a list of event names")


Events = Annotated[
    Any,
    BeforeValidator(_event_names),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "string", "description": "Event names separated by commas"},
                {"type": "null"},
            ],
            "description": "Event names: deal.<action> (deal.created, deal.moved, deal.closed, "
            "...), deal.* or *. Default: deal.*",
        }
    ),
]


class Webhook(Reply):
    """A URL deal events are posted to, signed with its secret."""

    id: int
    url: str
    events: list[str]
    enabled: bool
    description: str | None
    secret_hint: str = Field(description="The secret's last characters")
    created_at: datetime
    created_by: str | None


class WebhookAdded(Webhook):
    """A webhook just added, with its signing secret (shown this once)."""

    secret: str


class NewWebhook(Body):
    url: str = Field(description="An http(s) URL")
    events: Events = None
    secret: str | None = Field(None, description="At least 16 characters (default: generated)")
    description: str | None = None
    enabled: bool = True


class WebhookChanges(Body):
    url: str | None = None
    events: Events = None
    description: str | None = None
    enabled: bool | None = None


class WebhookRemoved(Reply):
    failed: int = Field(description="Its pending messages, now failed")


class Ping(Reply):
    """How the receiver answered a signed ping: its status and the time taken, never its body."""

    ok: bool
    status: int | None
    error: str | None
    elapsed_ms: int = Field(description="Milliseconds from sending to the answer (or failure)")
