"""Editing a deal: its own fields, its customer's fields and its stage fields (null clears one)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import (
    Actor,
    DealStatus,
    DealView,
    currency,
    every_field,
    money,
    optional_text,
    required_text,
)
from bpmn_sales.domain.rules import FieldRef, ProcessRules
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
    for name in values:
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise InvalidInput(
                _("%(field)s field %(name)s must be snake_case", field=where, name=repr(name)),
                field=f"{where}.{name}",
            )
    checks: dict[str, Callable[[], Any]] = {}
    for name, value in values.items():
        ref = types.get(name) or FieldRef(where.split("_")[0], name)
        checks[name] = partial(convert, ref, value, f"{where}.{name}")
    return every_field(checks)


def _stage_values(rules: ProcessRules, by_stage: object) -> dict[str, dict[str, Any]]:
    """Stage fields by stage key, each checked against the stage's declared type."""
    if not isinstance(by_stage, dict):
        raise InvalidInput(_("stage_fields must be an object of stages"), field="stage_fields")
    checks: dict[str, Callable[[], Any]] = {}
    places: dict[str, tuple[str, str]] = {}
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
        for n, v in values.items():
            where = f"stage_fields.{stage_key}.{n}"
            checks[where] = partial(convert, types[n], v, where)
            places[where] = (str(stage_key), n)
    out: dict[str, dict[str, Any]] = {str(k): {} for k in by_stage}
    for where, value in every_field(checks).items():
        stage_key, name = places[where]
        out[stage_key][name] = value
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
        customer = None
        if "customer_fields" in changes:
            customer = store.session.get(Customer, deal.customer_id) if deal.customer_id else None
            if customer is None:
                raise InvalidState(
                    _("deal %(deal)s has no customer; set its customer first", deal=deal_id)
                )
        checks: dict[str, Callable[[], Any]] = {
            "name": lambda: required_text(changes["name"], "name"),
            "value": lambda: money(changes["value"], "value") or Decimal("0.00"),
            "currency": lambda: currency(changes["currency"]),
            "expected_close_date": lambda: optional_date(
                changes["expected_close_date"], "expected_close_date"
            ),
            "customer": lambda: optional_text(changes["customer"], "customer"),
            "fields": lambda: _custom(changes["fields"], "deal_fields", declared(rules, "deal")),
            "customer_fields": lambda: _custom(
                changes["customer_fields"], "customer_fields", declared(rules, "customer")
            ),
            "stage_fields": lambda: _stage_values(rules, changes["stage_fields"]),
        }
        # Every bad field at once, before anything changes.
        checked = every_field({name: check for name, check in checks.items() if name in changes})
        for name in ("name", "value", "currency", "expected_close_date"):
            if name in checked:
                setattr(deal, name, checked[name])
        if "customer" in checked:
            found = customer_for(store, checked["customer"], now)
            deal.customer, deal.customer_id = checked["customer"], found.id if found else None
        if "fields" in checked:
            deal.fields = _merge(dict(deal.fields or {}), checked["fields"])
        if customer is not None:
            customer.fields = _merge(dict(customer.fields or {}), checked["customer_fields"])
            customer.updated_at = now
        if "stage_fields" in checked:
            merged = dict(deal.stage_fields or {})
            for stage_key, converted in checked["stage_fields"].items():
                merged[stage_key] = {
                    k: v
                    for k, v in {**merged.get(stage_key, {}), **converted}.items()
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
