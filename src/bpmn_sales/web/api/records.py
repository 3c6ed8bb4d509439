"""What a deal carries over HTTP: contacts, notes, files (up and down) and orders."""

from __future__ import annotations

from typing import Any

from flask import request

from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.deals import records
from bpmn_sales.web.api.base import actor, ctx, respond_created
from bpmn_sales.web.api.operation import Answer, created, get, post
from bpmn_sales.web.downloads import file_download
from bpmn_sales.web.schemas.records import (
    UPLOAD_FILE,
    Attachment,
    Contact,
    NewContact,
    NewNote,
    NewOrder,
    Note,
    Order,
)

DOWNLOAD = Answer(
    content={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    headers={
        "Content-Disposition": {
            "description": "attachment; filename*=UTF-8''NAME",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    description="The file's bytes",
)


@post(
    "/deals/<id:deal_id>/contacts",
    body=NewContact,
    responses={201: Contact},
    errors=(403, 409),
)
def add_contact(deal_id: int, body: NewContact) -> Any:
    """Add a contact person to the deal's customer."""
    contact = records.add_contact(
        ctx(), actor(), deal_id, body.name, body.email, body.phone, body.title
    )
    return contact, 201


@post("/deals/<id:deal_id>/notes", body=NewNote, responses={201: Note}, errors=(403,))
def add_note(deal_id: int, body: NewNote) -> Any:
    """Add a note, with files uploaded before (attachment_ids)."""
    return records.add_note(ctx(), actor(), deal_id, body.text, body.attachment_ids), 201


@post(
    "/deals/<id:deal_id>/attachments",
    upload=UPLOAD_FILE,
    responses={201: created(Attachment)},
    errors=(403,),
)
def upload_attachment(deal_id: int) -> Any:
    """Upload a file to the deal.

    pdf, images, text, csv, office documents; never HTML or SVG; at most the configured size.
    """
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("upload the file as a multipart 'file' field", field="file")
    attachment = records.upload_attachment(ctx(), actor(), deal_id, upload.filename, upload.read())
    return respond_created(attachment, f"/api/v1/attachments/{attachment['id']}")


@get("/attachments/<id:attachment_id>", responses={200: DOWNLOAD}, errors=(403,))
def download_attachment(attachment_id: int) -> Any:
    """Download a file, always as an attachment (octet-stream, nosniff, CSP sandbox)."""
    meta, content = records.get_attachment(ctx(), actor(), attachment_id)
    return file_download(meta, content)


@post("/deals/<id:deal_id>/orders", body=NewOrder, responses={201: Order}, errors=(403, 422))
def create_order(deal_id: int, body: NewOrder) -> Any:
    """Create an order (where the process allows: orders_from_stage)."""
    return records.create_order(ctx(), actor(), deal_id, body.amount, body.currency), 201
