"""What every API model builds on: request, query and response bases and shared field types."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.domain.paging import MAX_CURSOR, MAX_LIMIT

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record's id as a client sends it in a body or a list: a positive 64-bit integer."""


class Body(BaseModel):
    """A JSON request body: JSON types taken as they are; a field it does not name is refused
    (a 400 naming it), so a misspelt or misplaced field is never silently dropped."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)


class Query(BaseModel):
    """Query parameters: a query string is all text, so values are converted to the type."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


SEARCH_TEXT = (
    "Words the name or the company begins a word with, e.g. 'north trad' finds 'Northwind "
    "Traders' (case and punctuation ignored; at most 5 words)"
)
CURSOR_TEXT = (
    "Where the page starts: the X-Next-Cursor (or the Link rel=next) of the page before; "
    "leave it out for the first page. A cursor belongs to one list and order; a bad one is "
    "a 400 naming `cursor`."
)


class Paged(Query):
    """A page of a list: how many rows, and the cursor the page starts from."""

    limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"At most this many (1 to {MAX_LIMIT})")
    cursor: str | None = Field(None, max_length=MAX_CURSOR, description=CURSOR_TEXT)


class Reply(BaseModel):
    """A response body: exactly the fields the use case's `to_dict()` returns, no others."""

    model_config = ConfigDict(extra="forbid")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def sometimes(description: str | None = None) -> Any:
    """A field that may be absent but is never null: some replies carry it, or a request may
    leave it out (`model_fields_set` tells whether it was sent)."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


DateText = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "date"})]
"""A day as YYYY-MM-DD (the use case checks it and names the field if it is not one)."""


def _digits(value: object) -> object:
    # Clients have always been able to send the version they read as digits ("3").
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


VERSION_TEXT = (
    "The version you read; refused with 409 if the record changed since (or send If-Match)."
)
Version = Annotated[int | None, BeforeValidator(_digits), Field(description=VERSION_TEXT)]


class Versioned(Body):
    """A change that may name the version of the record it was based on."""

    version: Version = None


def _number_or_text(value: object) -> object:
    if value is None or (isinstance(value, int | float | str) and not isinstance(value, bool)):
        return value
    raise PydanticCustomError("number_or_text", "must be a number or a number as text")


NumberOrText = Annotated[
    Any,
    BeforeValidator(_number_or_text),
    WithJsonSchema({"type": ["number", "string", "null"]}),
]
"""A number, or a number as text ("1200.50"); the use case parses and checks it."""
Amount = NumberOrText  # money: at most two decimals, from 0 to below 10^12

MONEY_TEXT = (
    "An exact amount with two decimals, written as a JSON number with its own digits (0.30 is "
    "0.30, never 0.30000000000000004): read it as a decimal, not a binary float, to keep cents "
    "exact (e.g. Python json.loads(..., parse_float=Decimal))"
)
Money = Annotated[
    Decimal, WithJsonSchema({"type": "number", "format": "decimal", "description": MONEY_TEXT})
]
"""An amount in a reply: the Decimal the use case returned, as an exact JSON number."""
OptionalMoney = Annotated[
    Decimal | None,
    WithJsonSchema({"type": ["number", "null"], "format": "decimal", "description": MONEY_TEXT}),
]
MoneyByCurrency = Annotated[
    dict[str, Decimal],
    WithJsonSchema(
        {
            "type": "object",
            "additionalProperties": {"type": "number", "format": "decimal"},
            "description": "Amounts by 3-letter currency code, one per currency (never summed "
            "across currencies); each " + MONEY_TEXT[3:],
        }
    ),
]


def _scalar(value: object) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise PydanticCustomError("scalar", "must be text, a number, true, false or null")


FIELD_VALUES_TEXT = (
    "Custom fields by snake_case name; null clears one. Values are checked against the type a "
    "stage's stage_required_fields declares (text, number, date, boolean, email)."
)
FieldValue = Annotated[
    Any,
    BeforeValidator(_scalar),
    WithJsonSchema({"type": ["string", "number", "boolean", "null"]}),
]
FieldValues = dict[str, FieldValue]


class Error(Reply):
    """An error: a code, a message in plain words, and what names the problem."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(
        description="invalid_input, unauthorized, forbidden, not_found, invalid_state, "
        "conflict, rule_violation, diagram_error, ... (HTTP errors: their name in snake_case)"
    )
    message: str
    field: str | None = Field(None, description="The bad field, dotted (400 invalid_input)")
    current_version: int | None = Field(None, description="The record's version (409 conflict)")
    path: str | None = Field(None, description="The path asked for (HTTP errors)")


class RuleViolation(Error):
    """A sales rule refuses the action; `unmet` lists each unmet requirement."""

    error: Literal["rule_violation"]
    unmet: list[str] | None = Field(
        None, description="Each unmet requirement, e.g. 'Initial visit: Industry is empty'"
    )


class ApiIndex(Reply):
    """Where the API and its description are."""

    name: str
    api: str
    openapi: str
