"""The sales rules a process diagram carries, as plain values (the engine reads them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bpmn_sales.i18n import _

FIELD_TYPES = ("text", "number", "date", "boolean", "email")
BUILTIN_FIELDS = {
    "customer": ("name",),
    "deal": ("name", "value", "currency", "expected_close_date"),
}
OUTCOME_LABELS = {"won": "Won", "lost": "Lost", "invalid": "Invalid"}


def humanise(key: str) -> str:
    """A key as words when nobody gave it a title: `design_summary` reads "Design summary"."""
    words = " ".join(key.replace("_", " ").replace(".", " ").split())
    return words[:1].upper() + words[1:]


def builtin_label(path: str) -> str | None:
    """The word for a built-in field (`deal.value`), in the language in force; None for others."""
    words = {
        "customer.name": _("Customer"),
        "deal.name": _("Name"),
        "deal.value": _("Value"),
        "deal.currency": _("Currency"),
        "deal.expected_close_date": _("Expected close date"),
    }
    return words.get(path)


@dataclass(frozen=True)
class FieldRef:
    """A field a stage requires: `customer.industry`, `deal.budget:number`, `stage.date:date`,
    optionally with the title people read: `stage.design_summary=Design summary`."""

    scope: str
    name: str
    type: str = "text"
    title: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str) -> FieldRef:
        text, _eq, title = text.partition("=")
        ref, _sep, type_name = text.strip().partition(":")
        scope, _sep, name = ref.partition(".")
        if scope not in ("customer", "deal", "stage") or not name:
            raise ValueError(
                _("%(value)r is not a field reference (scope.name[:type])", value=text)
            )
        type_name = type_name or "text"
        if type_name not in FIELD_TYPES:
            raise ValueError(
                _(
                    "%(value)r: type must be one of %(types)s",
                    value=text,
                    types=", ".join(FIELD_TYPES),
                )
            )
        return cls(scope, name, type_name, " ".join(title.split()))

    @property
    def label(self) -> str:
        """What people read: the title the diagram gives, else a built-in field's word in the
        reader's language, else the name as words."""
        return self.title or builtin_label(self.path) or humanise(self.name)

    @property
    def path(self) -> str:
        return f"{self.scope}.{self.name}"

    @property
    def builtin(self) -> bool:
        return self.name in BUILTIN_FIELDS.get(self.scope, ())

    @property
    def text(self) -> str:
        """As a diagram writes it, without its title: `deal.budget:number`, `customer.industry`."""
        return f"{self.path}:{self.type}" if self.type != "text" else self.path


def field_labels(rules: ProcessRules, fields: Iterable[str] = ()) -> dict[str, str]:
    """The label of every field the process declares, by path (`customer.industry`), plus one
    for each of `fields` (paths of values a deal holds that no stage declares): the first title a
    stage gives wins, a field without one reads as its name in words."""
    labels: dict[str, str] = {}
    titled: dict[str, str] = {}
    for stage in rules.stages:
        for ref in stage.fields:
            labels.setdefault(ref.path, builtin_label(ref.path) or humanise(ref.name))
            if ref.title:
                titled.setdefault(ref.path, ref.title)
    labels.update(titled)
    for path in fields:
        labels.setdefault(path, humanise(path.partition(".")[2] or path))
    return labels


@dataclass(frozen=True)
class FollowUpRule:
    title: str
    due_days: int
    assignee: str


@dataclass(frozen=True)
class ActivityRule:
    """A user task inside a stage, with its weight and completion rules."""

    element_id: str
    name: str
    stage_key: str | None
    weight: float = 1
    obligatory: bool = False
    completed_by: tuple[str, ...] = ("anyone",)
    note_required: str = "none"
    notify: tuple[str, ...] = ()
    follow_up: FollowUpRule | None = None
    tip: str = ""
    description: str = ""
    approval: str | None = None
    form: str | None = None  # the task form's JSON Schema file (formJsonSchemaFilename)
    ui_form: str | None = None  # its UI schema file (formUiSchemaFilename)
    # Days after the task becomes ready that it is due (None: the stage's reminder period).
    due_days: int | None = None

    @property
    def role(self) -> str:
        """The role a task list shows for it: admin, manager or rep."""
        parties = set(self.completed_by)
        if parties and parties <= {"admin"}:
            return "admin"
        if parties and parties <= {"manager", "direct_manager", "admin"}:
            return "manager"
        return "rep"

    def to_dict(self) -> dict[str, Any]:
        return {
            "element_id": self.element_id,
            "name": self.name,
            "stage": self.stage_key,
            "weight": self.weight,
            "obligatory": self.obligatory,
            "completed_by": list(self.completed_by),
            "note_required": self.note_required,
            "notify": list(self.notify),
            "follow_up": (
                {
                    "title": self.follow_up.title,
                    "due_days": self.follow_up.due_days,
                    "assignee": self.follow_up.assignee,
                }
                if self.follow_up
                else None
            ),
            "tip": self.tip,
            "description": self.description,
            "approval": self.approval,
            "due_days": self.due_days,
        }


@dataclass(frozen=True)
class StageRule:
    """A stage of the pipeline and what it takes to leave it."""

    key: str
    name: str
    element_id: str
    order: int
    description: str = ""
    requirements: str = ""
    win_rate: float | None = None
    required_fields: tuple[FieldRef, ...] = ()
    # Fields the stage asks for without requiring them (stage_fields).
    optional_fields: tuple[FieldRef, ...] = ()
    min_contacts: int = 0
    optional: bool = False
    approval: str | None = None
    phase: str = "pre_sale"
    activities: tuple[ActivityRule, ...] = ()
    # ISO 8601 duration of the stage's dwell reminder (a boundary timer), None without one.
    reminder_after: str | None = None

    @property
    def post_sale(self) -> bool:
        return self.phase == "post_sale"

    @property
    def fields(self) -> tuple[FieldRef, ...]:
        """Every field the stage asks for: the required ones, then the optional ones."""
        return self.required_fields + self.optional_fields

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "element_id": self.element_id,
            "order": self.order,
            "description": self.description,
            "requirements": self.requirements,
            "win_rate": self.win_rate,
            "required_fields": [f.text for f in self.required_fields],
            "optional_fields": [f.text for f in self.optional_fields],
            "field_labels": {f.path: f.label for f in self.fields},
            "min_contacts": self.min_contacts,
            "optional": self.optional,
            "approval": self.approval,
            "phase": self.phase,
            "activities": [a.to_dict() for a in self.activities],
        }


@dataclass(frozen=True)
class TerminalRule:
    """An event where the deal gets its outcome (won, lost or invalid)."""

    element_id: str
    outcome: str
    label: str
    probability: float
    lost_reasons: tuple[str, ...] = ()
    order_required: bool = False
    orders_from_stage: str | None = None  # orders once the deal has reached this stage
    orders_after_stage: str | None = None  # orders once the deal has completed this stage

    def to_dict(self) -> dict[str, Any]:
        return {
            "element_id": self.element_id,
            "outcome": self.outcome,
            "label": self.label,
            "probability": self.probability,
            "lost_reasons": list(self.lost_reasons),
            "order_required": self.order_required,
            "orders_from_stage": self.orders_from_stage,
            "orders_after_stage": self.orders_after_stage,
        }


@dataclass(frozen=True)
class ProcessRules:
    """Every sales rule of one process version."""

    stages: tuple[StageRule, ...] = ()
    terminals: tuple[TerminalRule, ...] = ()
    tasks: dict[str, ActivityRule] = field(default_factory=dict)
    free_moves: bool = False

    @property
    def activities(self) -> dict[str, ActivityRule]:
        """Every user task's rule by element id (activities in stages and other user tasks)."""
        return self.tasks

    def stage(self, key: str | None) -> StageRule | None:
        for stage in self.stages:
            if stage.key == key:
                return stage
        return None

    @property
    def pre_sale(self) -> list[StageRule]:
        return [s for s in self.stages if not s.post_sale]

    def outcomes(self) -> list[str]:
        found = []
        for terminal in self.terminals:
            if terminal.outcome not in found:
                found.append(terminal.outcome)
        return found

    def terminal(self, outcome: str) -> TerminalRule | None:
        """The first terminal with this outcome (the one a close reaches first)."""
        for terminal in self.terminals:
            if terminal.outcome == outcome:
                return terminal
        return None

    def terminal_at(self, element_id: str | None) -> TerminalRule | None:
        for terminal in self.terminals:
            if terminal.element_id == element_id:
                return terminal
        return None

    @property
    def lost_reasons(self) -> list[str]:
        lost = self.terminal("lost")
        return list(lost.lost_reasons) if lost else []

    @property
    def order_required(self) -> bool:
        return any(t.order_required for t in self.terminals if t.outcome == "won")

    @property
    def orders_from_stage(self) -> str | None:
        for terminal in self.terminals:
            if terminal.outcome == "won" and terminal.orders_from_stage:
                return terminal.orders_from_stage
        return None

    @property
    def orders_after_stage(self) -> str | None:
        for terminal in self.terminals:
            if terminal.outcome == "won" and terminal.orders_after_stage:
                return terminal.orders_after_stage
        return None

    def obligatory(self) -> list[ActivityRule]:
        """Obligatory activities of the pre-sale stages (post-sale ones run after the win)."""
        return [a for s in self.pre_sale for a in s.activities if a.obligatory]

    def stages_between(self, start: str | None, end: str | None) -> list[StageRule]:
        """Stages from `start` (included) up to `end` (excluded), by order; [] going back."""
        first = self.stage(start)
        last = self.stage(end)
        low = first.order if first else 0
        high = last.order if last else max((s.order for s in self.pre_sale), default=0) + 1
        return [s for s in self.stages if low <= s.order < high]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stages": [s.to_dict() for s in self.stages],
            "terminals": [t.to_dict() for t in self.terminals],
            "free_moves": self.free_moves,
            "lost_reasons": self.lost_reasons,
            "order_required": self.order_required,
            "orders_from_stage": self.orders_from_stage,
            "orders_after_stage": self.orders_after_stage,
        }


def parties(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())
