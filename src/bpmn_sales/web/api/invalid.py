"""A request that does not fit its model, told as our 400: the field and what is wrong."""

from __future__ import annotations

import difflib
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, lazy_gettext

TYPES = {
    "string_type": lazy_gettext("%(field)s must be text"),
    "int_type": lazy_gettext("%(field)s must be an integer"),
    "int_parsing": lazy_gettext("%(field)s must be an integer"),
    "int_from_float": lazy_gettext("%(field)s must be an integer"),
    "float_type": lazy_gettext("%(field)s must be a number"),
    "float_parsing": lazy_gettext("%(field)s must be a number"),
    "bool_type": lazy_gettext("%(field)s must be true or false"),
    "bool_parsing": lazy_gettext("%(field)s must be true or false"),
    "list_type": lazy_gettext("%(field)s must be a list"),
    "dict_type": lazy_gettext("%(field)s must be an object"),
    "model_type": lazy_gettext("%(field)s must be an object"),
    "model_attributes_type": lazy_gettext("%(field)s must be an object"),
    # Our own checks in web/schemas (PydanticCustomError), by their type.
    "number_or_text": lazy_gettext("%(field)s must be a number or a number as text"),
    "scalar": lazy_gettext("%(field)s must be text, a number, true, false or null"),
    "events": lazy_gettext("%(field)s must be a list of event names"),
}
BOUNDS = {
    "greater_than_equal": ("ge", lazy_gettext("%(field)s must be at least %(limit)s")),
    "less_than_equal": ("le", lazy_gettext("%(field)s must be at most %(limit)s")),
    "greater_than": ("gt", lazy_gettext("%(field)s must be more than %(limit)s")),
    "less_than": ("lt", lazy_gettext("%(field)s must be less than %(limit)s")),
}


def invalid_input(error: ValidationError, model: type[BaseModel]) -> InvalidInput:
    """Our InvalidInput for the first problem pydantic found, naming the field in plain words."""
    first = error.errors(include_url=False)[0]
    loc = first["loc"]
    field = ".".join(str(part) for part in loc if isinstance(part, str))
    if first["type"] == "extra_forbidden":
        return InvalidInput(_unknown(field, model if len(loc) == 1 else None), field=field)
    label = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return InvalidInput(_problem(label.lstrip("."), first, model), field=field or "body")


def _unknown(field: str, model: type[BaseModel] | None) -> str:
    """An unknown field, the known one it may have meant, and the fields the body takes."""
    if model is None:
        return _("unknown field %(field)r", field=field)
    names = sorted(f.alias or name for name, f in model.model_fields.items())
    close = (
        difflib.get_close_matches(field, names, n=1)
        or [name for name in names if field in name.split("_")][:1]
    )
    if close:
        return _(
            "unknown field %(field)r, did you mean %(close)r? (%(fields)s)",
            field=field,
            close=close[0],
            fields=", ".join(names),
        )
    return _("unknown field %(field)r (%(fields)s)", field=field, fields=", ".join(names))


def _problem(label: str, error: ErrorDetails, model: type[BaseModel]) -> str:
    """What is wrong with the field `label`, as one sentence naming it."""
    kind, value = error["type"], error["input"]
    top = _field(model, error["loc"][0]) if error["loc"] else None
    choices = _choices(top.annotation) if top is not None and len(error["loc"]) == 1 else None
    if kind == "missing" or (value is None and top is not None and top.is_required()):
        if choices:
            return _("%(field)s is required: %(choices)s", field=label, choices=_words(choices))
        return _("%(field)s is required", field=label)
    if kind in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return _(
            "%(field)s must be %(expected)s, not %(value)s",
            field=label,
            expected=_words(choices) if choices else expected,
            value=_shown(value),
        )
    if kind in TYPES:
        return str(TYPES[kind]) % {"field": label}
    if kind in BOUNDS:
        key, sentence = BOUNDS[kind]
        return str(sentence) % {"field": label, "limit": error.get("ctx", {}).get(key)}
    message = error["msg"]
    problem = message if message.startswith("must ") else message[:1].lower() + message[1:]
    return _("%(field)s %(problem)s", field=label, problem=problem)


def _field(model: type[BaseModel], name: int | str) -> Any:
    for key, info in model.model_fields.items():
        if name in (key, info.alias):
            return info
    return None


def _choices(annotation: Any) -> list[str] | None:
    """The values a Literal field (optional or not) takes."""
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is Literal:
            return [str(v) for v in get_args(candidate)]
    return None


def _words(choices: list[str]) -> str:
    if len(choices) == 1:
        return choices[0]
    return _("%(some)s or %(last)s", some=", ".join(choices[:-1]), last=choices[-1])


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
