"""A request that does not fit its model, told as our 400: the field and what is wrong."""

from __future__ import annotations

import difflib
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bpmn_sales.errors import InvalidInput

TYPES = {
    "string_type": "must be text",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}
BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "more than"),
    "less_than": ("lt", "less than"),
}


def invalid_input(error: ValidationError, model: type[BaseModel]) -> InvalidInput:
    """Our InvalidInput for the first problem pydantic found, naming the field in plain words."""
    first = error.errors(include_url=False)[0]
    loc = first["loc"]
    field = ".".join(str(part) for part in loc if isinstance(part, str))
    if first["type"] == "extra_forbidden":
        return InvalidInput(_unknown(field, model if len(loc) == 1 else None), field=field)
    label = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return InvalidInput(f"{label.lstrip('.')} {_problem(first, model)}", field=field or "body")


def _unknown(field: str, model: type[BaseModel] | None) -> str:
    """An unknown field, the known one it may have meant, and the fields the body takes."""
    if model is None:
        return f"unknown field {field!r}"
    names = sorted(f.alias or name for name, f in model.model_fields.items())
    close = (
        difflib.get_close_matches(field, names, n=1)
        or [name for name in names if field in name.split("_")][:1]
    )
    hint = f", did you mean {close[0]!r}?" if close else ""
    return f"unknown field {field!r}{hint} ({', '.join(names)})"


def _problem(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind, value = error["type"], error["input"]
    top = _field(model, error["loc"][0]) if error["loc"] else None
    choices = _choices(top.annotation) if top is not None and len(error["loc"]) == 1 else None
    if kind == "missing" or (value is None and top is not None and top.is_required()):
        return f"is required: {_words(choices)}" if choices else "is required"
    if kind in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"must be {_words(choices) if choices else expected}, not {_shown(value)}"
    if kind in TYPES:
        return TYPES[kind]
    if kind in BOUNDS:
        key, words = BOUNDS[kind]
        return f"must be {words} {error.get('ctx', {}).get(key)}"
    message = error["msg"]
    return message if message.startswith("must ") else message[:1].lower() + message[1:]


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
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
