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

from bpmn_sales.i18n import _, lazy_gettext

KINDS = ("stage", "activity", "task", "terminal", "other")
_KIND_NAMES = {
    "stage": lazy_gettext("a stage"),
    "activity": lazy_gettext("an activity"),
    "task": lazy_gettext("a user task outside a stage"),
    "terminal": lazy_gettext("a terminal event"),
    "other": lazy_gettext("this element"),
}
# jsonschema's checks of a property's value, said in the language in force.
_CHECKS = {
    "minimum": lazy_gettext("property '%(name)s': %(value)s is less than the minimum of %(limit)s"),
    "maximum": lazy_gettext(
        "property '%(name)s': %(value)s is greater than the maximum of %(limit)s"
    ),
    "enum": lazy_gettext("property '%(name)s': %(value)s is not one of %(limit)s"),
    "type": lazy_gettext("property '%(name)s': %(value)s is not of type %(limit)s"),
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


#: One problem with an element's properties: the sentence, whether it names an unknown
#: property, and the property it is about (for its line), if any.
Issue = tuple[str, bool, str | None]


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
            if hint:
                parts.append(
                    _(
                        "unknown property '%(name)s' on %(kind)s (did you mean '%(hint)s'?)",
                        name=unknown,
                        kind=_KIND_NAMES[kind],
                        hint=hint[0],
                    )
                )
            else:
                parts.append(
                    _(
                        "unknown property '%(name)s' on %(kind)s",
                        name=unknown,
                        kind=_KIND_NAMES[kind],
                    )
                )
        return "; ".join(parts)
    if error.validator == "not":
        value = error.validator_value
        required = value.get("required", []) if isinstance(value, dict) else []
        prop = required[0] if required else _("this property")
        need = "lost" if prop == "lost_reasons" else "won"
        return _(
            "property '%(name)s' is only allowed on a terminal with outcome %(outcome)s",
            name=prop,
            outcome=need,
        )
    if error.validator == "required":
        return _(
            "%(kind)s needs property %(name)s",
            kind=_KIND_NAMES[kind],
            name=error.message.split(" is a required")[0],
        )
    if error.validator == "dependentRequired":
        found = re.match(r"'(\w+)' is a dependency of '(\w+)'", error.message)
        if found:
            return _(
                "property '%(name)s' needs property '%(needed)s'", name=found[2], needed=found[1]
            )
        return str(error.message)
    if error.validator == "pattern":
        described = _property_schema(kind, name or "").get("description") if name else None
        if name and len(path) > 1:
            prop = _property_schema(kind, name)
            items = prop.get("items", {})
            ref = items.get("$ref", "")
            described = schema()["$defs"].get(ref.rsplit("/", 1)[-1], {}).get("description")
        if described:
            return _(
                "property '%(name)s': %(value)r is not valid: expected %(expected)s",
                name=name,
                value=error.instance,
                expected=described,
            )
        return _("property '%(name)s': %(value)r is not valid", name=name, value=error.instance)
    check = _CHECKS.get(str(error.validator))
    plain = error.validator == "enum" or not isinstance(error.validator_value, dict | list)
    if name and check is not None and plain:
        return str(check) % {
            "name": name,
            "value": repr(error.instance),
            "limit": repr(error.validator_value),
        }
    if name:
        return _("property '%(name)s': %(error)s", name=name, error=error.message)
    return str(error.message)


def read(kind: str, props: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Coerce and validate an element's properties; return typed values and problems."""
    values, found = read_issues(kind, props)
    return values, [message for message, _unknown, _about in found]


def read_issues(kind: str, props: Mapping[str, str]) -> tuple[dict[str, Any], list[Issue]]:
    """`read`, with each problem's kind (an unknown property?) and the property it is about."""
    known = definition(kind)["properties"]
    values = {
        name: coerce(kind, name, value) if name in known else value for name, value in props.items()
    }
    problems: list[Issue] = []
    errors = sorted(_validator(kind).iter_errors(values), key=lambda e: list(e.absolute_path))
    for error in errors:
        message = _message(kind, error)
        if message and message not in [p[0] for p in problems]:
            problems.append(
                (message, error.validator == "additionalProperties", _about(kind, error))
            )
    return values, problems


def _about(kind: str, error: ValidationError) -> str | None:
    """The property an error is about (for its line): in its path, else the one it names."""
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = sorted(set(error.instance) - set(definition(kind)["properties"]))
        return extra[0] if extra else None
    if error.validator == "not" and isinstance(error.validator_value, dict):
        required = error.validator_value.get("required", [])
        return str(required[0]) if required else None
    if error.validator == "dependentRequired":
        found = re.match(r"'(\w+)' is a dependency of '(\w+)'", error.message)
        return found[2] if found else None
    named = re.findall(r"'(\w+)'", str(error.message))
    return named[0] if named else None


def with_defaults(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values plus every default the schema declares for properties left out."""
    full = dict(values)
    for name, prop in definition(kind)["properties"].items():
        if name not in full and "default" in prop:
            full[name] = copy.deepcopy(prop["default"])
    return full
