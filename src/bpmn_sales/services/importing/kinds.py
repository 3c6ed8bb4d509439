"""What differs between importing leads and deals: their fields, duplicate keys and creation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from bpmn_sales.context import Context
from bpmn_sales.domain import cells
from bpmn_sales.domain.columns import DEAL_NAMES, LEAD_NAMES, header_key, status_of
from bpmn_sales.domain.model import Actor, currency, optional_email, optional_text, required_text
from bpmn_sales.domain.rules import ProcessRules, StageRule
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal, Lead, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.deals.lifecycle import CLOSE_MESSAGE, MOVE_MESSAGE
from bpmn_sales.services.deals.start import start_deal
from bpmn_sales.services.deals.steps import apply_step
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
    # Creates a batch's records, each from its owner, process, row, external id and line.
    create: Callable[[Context, Store, Actor, Sequence[NewRow]], None]
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


def _create_deals(ctx: Context, store: Store, actor: Actor, rows: Sequence[NewRow]) -> None:
    """Add a batch's deals one by one, each started and brought to its row's stage or end."""
    for owner, version, row, external_id, line in rows:
        _create_deal(ctx, store, actor, owner, version, row, external_id, line)


def _create_deal(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    version: ProcessVersion,
    row: Parsed,
    external_id: str | None,
    line: int,
) -> None:
    fields = {
        "name": row.fields["name"],
        "customer": row.fields.get("customer"),
        "value": row.fields.get("value") or Decimal("0.00"),
        "currency": row.fields.get("currency") or _company_currency(store),
        "expected_close_date": row.fields.get("expected_close_date"),
    }
    deal = start_deal(
        ctx,
        store,
        actor,
        owner,
        fields,
        version=version,
        external_id=external_id,
        detail={"source": "import", "line": line},
    )
    _imported_steps(ctx, store, actor, deal, row, line)


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
    first = min(rules.pre_sale, key=lambda s: s.order)
    if not rules.free_moves and stage.key != first.key:
        return _(
            "%(process)s moves its deals by their activities: they can be imported at its "
            "first stage '%(first)s' only",
            process=process,
            first=first.name,
        )
    return stage


def _verify_deal(
    ctx: Context, store: Store, version: ProcessVersion, row: Parsed
) -> dict[str, str]:
    """The stage (key or name) and the outcome, reason and close day, checked against the
    deal's process; the stage is replaced by its key."""
    fields = row.fields
    status = fields.get("status") or "open"
    if not fields.get("stage") and status == "open" and not fields.get("closed_on"):
        return {}
    rules = _rules(ctx, store, version)
    problems: dict[str, str] = {}
    if fields.get("stage"):
        stage = _verify_stage(rules, version, fields["stage"])
        if isinstance(stage, str):
            problems["stage"] = stage
        else:
            fields["stage"] = stage.key
    if status == "open":
        if fields.get("closed_on"):
            problems["closed_on"] = _("an open deal has no close day; give its status")
        return problems
    try:
        closing.close_request(rules, status, fields.get("reason"))
    except InvalidInput as error:
        problems["reason" if error.field == "reason" else "status"] = error.message
    if not fields.get("closed_on"):
        problems["closed_on"] = _("a closed deal needs the day it closed")
    return problems


def _noon(day: date) -> datetime:
    """A day as an instant that is that day in every time zone people work in."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def _imported_steps(
    ctx: Context, store: Store, actor: Actor, deal: Deal, row: Parsed, line: int
) -> None:
    """Bring a new deal to the stage of its row, then close it as the row says, without the
    rules of the stages it passes: the history records both steps as imported."""
    stage_key = row.fields.get("stage")
    status = row.fields.get("status") or "open"
    moves = stage_key is not None and stage_key != deal.stage_key
    if not moves and status == "open":
        return
    instance = common.restore(ctx, store, deal)
    detail = {"source": "import", "line": line}
    if moves:
        before = instance.running_stage()
        if MOVE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(
                _("line %(line)s: the process cannot start a deal at another stage", line=line)
            )
        instance.send_message(MOVE_MESSAGE, {"stage": stage_key})
        moved = {"from": before.key if before else None, "to": stage_key, **detail}
        apply_step(ctx, store, deal, instance, actor, "moved", moved, before, imported=True)
    if status != "open":
        before = instance.running_stage()
        payload = closing.close_request(instance.rules, status, row.fields.get("reason"))
        if CLOSE_MESSAGE not in instance.waiting_messages():
            raise InvalidState(
                _("line %(line)s: the process cannot close a deal at this stage", line=line)
            )
        instance.send_message(CLOSE_MESSAGE, payload)
        closed = {"closed_at": _noon(row.fields["closed_on"])}
        apply_step(
            ctx,
            store,
            deal,
            instance,
            actor,
            "closed",
            {**payload, **detail},
            before,
            closed,
            imported=True,
        )


LEADS = Kind("lead", LEAD_NAMES, LEAD_CHECKS, _lead_keys, _lead_existing, _create_leads)
DEALS = Kind(
    "deal", DEAL_NAMES, DEAL_CHECKS, _deal_keys, _deal_existing, _create_deals, _verify_deal
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
