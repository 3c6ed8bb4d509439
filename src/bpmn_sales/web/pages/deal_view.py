"""What the deal page shows besides the deal itself: the edit form's fields, the actions open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmn_sales.domain.model import DealView, TaskView
from bpmn_sales.domain.rules import humanise
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _
from bpmn_sales.web import labels
from bpmn_sales.web.pages.amounts import typed_amount

# Fields the deal row carries itself (a stage may require them by these names).
BUILTIN = {
    "deal.name": "name",
    "deal.value": "value",
    "deal.currency": "currency",
    "deal.expected_close_date": "expected_close_date",
    "customer.name": "customer",
}
INPUT_TYPES = {"number": "number", "date": "date", "email": "email", "text": "text"}


@dataclass(frozen=True)
class FieldInput:
    """One custom field of the edit form: its form name, label, input type and value."""

    name: str
    label: str
    type: str
    value: Any
    required: bool


@dataclass(frozen=True)
class DealPage:
    """The deal page's derived facts, computed once per render."""

    required_builtins: set[str]
    custom_fields: list[FieldInput]
    outcomes: list[str]
    lost_reasons: list[str]
    move_targets: list[tuple[str, str]]
    order_note: str | None
    orders_allowed: bool
    ready_by_element: dict[str, TaskView] = field(default_factory=dict)
    other_tasks: list[TaskView] = field(default_factory=list)
    current_stage_name: str | None = None
    stage_names: dict[str, str] = field(default_factory=dict)
    # The deal's custom field values as (scope, stage name, label, value), for reading.
    facts: list[tuple[str, str, str, Any]] = field(default_factory=list)


def _parse(ref: str) -> tuple[str, str, str]:
    path, _sep, kind = ref.partition(":")
    scope, _sep, name = path.partition(".")
    return scope, name, kind or "text"


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def custom_fields(deal: DealView, detail: dict[str, Any]) -> tuple[set[str], list[FieldInput]]:
    """The built-in fields the current stage requires, and the custom fields to edit."""
    stage = detail.get("current_stage") or {}
    refs = [_parse(r) for r in stage.get("required_fields", [])]
    builtins = {BUILTIN[f"{s}.{n}"] for s, n, _kind in refs if f"{s}.{n}" in BUILTIN}
    wanted = {(s, n): k for s, n, k in refs if f"{s}.{n}" not in BUILTIN}
    # The stage's optional fields (stage_fields) are offered too, but not marked required.
    offered = {
        (s, n): k
        for s, n, k in (_parse(r) for r in stage.get("optional_fields", []))
        if f"{s}.{n}" not in BUILTIN and (s, n) not in wanted
    }
    labels_of = {**detail.get("field_labels", {}), **stage.get("field_labels", {})}
    customer = detail.get("customer")
    values: dict[str, dict[str, Any]] = {
        "deal": dict(deal.fields),
        "customer": dict(customer["fields"]) if customer else {},
        "stage": dict(deal.stage_fields.get(stage.get("key", ""), {})),
    }
    inputs: list[FieldInput] = []
    for scope, prefix in (
        ("deal", "deal_fields"),
        ("customer", "customer_fields"),
        ("stage", f"stage_fields.{stage.get('key', '')}"),
    ):
        if scope == "customer" and customer is None:
            continue
        names = [n for s, n in wanted if s == scope] + [n for s, n in offered if s == scope]
        if scope != "stage":
            names += [n for n in sorted(values[scope]) if n not in names]
        for name in names:
            kind = wanted.get((scope, name)) or offered.get((scope, name), "text")
            inputs.append(
                FieldInput(
                    name=f"{prefix}.{name}",
                    label=labels_of.get(f"{scope}.{name}") or humanise(name),
                    type=INPUT_TYPES.get(kind, "boolean"),
                    value=_value(values[scope].get(name)),
                    required=(scope, name) in wanted,
                )
            )
    return builtins, inputs


def _orders(deal: DealView, detail: dict[str, Any]) -> tuple[bool, str | None]:
    """Whether the order form is offered, and what the process says about orders."""
    if deal.status not in ("open", "won"):
        return False, None
    won = [t for t in detail.get("terminals", []) if t["outcome"] == "won"]
    first = next((t["orders_from_stage"] for t in won if t.get("orders_from_stage")), None)
    after = next((t["orders_after_stage"] for t in won if t.get("orders_after_stage")), None)
    required = any(t.get("order_required") for t in won)
    note = _("Winning needs an order.") if required else None
    if deal.status == "won":
        return True, note
    states = {s["key"]: (s["state"], s["name"]) for s in detail.get("stages", [])}
    state, name = states.get(first, ("todo", first)) if first else ("passed", "")
    if state == "todo":
        return False, _("Orders may be created from stage '%(stage)s' on.", stage=name)
    state, name = states.get(after, ("todo", after)) if after else ("passed", "")
    if state == "todo":
        return False, _("Orders may be created once stage '%(stage)s' is completed.", stage=name)
    if state == "current":  # done with it only once it waits for a close; the server judges
        return True, _("Orders may be created once stage '%(stage)s' is completed.", stage=name)
    return True, note


def facts(deal: DealView, detail: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """The custom fields the deal holds, each named by its label (the diagram's title or the
    name in words), stage fields with their stage's name."""
    labels_of: dict[str, str] = detail.get("field_labels", {})
    names = {s["key"]: s["name"] for s in detail.get("stages", [])}
    customer = detail.get("customer") or {}

    def label(scope: str, name: str) -> str:
        return labels_of.get(f"{scope}.{name}") or humanise(name)

    rows = [("deal", "", label("deal", k), v) for k, v in deal.fields.items()]
    rows += [
        ("customer", "", label("customer", k), v) for k, v in customer.get("fields", {}).items()
    ]
    rows += [
        ("stage", names.get(key) or humanise(key), label("stage", k), v)
        for key, values in deal.stage_fields.items()
        for k, v in values.items()
    ]
    return rows


def deal_page(deal: DealView) -> DealPage:
    detail = deal.detail or {}
    builtins, inputs = custom_fields(deal, detail)
    terminals = detail.get("terminals", [])
    outcomes = list(dict.fromkeys(t["outcome"] for t in terminals))
    lost = next((t for t in terminals if t["outcome"] == "lost"), None)
    moves: list[tuple[str, str]] = []
    if detail.get("free_moves") and deal.status == "open":
        moves = [
            (s["key"], labels.optional_stage(s["name"]) if s["optional"] else s["name"])
            for s in detail.get("stages", [])
            if s["phase"] == "pre_sale" and s["state"] != "current"
        ]
    allowed, note = _orders(deal, detail)
    checklist_ids = {a["element_id"] for a in detail.get("checklist", [])}
    ready = {t.element_id: t for t in deal.tasks if t.element_id in checklist_ids}
    others = [t for t in deal.tasks if t.element_id not in checklist_ids]
    stage = detail.get("current_stage")
    return DealPage(
        required_builtins=builtins,
        custom_fields=inputs,
        outcomes=outcomes,
        lost_reasons=list(lost["lost_reasons"]) if lost else [],
        move_targets=moves,
        order_note=note,
        orders_allowed=allowed,
        ready_by_element=ready,
        other_tasks=others,
        current_stage_name=stage["name"] if stage else None,
        stage_names={s["key"]: s["name"] for s in detail.get("stages", [])},
        facts=facts(deal, detail),
    )


def form_changes(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The edit form as update_deal's changes (built-in fields and nested custom fields), and
    the message for an amount the page could not read.

    Such an amount goes to the use case as `True`, which it always refuses: it then reports
    the form's other bad fields with it, and changes nothing."""
    changes: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    for name in ("name", "customer", "value", "currency", "expected_close_date"):
        if name in form:
            changes[name] = form[name].strip()
    if changes.get("value"):
        try:
            changes["value"] = typed_amount(changes["value"], "value")
        except InvalidInput as error:
            changes["value"] = True
            unreadable["value"] = error.message
    nested: dict[str, dict[str, Any]] = {}
    for key, raw in form.items():
        scope, dot, rest = key.partition(".")
        if dot and scope in ("deal_fields", "customer_fields", "stage_fields") and rest:
            target = nested.setdefault(scope, {})
            if scope == "stage_fields":
                stage, _sep, name = rest.partition(".")
                target.setdefault(stage, {})[name] = raw.strip()
            else:
                target[rest] = raw.strip()
    if "deal_fields" in nested:
        changes["fields"] = nested["deal_fields"]
    if "customer_fields" in nested:
        changes["customer_fields"] = nested["customer_fields"]
    if "stage_fields" in nested:
        changes["stage_fields"] = nested["stage_fields"]
    return changes, unreadable
