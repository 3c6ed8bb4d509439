"""What a deal carries besides its process: contacts, notes, files and orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from bpmn_sales.web.schemas.common import Amount, Body, Id, Money, Reply
from bpmn_sales.web.schemas.rules import DealStatus


class Contact(Reply):
    """A contact person just added to the deal's customer."""

    id: int
    customer_id: int
    name: str
    email: str | None
    phone: str | None
    title: str | None


class Note(Reply):
    """A note just added, with the files it took."""

    id: int
    text: str
    attachments: list[int] = Field(description="Attachment ids")


class Attachment(Reply):
    """A file on a deal (its bytes are at GET /attachments/{attachment_id})."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    note_id: int | None
    at: datetime


class Order(Reply):
    """An order just created."""

    id: int
    deal_id: int
    number: str
    amount: Money
    currency: str
    status: DealStatus = Field(description="The deal's status")


class NewContact(Body):
    name: str
    email: str | None = None
    phone: str | None = None
    title: str | None = None


class NewNote(Body):
    text: str
    attachment_ids: list[Id] | None = Field(None, description="Files uploaded to the deal before")


class NewOrder(Body):
    amount: Amount = Field(None, description="Default: the deal's value")
    currency: str | None = Field(None, description="Default: the deal's currency")


UPLOAD_FILE: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}
