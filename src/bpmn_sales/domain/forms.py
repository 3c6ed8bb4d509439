"""Task forms from JSON Schema (SpiffArena style): check a schema, validate data, describe fields.

A user task names its form with `formJsonSchemaFilename` (and optionally
`formUiSchemaFilename`); the files are deployed with the diagram. This module is pure: it knows
JSON Schema and the few `ui:` keys the pages render, nothing of where the files come from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from bpmn_sales.domain.model import FORM_KEY, RESERVED_FORM_KEYS, TaskView
from bpmn_sales.i18n import _

if TYPE_CHECKING:  # the stubs know the parser by its old public name
    import sre_constants as sre
    import sre_parse
else:  # importing those names warns (deprecated) since 3.11
    import re._constants as sre
    import re._parser as sre_parse

FORM_ERROR = ""  # the key of an error about the form as a whole, not one field
MAX_PATTERN = 500  # characters in one `pattern`
# Values that are data, not schemas: a "pattern" key inside them is not a regular expression.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "examples"})


def schema_problem(schema: object) -> str | None:
    """Why `schema` cannot be a task form (not a valid object schema), or None."""
    if not isinstance(schema, dict):
        return _("a form schema must be a JSON object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        if not where:
            return _("not a valid JSON Schema at the top level: %(error)s", error=exc.message)
        return _("not a valid JSON Schema at %(where)s: %(error)s", where=where, error=exc.message)
    for where, pattern in _patterns(schema, ""):
        problem = pattern_problem(pattern, where)
        if problem is not None:
            return problem
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return _("a form schema must describe an object (type: object, with properties)")
    for name in schema["properties"]:
        if not FORM_KEY.match(name):
            return _("form field %(name)r must be snake_case (a-z, 0-9, _)", name=name)
        if name in RESERVED_FORM_KEYS:
            return _(
                "form field %(name)r is set by the process and cannot be a form field", name=name
            )
        problem = nested_problem(name, schema["properties"][name])
        if problem is not None:
            return problem
    return None


def nested_problem(name: str, prop: object) -> str | None:
    """Why a field cannot be shown on a task page: nested fields (an object) or repeatable
    rows (an array) are refused at deploy rather than shown as one text box."""
    if not isinstance(prop, dict):
        return None
    kinds = prop.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if "object" in kinds or "properties" in prop:
        return _(
            "form field %(name)r holds nested fields (type: object), which a task page cannot "
            "show; make each of them a field of its own (e.g. %(example)s)",
            name=name,
            example=f"{name}_street",
        )
    if "array" in kinds or "items" in prop or "prefixItems" in prop:
        return _(
            "form field %(name)r is a list (type: array), which a task page cannot show as "
            "repeatable rows; use a text field (ui:widget: textarea) or fields of their own",
            name=name,
        )
    if "$ref" in prop:
        return _(
            "form field %(name)r refers to another schema ($ref), which a task page cannot "
            "show; describe the field in place",
            name=name,
        )
    return None


def _patterns(schema: object, where: str) -> Iterator[tuple[str, str]]:
    """Every regular expression in the schema (`pattern`, `patternProperties`), with its place."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _patterns(item, f"{where}/{index}")
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        here = f"{where}/{key}" if where else key
        if key == "pattern" and isinstance(value, str):
            yield here, value
        elif key == "patternProperties" and isinstance(value, dict):
            yield from ((f"{here}/{name}", name) for name in value)
        if key not in _DATA_KEYWORDS:
            yield from _patterns(value, here)


def pattern_problem(pattern: str, where: str = "") -> str | None:
    """Why a form's `pattern` could take exponential time on a typed value, or None.

    Python's `re` backtracks: a repeat inside a repeat (`(a+)+`, `(\\w+\\s?)*`) or a
    back-reference can make one crafted value run for minutes. Such patterns are refused at
    deploy; a repeat of a fixed length inside another (`(\\d{3}-)+`) is fine. `where` is the
    pattern's place in a form schema (empty: the top level).
    """
    place = where or _("the top level")
    if len(pattern) > MAX_PATTERN:
        return _(
            "the pattern at %(where)s is longer than %(most)s characters",
            where=place,
            most=MAX_PATTERN,
        )
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        return _(
            "the pattern at %(where)s is not a valid regular expression (%(error)s)",
            where=place,
            error=exc.msg,
        )
    risk = _risky(list(parsed.data), inside_repeat=False)
    if risk == "backreference":
        return _(
            "the pattern at %(where)s refers back to a group (\\1), which can take exponential "
            "time",
            where=place,
        )
    if risk == "nested":
        return _(
            "the pattern at %(where)s repeats a repetition, e.g. (a+)+, which can take "
            "exponential time",
            where=place,
        )
    return None


_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _risky(items: list[Any], inside_repeat: bool) -> str | None:
    for op, argument in items:
        if op is sre.GROUPREF or op is sre.GROUPREF_EXISTS:
            return "backreference"
        if op in _REPEATS:
            low, high, body = argument
            variable = low != high
            if inside_repeat and variable:
                return "nested"
            found = _risky(list(body), inside_repeat or high > 1)
        elif op is sre.SUBPATTERN:
            found = _risky(list(argument[3]), inside_repeat)
        elif op is sre.BRANCH:
            found = next((p for b in argument[1] if (p := _risky(list(b), inside_repeat))), None)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            found = _risky(list(argument[1]), inside_repeat)
        else:
            found = None
        if found is not None:
            return found
    return None


def ui_schema_problem(ui_schema: object) -> str | None:
    return None if isinstance(ui_schema, dict) else _("a form UI schema must be a JSON object")


def _label(schema: Mapping[str, Any], name: str) -> str:
    prop = schema.get("properties", {}).get(name)
    title = prop.get("title") if isinstance(prop, dict) else None
    return str(title) if title else name.replace("_", " ").capitalize()


def _message(schema: Mapping[str, Any], name: str, error: ValidationError) -> str:
    label, value, check = _label(schema, name), error.validator_value, str(error.validator)
    if check == "required" or (check == "minLength" and value == 1):
        return _("%(label)s is required", label=label)
    if check == "enum" and isinstance(value, list):
        choices = ", ".join(str(v) for v in value)
        return _("%(label)s must be one of: %(choices)s", label=label, choices=choices)
    if check == "type":
        return _must_be(label, value)
    sentences = {
        "enum": _("%(label)s is not one of the choices", label=label),
        "oneOf": _("%(label)s is not one of the choices", label=label),
        "const": _("%(label)s must be %(value)r", label=label, value=value),
        "minimum": _("%(label)s must be at least %(value)s", label=label, value=value),
        "maximum": _("%(label)s must be at most %(value)s", label=label, value=value),
        "exclusiveMinimum": _("%(label)s must be more than %(value)s", label=label, value=value),
        "exclusiveMaximum": _("%(label)s must be less than %(value)s", label=label, value=value),
        "minLength": _("%(label)s is too short", label=label),
        "maxLength": _("%(label)s is longer than %(most)s characters", label=label, most=value),
        "format": _("%(label)s is not a valid %(format)s", label=label, format=value),
        "pattern": _("%(label)s is not in the expected format", label=label),
        "multipleOf": _("%(label)s must be a multiple of %(value)s", label=label, value=value),
        "additionalProperties": _("%(label)s is not a field of this form", label=label),
    }
    return sentences.get(check) or _("%(label)s: %(error)s", label=label, error=error.message)


def _must_be(label: str, value: object) -> str:
    """ "Count must be a whole number": one sentence per JSON type (a list of types: either)."""
    names = [str(n) for n in (value if isinstance(value, list) else [value])]
    if names == ["integer"]:
        return _("%(label)s must be a whole number", label=label)
    if names == ["number"]:
        return _("%(label)s must be a number", label=label)
    if names == ["boolean"]:
        return _("%(label)s must be yes or no", label=label)
    if len(names) == 1:
        return _("%(label)s must be a %(type)s", label=label, type=names[0])
    return _("%(label)s must be one of the types %(types)s", label=label, types=", ".join(names))


def _field_of(error: ValidationError) -> list[str]:
    """The top-level fields an error is about (a missing field is named by `required`)."""
    if error.absolute_path:
        return [str(error.absolute_path[0])]
    wanted: Any = error.validator_value
    if error.validator == "required" and isinstance(error.instance, dict):
        return [str(n) for n in wanted if n not in error.instance]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        where: Any = error.schema
        known = set(where.get("properties", {})) if isinstance(where, dict) else set()
        return sorted(set(error.instance) - known)
    return [FORM_ERROR]


def validate(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """Every problem of `data` against the form `schema`, as {field: message}, in field order."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found: dict[str, str] = {}
    for error in validator.iter_errors(dict(data)):
        for name in _field_of(error):
            if name not in found:
                found[name] = (
                    _message(schema, name, error)
                    if name
                    else _("the form is not valid: %(error)s", error=error.message)
                )
    order = list(schema.get("properties", {}))
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(found.items(), key=lambda item: rank.get(item[0], len(order))))


# --------------------------------------------------------------------------------------------
# Rendering: the fields of a form, and the typed data a posted form means
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    """One input of a task form, as a page renders it."""

    name: str
    label: str
    widget: str  # text, textarea, number, checkbox, select, radio, date, email
    required: bool = False
    help: str = ""
    placeholder: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    step: str | None = None
    max_length: int | None = None
    value: Any = None
    error: str | None = None


def _choices(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> list[tuple[str, str]]:
    if isinstance(prop.get("enum"), list):
        values = prop["enum"]
        names = ui.get("ui:enumNames") or prop.get("enumNames") or []
        return [(str(v), str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(values)]
    options = prop.get("oneOf") or prop.get("anyOf") or []
    return [
        (str(o["const"]), str(o.get("title", o["const"])))
        for o in options
        if isinstance(o, dict) and "const" in o
    ]


def _widget(prop: Mapping[str, Any], ui: Mapping[str, Any], options: list[Any]) -> str:
    wanted = ui.get("ui:widget")
    kind = prop.get("type")
    if options:
        return "radio" if wanted == "radio" else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return "number"
    if wanted == "textarea":
        return "textarea"
    if prop.get("format") in ("date", "email"):
        return str(prop["format"])
    return "text"


def _ordered(names: list[str], order: object) -> list[str]:
    if not isinstance(order, list):
        return names
    wanted = [str(n) for n in order if n in names]
    rest = [n for n in names if n not in wanted]
    if "*" in order:
        star = order.index("*")
        before = [str(n) for n in order[:star] if n in names]
        after = [str(n) for n in order[star + 1 :] if n in names]
        return before + [n for n in rest if n not in after] + after
    return wanted + rest


def describe(
    schema: Mapping[str, Any],
    ui_schema: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[FormField]:
    """The form's fields in display order, with entered values and errors beside them."""
    ui_all = ui_schema or {}
    values, errors = values or {}, errors or {}
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required = set(schema.get("required") or [])
    fields = []
    for name in _ordered(list(props), ui_all.get("ui:order")):
        prop = props[name] if isinstance(props[name], dict) else {}
        ui = ui_all.get(name) if isinstance(ui_all.get(name), dict) else {}
        assert isinstance(ui, dict)
        if ui.get("ui:widget") == "hidden":
            continue
        options = _choices(prop, ui)
        widget = _widget(prop, ui, options)
        number = widget == "number"
        fields.append(
            FormField(
                name=name,
                label=str(prop.get("title") or _label(schema, name)),
                widget=widget,
                required=name in required,
                help=str(ui.get("ui:help") or prop.get("description") or ""),
                placeholder=str(ui.get("ui:placeholder") or ""),
                options=options,
                minimum=prop.get("minimum") if number else None,
                maximum=prop.get("maximum") if number else None,
                step=("1" if prop.get("type") == "integer" else "any") if number else None,
                max_length=prop.get("maxLength"),
                value=values.get(name, prop.get("default")),
                error=errors.get(name),
            )
        )
    return fields


def _number(raw: str, integer: bool) -> int | float:
    value = float(raw)
    if integer:
        if not value.is_integer():
            raise ValueError(raw)
        return int(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return int(value) if value.is_integer() and "." not in raw else value


def from_form(
    schema: Mapping[str, Any], posted: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed data of a posted form (text inputs), and errors for values of the wrong type.

    Blank inputs are left out, so `required` names them; an unticked checkbox is false.
    """
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        kind = prop.get("type")
        raw = posted.get(name)
        if kind == "boolean":
            data[name] = raw in ("on", "true", "1", "yes")
            continue
        if raw is None or not raw.strip():
            continue
        text = raw.strip() if kind in ("number", "integer") else raw
        if kind in ("number", "integer"):
            try:
                data[name] = _number(text, kind == "integer")
            except ValueError:
                errors[name] = _must_be(_label(schema, name), kind)
            continue
        data[name] = text.strip()
    return data, errors


@dataclass(frozen=True)
class TaskForm:
    """A ready task with what its page shows: the form (if any), its tip and record version."""

    task: TaskView
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any] | None
    description: str
    version: int | None  # the lead's or deal's version the page was read at

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task.to_dict(),
            "schema": self.schema,
            "ui_schema": self.ui_schema,
            "description": self.description,
            "version": self.version,
        }
