"""What differs between importing leads and deals: their fields, duplicate keys and creation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from bpmn_sales.context import Context
from bpmn_sales.domain import cells
from bpmn_sales.domain.columns import DEAL_NAMES, LEAD_NAMES
from bpmn_sales.domain.model import Actor, currency, optional_email, optional_text, required_text
from bpmn_sales.errors import InvalidInput
from bpmn_sales.persistence.models import Deal, Lead, ProcessVersion, User
from bpmn_sales.persistence.store import Store
from bpmn_sales.services.deals.start import start_deal
from bpmn_sales.services.leads.lifecycle import add_lead
from bpmn_sales.services.people.preferences import CURRENCY_KEY

# A duplicate key: the field it comes from, and the value compared (already normalised).
Key = tuple[str, Any]
Checker = Callable[[str, str], Any]


@dataclass(frozen=True)
class Parsed:
    """A row's checked fields (cells named by field) and its owner's user name ("" = you)."""

    fields: dict[str, Any]
    owner: str


@dataclass(frozen=True)
class Kind:
    """Leads or deals, as the import loop sees them."""

    name: Literal["lead", "deal"]
    names: Mapping[str, Sequence[str]]
    checks: Mapping[str, Checker]
    keys: Callable[[Parsed, bool], list[Key]]
    existing: Callable[[Store, str, Collection[Any]], dict[Any, int]]
    create: Callable[..., Lead | Deal]


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
DEAL_CHECKS: dict[str, Checker] = {
    "name": required_text,
    "customer": _text,
    "value": cells.amount,
    "currency": lambda value, _: currency(value),
    "expected_close_date": cells.day,
    "owner": _text,
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


def _create_lead(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    version: ProcessVersion,
    row: Parsed,
    external_id: str | None,
    line: int,
) -> Lead:
    fields = {k: row.fields.get(k) for k in ("company", "email", "phone", "estimated_value")}
    fields["currency"] = row.fields.get("currency") or _company_currency(store)
    return add_lead(
        ctx,
        store,
        actor,
        owner,
        version,
        row.fields["name"],
        fields,
        external_id=external_id,
        detail={"source": "import", "line": line},
    )


def _company_currency(store: Store) -> str:
    """The company's currency (an import reads it once: `company_currency`)."""
    return currency(store.setting(CURRENCY_KEY), "USD")


def company_currency(store: Store) -> str:
    return _company_currency(store)


def _create_deal(
    ctx: Context,
    store: Store,
    actor: Actor,
    owner: User,
    version: ProcessVersion,
    row: Parsed,
    external_id: str | None,
    line: int,
) -> Deal:
    fields = {
        "name": row.fields["name"],
        "customer": row.fields.get("customer"),
        "value": row.fields.get("value") or Decimal("0.00"),
        "currency": row.fields.get("currency") or _company_currency(store),
        "expected_close_date": row.fields.get("expected_close_date"),
    }
    return start_deal(
        ctx,
        store,
        actor,
        owner,
        fields,
        version=version,
        external_id=external_id,
        detail={"source": "import", "line": line},
    )


LEADS = Kind("lead", LEAD_NAMES, LEAD_CHECKS, _lead_keys, _lead_existing, _create_lead)
DEALS = Kind("deal", DEAL_NAMES, DEAL_CHECKS, _deal_keys, _deal_existing, _create_deal)


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
