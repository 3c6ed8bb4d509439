"""Editing a deal: its own fields, its customer's fields and its stage fields (null clears one)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    DealView,
    currency,
    money,
    optional_text,
    required_text,
)
from bpmn_sales.domain.rules import FieldRef
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Customer
from bpmn_sales.services import common
from bpmn_sales.services.deals import approval_waits
from bpmn_sales.services.deals.lifecycle import load_deal
from bpmn_sales.services.deals.start import customer_for, optional_date
from bpmn_sales.services.deals.views import deal_view
from bpmn_sales.tasks.requirements import convert, declared, stage_declared

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_CUSTOM_FIELDS = 50


def _custom(values: object, where: str, types: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise InvalidInput(_("%(field)s must be an object", field=where), field=where)
    out = {}
    for name, value in values.items():
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise InvalidInput(
                _("%(field)s field %(name)s must be snake_case", field=where, name=repr(name)),
                field=f"{where}.{name}",
            )
        ref = types.get(name)
        if ref is None:
            ref = FieldRef(where.split("_")[0], name)
        out[name] = convert(ref, value, f"{where}.{name}")
    return out


def _merge(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    merged = {k: v for k, v in merged.items() if v is not None}
    if len(merged) > MAX_CUSTOM_FIELDS:
        raise InvalidInput(
            _("at most %(most)s custom fields", most=MAX_CUSTOM_FIELDS), field="fields"
        )
    return merged


def update_deal(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> DealView:
    """Change a deal's fields, its customer's fields and its stage fields (null clears one)."""
    allowed = {
        "name",
        "customer",
        "value",
        "currency",
        "expected_close_date",
        "fields",
        "customer_fields",
        "stage_fields",
    }
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput(_("nothing to change"), field="changes")
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(
            _(
                "unknown field %(name)s (%(known)s)",
                name=repr(unknown[0]),
                known=", ".join(sorted(allowed)),
            ),
            field=unknown[0],
        )
    with ctx.uow() as store:
        deal = load_deal(store, actor, deal_id, expected_version)
        if deal.status not in (DealStatus.OPEN, DealStatus.WON):
            raise InvalidState(
                _(
                    "deal %(deal)s is %(status)s; it cannot be changed",
                    deal=deal_id,
                    status=deal.status,
                )
            )
        rules = common.rules_for(ctx, store, deal)
        now = ctx.clock()
        if "name" in changes:
            deal.name = required_text(changes["name"], "name")
        if "value" in changes:
            deal.value = money(changes["value"], "value") or Decimal("0.00")
        if "currency" in changes:
            deal.currency = currency(changes["currency"])
        if "expected_close_date" in changes:
            deal.expected_close_date = optional_date(
                changes["expected_close_date"], "expected_close_date"
            )
        if "customer" in changes:
            name = optional_text(changes["customer"], "customer")
            customer = customer_for(store, name, now)
            deal.customer, deal.customer_id = name, customer.id if customer else None
        if "fields" in changes:
            values = _custom(changes["fields"], "deal_fields", declared(rules, "deal"))
            deal.fields = _merge(dict(deal.fields or {}), values)
        if "customer_fields" in changes:
            customer = store.session.get(Customer, deal.customer_id) if deal.customer_id else None
            if customer is None:
                raise InvalidState(
                    _("deal %(deal)s has no customer; set its customer first", deal=deal_id)
                )
            values = _custom(
                changes["customer_fields"], "customer_fields", declared(rules, "customer")
            )
            customer.fields = _merge(dict(customer.fields or {}), values)
            customer.updated_at = now
        if "stage_fields" in changes:
            by_stage = changes["stage_fields"]
            if not isinstance(by_stage, dict):
                raise InvalidInput(
                    _("stage_fields must be an object of stages"), field="stage_fields"
                )
            merged = dict(deal.stage_fields or {})
            for stage_key, values in by_stage.items():
                types = stage_declared(rules, str(stage_key))
                if not isinstance(values, dict):
                    raise InvalidInput(
                        _("stage_fields.%(stage)s must be an object", stage=stage_key),
                        field="stage_fields",
                    )
                undeclared = sorted(set(values) - set(types))
                if undeclared:
                    raise InvalidInput(
                        _(
                            "stage '%(stage)s' has no field %(name)s (%(known)s)",
                            stage=stage_key,
                            name=repr(undeclared[0]),
                            known=", ".join(types) or _("none"),
                        ),
                        field=f"stage_fields.{stage_key}.{undeclared[0]}",
                    )
                converted = {
                    n: convert(types[n], v, f"stage_fields.{stage_key}.{n}")
                    for n, v in values.items()
                }
                merged[str(stage_key)] = {
                    k: v
                    for k, v in {**merged.get(str(stage_key), {}), **converted}.items()
                    if v is not None
                }
            deal.stage_fields = merged
        deal.updated_at = now
        live = ctx.live.take(("deal", deal.id, deal.version))
        store.record(
            "deal",
            deal.id,
            now,
            actor.id,
            "updated",
            from_stage=None,
            to_stage=deal.stage_key,
            from_status=deal.status,
            to_status=deal.status,
            detail={"changed": sorted(changes)},
        )
        store.flush()
        if "customer_fields" in changes:
            approval_waits.mark_customer(ctx, store, deal)
        else:
            approval_waits.mark_deals(ctx, store, [deal])
        if live is not None:
            common.keep_live(ctx, store, deal, live)
        store.commit()
        return deal_view(ctx, store, deal, detail=True)
