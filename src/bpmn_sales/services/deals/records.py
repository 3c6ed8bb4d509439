"""Use cases on what a deal carries besides its process: contacts, notes, files and orders."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.files import check_file, safe_filename
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    currency,
    money,
    optional_email,
    optional_text,
    required_text,
)
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound, RuleViolation
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Attachment, Contact, Customer, Deal, Note, Order
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals import approval_waits
from bpmn_sales.services.deals.activities import deal_attachments
from bpmn_sales.services.deals.start import customer_for
from bpmn_sales.services.deals.views import attachment_dict
from bpmn_sales.tasks.completion import MAX_NOTE
from bpmn_sales.tasks.orders import order_refusal


def _deal(store: Store, actor: Actor, deal_id: int) -> Deal:
    deal = store.get(Deal, deal_id, "deal")
    common.require_subject_access(store, actor, deal)
    return deal


def _touch(
    ctx: Context, store: Store, deal: Deal, actor: Actor, action: str, detail: dict[str, Any]
) -> None:
    store.record(
        "deal",
        deal.id,
        ctx.clock(),
        actor.id,
        action,
        from_stage=None,
        to_stage=deal.stage_key,
        from_status=deal.status,
        to_status=deal.status,
        detail=detail,
    )


def add_contact(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    name: object,
    email: object = None,
    phone: object = None,
    title: object = None,
) -> dict[str, Any]:
    """Add a contact person to the deal's customer."""
    contact_name = required_text(name, "name")
    with ctx.uow() as store:
        deal = _deal(store, actor, deal_id)
        customer = store.session.get(Customer, deal.customer_id) if deal.customer_id else None
        if customer is None:
            customer = customer_for(store, deal.customer, ctx.clock())
        if customer is None:
            raise InvalidState(
                _("deal %(deal)s has no customer; set its customer first", deal=deal_id)
            )
        deal.customer_id = customer.id
        contact = Contact(
            customer_id=customer.id,
            name=contact_name,
            email=optional_email(email),
            phone=optional_text(phone, "phone", 50),
            title=optional_text(title, "title"),
            created_at=ctx.clock(),
        )
        store.add(contact)
        store.flush()
        _touch(ctx, store, deal, actor, "contact_added", {"contact": contact_name})
        approval_waits.mark_customer(ctx, store, deal)
        store.commit()
        return {
            "id": contact.id,
            "customer_id": customer.id,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "title": contact.title,
        }


def add_note(
    ctx: Context, actor: Actor, deal_id: int, text: object, attachment_ids: list[int] | None = None
) -> dict[str, Any]:
    body = required_text(text, "text", MAX_NOTE)
    with ctx.uow() as store:
        deal = _deal(store, actor, deal_id)
        files = deal_attachments(store, deal, attachment_ids or [])
        note = Note(
            subject_type="deal",
            subject_id=deal.id,
            author_id=actor.id,
            text=body,
            task_element_id=None,
            created_at=ctx.clock(),
        )
        store.add(note)
        store.flush()
        for attachment in files:
            attachment.note_id = note.id
        _touch(ctx, store, deal, actor, "note_added", {"note_id": note.id})
        store.commit()
        return {"id": note.id, "text": note.text, "attachments": [a.id for a in files]}


def upload_attachment(
    ctx: Context, actor: Actor, deal_id: int, filename: object, data: bytes
) -> dict[str, Any]:
    """Store a file on a deal after checking its name, size and real type."""
    with ctx.uow() as store:
        attachment = store_attachment(
            ctx, store, actor, _deal(store, actor, deal_id), filename, data
        )
        store.commit()
        return attachment_dict(attachment)


def store_attachment(
    ctx: Context, store: Store, actor: Actor, deal: Deal, filename: object, data: object
) -> Attachment:
    """Check a file and add it to the deal in `store`'s transaction (the caller commits)."""
    name = safe_filename(filename)
    if not isinstance(data, bytes):
        raise InvalidInput(_("the file content is missing"), field="file")
    content_type = check_file(name, data, ctx.max_upload_bytes)
    attachment = Attachment(
        deal_id=deal.id,
        note_id=None,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=actor.id,
        created_at=ctx.clock(),
    )
    store.add(attachment)
    store.flush()
    _touch(
        ctx, store, deal, actor, "file_added", {"attachment_id": attachment.id, "filename": name}
    )
    return attachment


def get_attachment(ctx: Context, actor: Actor, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    with ctx.uow() as store:
        attachment = store.session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(
                _("attachment %(attachment)s does not exist", attachment=attachment_id),
                id=attachment_id,
            )
        _deal(store, actor, attachment.deal_id)
        return attachment_dict(attachment), bytes(attachment.data)


def _past_stage(ctx: Context, store: Store, deal: Deal) -> bool:
    """Whether an open deal at the stage orders_after_stage names has completed it (no stage
    runs: it waits for a close). Only then is the instance read."""
    rules = common.rules_for(ctx, store, deal)
    if deal.status != "open" or rules.orders_after_stage != deal.stage_key:
        return False
    instance = common.restore(ctx, store, deal)
    common.keep_live(ctx, store, deal, instance)
    return instance.running_stage() is None


def create_order(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    amount: object = None,
    currency_code: object = None,
) -> dict[str, Any]:
    """Create an order on a deal where the process allows it (see orders_from_stage)."""
    with ctx.uow() as store:
        deal = _deal(store, actor, deal_id)
        rules = common.rules_for(ctx, store, deal)
        refusal = order_refusal(rules, deal.status, deal.stage_key, _past_stage(ctx, store, deal))
        if refusal is not None:
            raise RuleViolation(_("deal %(deal)s: %(refusal)s", deal=deal_id, refusal=refusal))
        value = money(amount, "amount") if amount not in (None, "") else deal.value
        count = store.order_count(deal.id)
        order = Order(
            deal_id=deal.id,
            number=f"SO-{deal.id:05d}-{count + 1}",
            amount=value or Decimal("0.00"),
            currency=currency(currency_code) if currency_code else deal.currency,
            created_by_id=actor.id,
            created_at=ctx.clock(),
        )
        store.add(order)
        store.flush()
        _touch(ctx, store, deal, actor, "order_created", {"order": order.number})
        store.commit()
        return {
            "id": order.id,
            "deal_id": deal.id,
            "number": order.number,
            "amount": order.amount,
            "currency": order.currency,
            "status": DealStatus(deal.status).value,
        }
