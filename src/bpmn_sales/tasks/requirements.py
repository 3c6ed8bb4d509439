"""What it takes to leave a stage, and to win: required fields, contacts, approvals, obligatory
activities. Each refusal names every unmet requirement."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bpmn_sales.domain.rules import FieldRef, ProcessRules, StageRule
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, ngettext

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_FIELD_TEXT = 2000


@dataclass(frozen=True)
class DealFacts:
    """What the requirement checks look at, read from storage by the use case."""

    customer: Mapping[str, Any] = field(default_factory=dict)
    deal: Mapping[str, Any] = field(default_factory=dict)
    stage_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    contacts: int = 0
    approvals: Mapping[str, str] = field(default_factory=dict)  # stage key -> last decision
    done: Collection[str] = ()
    orders: int = 0


def field_value(ref: FieldRef, facts: DealFacts, stage_key: str) -> Any:
    if ref.scope == "customer":
        return facts.customer.get(ref.name)
    if ref.scope == "deal":
        return facts.deal.get(ref.name)
    return facts.stage_fields.get(stage_key, {}).get(ref.name)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def stage_unmet(stage: StageRule, facts: DealFacts, *, skipped: bool = False) -> list[str]:
    """The requirements of `stage` not met yet (`skipped`: the deal passes it without a visit)."""
    unmet = []
    for ref in stage.required_fields:
        if is_empty(field_value(ref, facts, stage.key)):
            unmet.append(_("%(field)s is empty", field=ref.label))
    if facts.contacts < stage.min_contacts:
        unmet.append(
            ngettext(
                "the customer needs at least %(num)s contact (has %(has)s)",
                "the customer needs at least %(num)s contacts (has %(has)s)",
                stage.min_contacts,
                has=facts.contacts,
            )
        )
    if stage.approval and facts.approvals.get(stage.key) != "approve":
        decision = facts.approvals.get(stage.key)
        unmet.append(
            _("the direct manager's approval was rejected")
            if decision == "reject"
            else _("the direct manager's approval is missing")
        )
    for activity in stage.activities:
        if activity.obligatory and activity.element_id not in facts.done:
            unmet.append(
                _("obligatory activity '%(activity)s' is not done", activity=activity.name)
            )
    if skipped and stage.optional:
        return []
    return unmet


def without_approval(stage: StageRule) -> StageRule:
    """The stage's requirements other than its approval: what the approval waits for."""
    kept = tuple(a for a in stage.activities if not a.approval)
    return replace(stage, approval=None, activities=kept)


def approval_waits_for(stage: StageRule, facts: DealFacts) -> list[str]:
    """What keeps the manager from approving `stage`: its required fields, contacts and
    obligatory activities not met yet (the approval could not let the deal leave the stage).
    [] for a stage without an approval."""
    if not stage.approval:
        return []
    return stage_unmet(without_approval(stage), facts)


def leave_unmet(
    rules: ProcessRules, facts: DealFacts, current: str | None, target: str | None
) -> list[str]:
    """Unmet requirements for a move from stage `current` forward to `target`.

    `target` None means past the last stage. The current stage must meet its requirements; a
    stage passed over must too, unless it is optional. Moving back has none.
    """
    here = rules.stage(current)
    there = rules.stage(target)
    if here is None or (there is not None and there.order <= here.order):
        return []
    passed = [here] if there is None else rules.stages_between(current, target)
    unmet = []
    for stage in passed:
        for problem in stage_unmet(stage, facts, skipped=stage is not here):
            unmet.append(_("%(stage)s: %(problem)s", stage=stage.name, problem=problem))
    return unmet


def win_unmet(rules: ProcessRules, facts: DealFacts) -> list[str]:
    """Winning needs every obligatory activity done and, where the process says so, an order."""
    unmet = []
    for activity in rules.obligatory():
        if activity.element_id not in facts.done:
            stage = rules.stage(activity.stage_key)
            where = stage.name if stage else activity.stage_key
            unmet.append(
                _(
                    "obligatory activity '%(activity)s' (%(stage)s) is not done",
                    activity=activity.name,
                    stage=where,
                )
            )
    if rules.order_required and facts.orders == 0:
        unmet.append(_("an order must exist to win"))
    return unmet


def convert(ref: FieldRef, value: Any, where: str) -> Any:
    """A field value checked against its declared type (None clears the field)."""
    if is_empty(value):
        return None
    if ref.type == "number":
        if isinstance(value, bool):
            raise InvalidInput(_("%(field)s must be a number", field=where), field=where)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise InvalidInput(
                _("%(field)s must be a number, not %(value)r", field=where, value=value),
                field=where,
            ) from None
        if not number.is_finite():
            raise InvalidInput(_("%(field)s must be a finite number", field=where), field=where)
        return int(number) if number == number.to_integral_value() else float(number)
    if ref.type == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise InvalidInput(_("%(field)s must be true or false", field=where), field=where)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInput(_("%(field)s must be text", field=where), field=where)
    text = str(value).strip()
    if len(text) > MAX_FIELD_TEXT:
        raise InvalidInput(
            _(
                "%(field)s is longer than %(most)s characters",
                field=where,
                most=MAX_FIELD_TEXT,
            ),
            field=where,
        )
    if ref.type == "date":
        try:
            if not ISO_DATE.match(text):
                raise ValueError(text)
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidInput(
                _("%(field)s must be a date YYYY-MM-DD, not %(value)r", field=where, value=text),
                field=where,
            ) from None
    if ref.type == "email" and not EMAIL.match(text):
        raise InvalidInput(_("%(field)s must be an e-mail address", field=where), field=where)
    return text


def declared(rules: ProcessRules, scope: str) -> dict[str, FieldRef]:
    """Fields of a scope that some stage asks for, required or not, by name (first declaration
    wins)."""
    found: dict[str, FieldRef] = {}
    for stage in rules.stages:
        for ref in stage.fields:
            if ref.scope == scope:
                found.setdefault(ref.name, ref)
    return found


def stage_declared(rules: ProcessRules, stage_key: str) -> dict[str, FieldRef]:
    stage = rules.stage(stage_key)
    if stage is None:
        raise InvalidInput(
            _("stage '%(stage)s' does not exist in this process", stage=stage_key),
            field="stage_fields",
        )
    return {r.name: r for r in stage.fields if r.scope == "stage"}
