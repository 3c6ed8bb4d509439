"""What differs between importing leads and deals: their fields, duplicate keys and creation."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bpmn_sales.context import Context
from bpmn_sales.domain import cells
from bpmn_sales.domain.columns import DEAL_NAMES, LEAD_NAMES, header_key, status_of
from bpmn_sales.domain.model import Actor, currency, optional_email, optional_text, required_text
from bpmn_sales.domain.rules import ProcessRules, StageRule
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, current_language
from bpmn_sales.persistence.models import Deal, Lead, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.importing.deals import DealBatch
from bpmn_sales.services.importing.situations import check_situation
from bpmn_sales.services.leads.lifecycle import NewLead, new_leads
from bpmn_sales.services.people.preferences import CURRENCY_KEY
from bpmn_sales.tasks import closing

# A duplicate key: the field it comes from, and the value compared (already normalised).
Key = tuple[str, Any]
Checker = Callable[[str, str], Any]
# Checks that need the row's process: a message per field that is not right for it.
Verifier = Callable[[Context, Store, ProcessVersion, "Parsed"], dict[str, str]]


@dataclass(frozen=True)
class Parsed:
    """A row's checked fields (cells named by field) and its owner's user name ("" = you)."""

    fields: dict[str, Any]
    owner: str


# A row to create: its owner, the process version it starts on, its fields, its external id
# and its line in the file.
NewRow = tuple[User, ProcessVersion, Parsed, str | None, int]


@dataclass(frozen=True)
class Kind:
    """Leads or deals, as the import loop sees them."""

    name: Literal["lead", "deal"]
    names: Mapping[str, Sequence[str]]
    checks: Mapping[str, Checker]
    keys: Callable[[Parsed, bool], list[Key]]
    existing: Callable[[Store, str, Collection[Any]], dict[Any, int]]
    # For one import: what creates each batch's records (each from its owner, process, row,
    # external id and line), keeping what it worked out for the next batches.
    create: Callable[[Context, Store, Actor], Callable[[Sequence[NewRow]], None]]
    verify: Verifier | None = None


def _text(value: str, field_name: str) -> str | None:
    return optional_text(value, field_name)


LEAD_CHECKS: dict[str, Checker] = {
    "name": required_text,
    "company": _text,
    "email": lambda value, _: optional_email(value),
    "phone": lambda value, field_name: optional_text(value, field_name, 50),
    "estimated_value": cells.amount,
    "owner": _text,
}


def _status(value: str, field_name: str) -> str:
    status = status_of(value)
    if status is None:
        raise InvalidInput(
            _("status '%(value)s' is not open, won, lost or invalid", value=value), field_name
        )
    return status


DEAL_CHECKS: dict[str, Checker] = {
    "name": required_text,
    "customer": _text,
    "value": cells.amount,
    "currency": lambda value, _: currency(value),
    "expected_close_date": cells.day,
    "owner": _text,
    "stage": _text,
    "status": _status,
    "reason": _text,
    "closed_on": cells.day,
    "created_on": cells.day,
    "stage_entered_on": cells.day,
}


def _lead_keys(row: Parsed, has_id: bool) -> list[Key]:
    email = row.fields.get("email")
    return [("email", email.casefold())] if email else []


def _deal_keys(row: Parsed, has_id: bool) -> list[Key]:
    # A deal has no e-mail: without an id, the same name for the same customer is one deal.
    if has_id:
        return []
    customer = row.fields.get("customer") or ""
    return [("name", (row.fields["name"].casefold(), customer.casefold()))]


def _lead_existing(store: Store, field_name: str, values: Collection[Any]) -> dict[Any, int]:
    if field_name == "external_id":
        return store.ids_by_external_id(Lead, values)
    # casefold and SQL lower() agree on the addresses people use; an odd one is checked again
    # by the comparison of the casefolded value below.
    found = store.lead_ids_by_email({str(v) for v in values})
    return {email.casefold(): lead_id for email, lead_id in found.items()}


def _deal_existing(store: Store, field_name: str, values: Collection[Any]) -> dict[Any, int]:
    if field_name == "external_id":
        return store.ids_by_external_id(Deal, values)
    found = store.deal_ids_by_name({name for name, _ in values})
    return {(n.casefold(), c.casefold()): deal_id for (n, c), deal_id in found.items()}


def _create_leads(ctx: Context, store: Store, actor: Actor, rows: Sequence[NewRow]) -> None:
    """Add a batch's leads and start their processes: each kind of row they make (leads,
    tasks, history) is written with one statement for the batch, not one per lead."""
    wanted = []
    for owner, version, row, external_id, line in rows:
        fields = {k: row.fields.get(k) for k in ("company", "email", "phone", "estimated_value")}
        fields["currency"] = row.fields.get("currency") or _company_currency(store)
        detail = {"source": "import", "line": line}
        wanted.append(NewLead(owner, version, row.fields["name"], fields, external_id, detail))
    new_leads(ctx, store, actor, wanted)


def _company_currency(store: Store) -> str:
    """The company's currency (an import reads it once: `company_currency`)."""
    return currency(store.setting(CURRENCY_KEY), "USD")


def company_currency(store: Store) -> str:
    return _company_currency(store)


def _deal_creator(ctx: Context, store: Store, actor: Actor) -> Callable[[Sequence[NewRow]], None]:
    """Add each batch's deals, each started and brought to its row's stage or end, each kind
    of row they make written with one statement for the batch (`deals.DealBatch`)."""
    return DealBatch(ctx, store, actor).create


def _lead_creator(ctx: Context, store: Store, actor: Actor) -> Callable[[Sequence[NewRow]], None]:
    return lambda rows: _create_leads(ctx, store, actor, rows)


def _rules(ctx: Context, store: Store, version: ProcessVersion) -> ProcessRules:
    key, loader = common.spec_loader(store, version)
    return ctx.engine.info(key, loader).rules


def _stage_named(rules: ProcessRules, text: str) -> StageRule | None:
    """The stage a cell names by its key or its name (case, accents and spaces aside)."""
    wanted = header_key(text)
    for stage in rules.stages:
        if wanted in (header_key(stage.key), header_key(stage.name)):
            return stage
    return None


def _verify_stage(rules: ProcessRules, version: ProcessVersion, text: str) -> str | StageRule:
    stage = _stage_named(rules, text)
    process = version.process.name
    if stage is None:
        return _(
            "'%(stage)s' is not a stage of %(process)s (%(known)s)",
            stage=text,
            process=process,
            known=", ".join(s.name for s in rules.pre_sale),
        )
    if stage.post_sale:
        return _("stage '%(stage)s' comes after the win: import the deal won", stage=stage.name)
    return stage


# Whether deals can be imported in a situation (version digest, stage, status, reason, and the
# language the answer is in): the engine works it out once per process, not once per row.
_SITUATIONS: dict[tuple[str, str | None, str, str | None, str], str | None] = {}


def _situation_problem(
    ctx: Context, store: Store, version: ProcessVersion, fields: dict[str, Any]
) -> str | None:
    status = fields.get("status") or "open"
    reason = fields.get("reason") if status != "open" else None
    key = (version.digest, fields.get("stage"), status, reason, current_language())
    if key not in _SITUATIONS:
        if len(_SITUATIONS) > 1024:
            _SITUATIONS.clear()
        situation = (version.id, fields.get("stage"), status, reason)
        _SITUATIONS[key] = check_situation(ctx, store, version, situation)
    return _SITUATIONS[key]


def _verify_days(fields: dict[str, Any]) -> dict[str, str]:
    """The days of a row in their order: created, then in its stage, then closed."""
    order = ("created_on", "stage_entered_on", "closed_on")
    given = [(name, fields[name]) for name in order if fields.get(name)]
    for (earlier, first), (later, second) in itertools.pairwise(given):
        if second < first:
            values = {"day": second.isoformat(), "first": first.isoformat()}
            return {
                later: _("%(day)s is before the day the deal was created (%(first)s)", **values)
                if earlier == "created_on"
                else _("%(day)s is before the day the deal entered its stage (%(first)s)", **values)
            }
    return {}


def _verify_deal(
    ctx: Context, store: Store, version: ProcessVersion, row: Parsed
) -> dict[str, str]:
    """The stage (key or name) and the outcome, reason and close day, checked against the
    deal's process; the stage is replaced by its key."""
    fields = row.fields
    status = fields.get("status") or "open"
    problems: dict[str, str] = _verify_days(fields)
    if not fields.get("stage") and status == "open" and not fields.get("closed_on"):
        return problems
    rules = _rules(ctx, store, version)
    if fields.get("stage"):
        stage = _verify_stage(rules, version, fields["stage"])
        if isinstance(stage, str):
            problems["stage"] = stage
        else:
            fields["stage"] = stage.key
    if status == "open":
        if fields.get("closed_on"):
            problems["closed_on"] = _("an open deal has no close day; give its status")
        elif not problems and fields.get("stage"):
            problem = _situation_problem(ctx, store, version, fields)
            if problem:
                problems["stage"] = problem
        return problems
    try:
        closing.close_request(rules, status, fields.get("reason"))
    except InvalidInput as error:
        problems["reason" if error.field == "reason" else "status"] = error.message
    if not fields.get("closed_on"):
        problems["closed_on"] = _("a closed deal needs the day it closed")
    if not problems:
        problem = _situation_problem(ctx, store, version, fields)
        if problem:
            problems["stage" if fields.get("stage") else "status"] = problem
    return problems


LEADS = Kind("lead", LEAD_NAMES, LEAD_CHECKS, _lead_keys, _lead_existing, _lead_creator)
DEALS = Kind(
    "deal", DEAL_NAMES, DEAL_CHECKS, _deal_keys, _deal_existing, _deal_creator, _verify_deal
)


def parse_row(kind: Kind, cells_by_field: Mapping[str, str]) -> tuple[Parsed, dict[str, str]]:
    """The row's checked fields, and a message per field that is not right."""
    fields: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field_name, value in cells_by_field.items():
        try:
            fields[field_name] = kind.checks[field_name](value, field_name)
        except InvalidInput as error:
            problems[field_name] = error.message
    return Parsed(fields, fields.pop("owner", None) or ""), problems
