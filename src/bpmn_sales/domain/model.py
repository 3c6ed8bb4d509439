"""Plain values the use cases return and the rules on the fields people type."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from bpmn_sales.domain.attention import NextActivity
from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, formats


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class LeadStatus(StrEnum):
    NEW = "new"
    DISQUALIFIED = "disqualified"
    QUALIFIED = "qualified"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    INVALID = "invalid"


@dataclass(frozen=True)
class Actor:
    """Who is doing something: a signed-in user, an API client or an operator at the CLI."""

    id: int
    username: str
    role: Role
    manager_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class TaskView:
    task_id: str
    element_id: str
    title: str
    lane: str | None
    role: str
    stage: str | None
    subject_type: str
    subject_id: int
    subject_name: str
    owner: str | None
    kind: str = "task"  # task, approval or follow_up
    assignee: str | None = None
    due_on: date | None = None
    tip: str = ""
    note_required: str = "none"
    group: str | None = None  # the group it is assigned to (claimed or not)
    # An approval kept from the manager until its stage's requirements are met.
    waiting: bool = False
    # The answer to a completion: what the deal's approval now waits for, told to the rep.
    approval_waits_for: tuple[str, ...] = ()
    due_at: datetime | None = None  # a ready task's due time (follow-ups have due_on)
    due: str = "none"  # its group on a task list: overdue, today, upcoming or none
    stage_name: str | None = None  # the stage's name as the diagram gives it

    def to_dict(self) -> dict[str, Any]:
        # Field by field: each is a plain value, and asdict's deep copy of every one was a
        # tenth of the framework's time in answering a completed task.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["due_on"] = self.due_on.isoformat() if self.due_on else None
        data["approval_waits_for"] = list(self.approval_waits_for)
        data["due_at"] = self.due_at.isoformat() if self.due_at else None
        return data


@dataclass(frozen=True)
class HistoryView:
    at: datetime
    actor: str | None
    action: str
    from_stage: str | None
    to_stage: str | None
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    summary: str = ""  # what happened, told in the reader's language when it is read

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


@dataclass(frozen=True)
class LeadView:
    id: int
    name: str
    company: str | None
    email: str | None
    phone: str | None
    estimated_value: Decimal | None
    status: str
    owner: str
    process: str
    disqualify_reason: str | None
    deal_id: int | None
    version: int
    created_at: datetime
    tasks: list[TaskView] = field(default_factory=list)
    currency: str = "USD"
    process_name: str = ""  # what people read; `process` is the key and version
    process_version: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["estimated_value"] = money_out(self.estimated_value)
        data["created_at"] = self.created_at.isoformat()
        data["tasks"] = [t.to_dict() for t in self.tasks]
        return data


@dataclass(frozen=True)
class DealView:
    id: int
    name: str
    customer: str | None
    value: Decimal
    currency: str
    status: str
    stage: str | None
    stage_name: str | None
    probability: int
    owner: str
    process: str
    lead_id: int | None
    reopened_from_id: int | None
    reopened_as_id: int | None
    lost_reason: str | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    tasks: list[TaskView] = field(default_factory=list)
    process_key: str = ""
    process_name: str = ""  # what people read; `process` is the key and version
    process_version: int = 0
    outcome_label: str | None = None
    expected_close_date: date | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    stage_fields: dict[str, Any] = field(default_factory=dict)
    # The deal page's extras (stage path, checklist, requirements, records); get_deal only.
    detail: dict[str, Any] | None = None
    # Open deals: the earliest due ready task or follow-up, and the deal's flag
    # (nothing_scheduled, or quiet since `quiet_since`: longer than its stage's reminder).
    next_activity: NextActivity | None = None
    flag: str | None = None
    quiet_since: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["next_activity"] = self.next_activity.to_dict() if self.next_activity else None
        data["quiet_since"] = self.quiet_since.isoformat() if self.quiet_since else None
        data["value"] = money_out(self.value)
        data["created_at"] = self.created_at.isoformat()
        data["closed_at"] = self.closed_at.isoformat() if self.closed_at else None
        data["expected_close_date"] = (
            self.expected_close_date.isoformat() if self.expected_close_date else None
        )
        data["tasks"] = [t.to_dict() for t in self.tasks]
        if self.detail is None:
            del data["detail"]
        return data


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME = 200
MAX_MONEY = Decimal("1e12")
MAX_ID = 2**63 - 1  # the largest id or number a database column holds (SQLite and BIGINT)


def money_out(value: Decimal | None) -> Decimal | None:
    """An amount as it leaves a use case: the Decimal with its two places (never a float)."""
    return value.quantize(Decimal("0.01")) if value is not None else None


def every_field(checks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each field's check; refuse with every bad field at once.

    The refusal names the first bad field (`field`) and carries `errors`, {field: message} for
    each one, so a form can show every message beside its field.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except InvalidInput as error:
            listed = error.details.get("errors")
            for where, message in (listed if isinstance(listed, dict) else {}).items():
                errors.setdefault(str(where), str(message))
            errors.setdefault(error.field or name, error.message)
    if errors:
        first = next(iter(errors))
        raise InvalidInput(errors[first], field=first, errors=errors)
    return values


def required_text(value: object, field_name: str, max_length: int = MAX_NAME) -> str:
    """Return a trimmed non-empty string or refuse naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(_("%(field)s is required", field=field_name), field=field_name)
    text = value.strip()
    if len(text) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(most)s characters", field=field_name, most=max_length),
            field=field_name,
        )
    return text


def optional_text(value: object, field_name: str, max_length: int = MAX_NAME) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return required_text(value, field_name, max_length)


def optional_email(value: object, field_name: str = "email") -> str | None:
    text = optional_text(value, field_name)
    if text is not None and not EMAIL.match(text):
        raise InvalidInput(
            _("%(field)s %(value)r is not an e-mail address", field=field_name, value=text),
            field=field_name,
        )
    return text


def money(value: object, field_name: str) -> Decimal | None:
    """Parse a non-negative amount with at most two decimals.

    Text and integers are read exactly. A float is what a JSON parser made of a number in a
    request body: its shortest text (`str`) gives back the digits the client wrote, exactly,
    since an amount below 10^12 with two decimals has at most 14 significant digits."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInput(_("%(field)s must be a number", field=field_name), field=field_name)
    try:
        amount = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            _("%(field)s %(value)r is not a number", field=field_name, value=value),
            field=field_name,
        ) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_MONEY:
        raise InvalidInput(
            _(
                "%(field)s must be between 0 and %(most)s",
                field=field_name,
                most=formats.number(int(MAX_MONEY)),
            ),
            field=field_name,
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            _("%(field)s has more than two decimals", field=field_name), field=field_name
        )
    return amount.quantize(Decimal("0.01")).copy_abs()  # never "-0.00"


def currency(value: object, default: str = "USD") -> str:
    """A 3-letter currency code, upper case; `default` (the company's) when none is given."""
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise InvalidInput(
            _("currency %(value)r is not a 3-letter code", value=value), field="currency"
        )
    return value.strip().upper()


FORM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Names the bundled processes compute themselves; a form may not overwrite them.
RESERVED_FORM_KEYS = frozenset(
    {
        "lead",
        "deal",
        "opportunity",
        "disqualification",
        "renewal",
        "close",
        "close_request",
        "move_request",
        "approval",
    }
)
MAX_FORM_BYTES = 64 * 1024
# Lists and objects inside lists and objects; the workflow state's serializer stops at 255.
MAX_NESTING = 32


def nesting(value: object) -> int:
    """How deeply lists and objects nest in a JSON value (counted without recursion)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            todo.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def form_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """Check user-supplied task data: plain JSON values under snake_case, unreserved keys."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(_("data must be an object"), field="data")
    for key in data:
        if not isinstance(key, str) or not FORM_KEY.match(key):
            raise InvalidInput(
                _("data field %(key)r must be snake_case (a-z, 0-9, _)", key=key),
                field=f"data.{key}",
            )
        if key in RESERVED_FORM_KEYS:
            raise InvalidInput(
                _("data field %(key)r is set by the process", key=key), field=f"data.{key}"
            )
    if nesting(data) > MAX_NESTING:
        raise InvalidInput(
            _("data nests lists and objects over %(most)s deep", most=MAX_NESTING), field="data"
        )
    try:
        size = len(json.dumps(data, allow_nan=False))
    except (TypeError, ValueError):
        raise InvalidInput(_("data must hold only JSON values"), field="data") from None
    if size > MAX_FORM_BYTES:
        raise InvalidInput(
            _("data is larger than %(most)s bytes", most=MAX_FORM_BYTES), field="data"
        )
    return data
