"""The sales-rule vocabulary: which `spiffworkflow:properties` an element may carry, typed.

The JSON Schema next to this module (`vocabulary.schema.json`) is the single definition: it names
the properties of each element kind, their types, ranges and defaults. XML property values are
strings, so each is first coerced by the type its schema gives, then validated by the schema.
Lint reports the problems; the rule reader uses the typed values.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

KINDS = ("stage", "activity", "task", "terminal", "other")
_KIND_NAMES = {
    "stage": "a stage",
    "activity": "an activity",
    "task": "a user task outside a stage",
    "terminal": "a terminal event",
    "other": "this element",
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@cache
def schema() -> dict[str, Any]:
    text = (
        resources.files("bpmn_sales.engine.diagrams").joinpath("vocabulary.schema.json").read_text()
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(kind: str) -> Draft202012Validator:
    whole = schema()
    return Draft202012Validator({**whole, "$ref": f"#/$defs/{kind}"})


def definition(kind: str) -> dict[str, Any]:
    found: dict[str, Any] = schema()["$defs"][kind]
    return found


def names(kind: str) -> list[str]:
    return list(definition(kind)["properties"])


def element_kind(tag: str, props: Mapping[str, str], in_stage: bool) -> str:
    """The vocabulary kind of an element, from its BPMN tag (local name) and properties."""
    if tag in ("subProcess", "transaction", "adHocSubProcess") and "stage_order" in props:
        return "stage"
    if tag == "userTask":
        return "activity" if in_stage else "task"
    if tag in ("endEvent", "intermediateThrowEvent") and "outcome" in props:
        return "terminal"
    return "other"


def _property_schema(kind: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = definition(kind)["properties"].get(name, {})
    if "$ref" in found:
        found = schema()["$defs"][found["$ref"].rsplit("/", 1)[-1]]
    return found


def _coerce_scalar(value: str, type_name: str | None) -> Any:
    text = value.strip()
    if type_name == "integer" and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if type_name == "number" and _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    if type_name == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def coerce(kind: str, name: str, value: str) -> Any:
    """Turn one XML string value into the type the schema gives the property."""
    prop = _property_schema(kind, name)
    if prop.get("type") == "array":
        items = prop.get("items", {})
        if "$ref" in items:
            items = schema()["$defs"][items["$ref"].rsplit("/", 1)[-1]]
        parts = [p.strip() for p in value.split(";")]
        return [_coerce_scalar(p, items.get("type")) for p in parts if p]
    return _coerce_scalar(value, prop.get("type"))


def _message(kind: str, error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    name = path[0] if path else None
    if error.validator == "additionalProperties":
        extra = sorted(
            set(error.instance) - set(definition(kind)["properties"])
            if isinstance(error.instance, dict)
            else []
        )
        parts = []
        for unknown in extra:
            hint = difflib.get_close_matches(unknown, names(kind), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            parts.append(f"unknown property '{unknown}' on {_KIND_NAMES[kind]}{suggestion}")
        return "; ".join(parts)
    if error.validator == "not":
        value = error.validator_value
        required = value.get("required", []) if isinstance(value, dict) else []
        prop = required[0] if required else "this property"
        need = "lost" if prop == "lost_reasons" else "won"
        return f"property '{prop}' is only allowed on a terminal with outcome {need}"
    if error.validator == "required":
        return f"{_KIND_NAMES[kind]} needs property {error.message.split(' is a required')[0]}"
    if error.validator == "dependentRequired":
        found = re.match(r"'(\w+)' is a dependency of '(\w+)'", error.message)
        if found:
            return f"property '{found[2]}' needs property '{found[1]}'"
        return str(error.message)
    if error.validator == "pattern":
        described = _property_schema(kind, name or "").get("description") if name else None
        if name and len(path) > 1:
            prop = _property_schema(kind, name)
            items = prop.get("items", {})
            ref = items.get("$ref", "")
            described = schema()["$defs"].get(ref.rsplit("/", 1)[-1], {}).get("description")
        expected = f": expected {described}" if described else ""
        return f"property '{name}': {error.instance!r} is not valid{expected}"
    where = f"property '{name}': " if name else ""
    return where + str(error.message)


def read(kind: str, props: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Coerce and validate an element's properties; return typed values and problems."""
    known = definition(kind)["properties"]
    values = {
        name: coerce(kind, name, value) if name in known else value for name, value in props.items()
    }
    problems = []
    errors = sorted(_validator(kind).iter_errors(values), key=lambda e: list(e.absolute_path))
    for error in errors:
        message = _message(kind, error)
        if message and message not in problems:
            problems.append(message)
    return values, problems


def with_defaults(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values plus every default the schema declares for properties left out."""
    full = dict(values)
    for name, prop in definition(kind)["properties"].items():
        if name not in full and "default" in prop:
            full[name] = copy.deepcopy(prop["default"])
    return full
