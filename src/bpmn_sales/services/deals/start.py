"""Starting a deal: its owner, customer and fields checked, its process instance started."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    currency,
    every_field,
    money,
    optional_text,
    required_text,
)
from bpmn_sales.domain.policy import can_access
from bpmn_sales.errors import Forbidden, InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import (
    Customer,
    Deal,
    ProcessVersion,
    User,
)
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.steps import apply_step
from bpmn_sales.services.processes import choice


# -- creating -------------------------------------------------------------------------------
def resolve_owner(store: Store, actor: Actor, owner: str | None) -> User:
    """The actor owns what it creates unless it names someone it may act for."""
    if not owner or owner == actor.username:
        return store.get(User, actor.id, "user")
    user = store.user_by_username(owner)
    if user is None:
        raise InvalidInput(_("owner '%(owner)s' does not exist", owner=owner), field="owner")
    if not can_access(actor, user.id, user.manager_id):
        raise Forbidden(
            _(
                "%(user)s may not act on records owned by %(owner)s",
                user=actor.username,
                owner=owner,
            ),
            actor=actor.username,
        )
    return user


def customer_for(store: Store, name: str | None, now: Any) -> Customer | None:
    """The customer of that name, created on first use."""
    if not name:
        return None
    customer = store.customer_by_name(name)
    if customer is None:
        customer = Customer(name=name, fields={}, created_at=now, updated_at=now)
        store.add(customer)
        store.flush()
    return customer


def start_deal(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    fields: dict[str, Any],
    *,
    process: str | None = None,
    lead_id: int | None = None,
    reopened_from_id: int | None = None,
    detail: dict[str, Any] | None = None,
    version: ProcessVersion | None = None,
    external_id: str | None = None,
) -> Deal:
    """Create a deal row and its sales-process instance inside the caller's transaction.

    Without a `process` key, the deal starts on the process that applies to the owner; a
    `version` the caller chose already (an import, for each owner once) is taken as it is.
    """
    version = version or choice.version_for(ctx, store, owner, "deal", process)
    process = version.process.key
    key, loader = common.spec_loader(store, version)
    if not ctx.engine.info(key, loader).rules.stages:
        raise InvalidInput(
            _("process '%(process)s' has no stages; it is not a sales process", process=process),
            field="process",
        )
    data = {"deal": {**plain_fields(fields), "value": str(fields["value"])}}
    instance = ctx.engine.start(key, loader, data)
    now = ctx.clock()
    customer = customer_for(store, fields.get("customer"), now)
    deal = Deal(
        name=fields["name"],
        customer=fields.get("customer"),
        customer_id=customer.id if customer else None,
        value=fields["value"],
        currency=fields["currency"],
        expected_close_date=fields.get("expected_close_date"),
        fields=dict(fields.get("fields") or {}),
        stage_fields={},
        activities_done=[],
        status=DealStatus.OPEN,
        probability=0,
        owner_id=owner.id,
        lead_id=lead_id,
        reopened_from_id=reopened_from_id,
        external_id=external_id,
        process_version_id=version.id,
        created_at=now,
        updated_at=now,
    )
    store.add(deal)
    store.flush()
    apply_step(ctx, store, deal, instance, actor, "created", {**(detail or {}), "process": process})
    return deal


def plain_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in fields.items()
        if k in ("name", "customer", "currency", "expected_close_date")
    }


def optional_date(value: object, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidInput(
            _("%(field)s must be a date YYYY-MM-DD", field=field_name), field=field_name
        )
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            _(
                "%(field)s must be a date YYYY-MM-DD, not %(value)s",
                field=field_name,
                value=repr(value),
            ),
            field=field_name,
        ) from None


def deal_fields(
    name: object,
    customer: object,
    value: object,
    currency_code: object,
    expected_close_date: object = None,
    default_currency: str = "USD",
) -> dict[str, Any]:
    """The checked fields of a new deal; every bad one refused at once."""
    return every_field(
        {
            "name": lambda: required_text(name, "name"),
            "customer": lambda: optional_text(customer, "customer"),
            "value": lambda: money(value, "value") or Decimal("0.00"),
            "currency": lambda: currency(currency_code, default_currency),
            "expected_close_date": lambda: optional_date(
                expected_close_date, "expected_close_date"
            ),
        }
    )
