"""`@get`, `@post`, ...: a view's route, the models it takes and the answers it documents.

One declaration feeds both sides: the decorator validates the query string and the JSON body
with the models before the view runs (a misfit is our 400 naming the field), and
`document.py` writes the OpenAPI document from the same declarations.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.errors import NotFound
from bpmn_sales.i18n import _
from bpmn_sales.web.api.base import authenticate, bp, json_object
from bpmn_sales.web.api.invalid import invalid_input
from bpmn_sales.web.schemas.common import Body, Query

Method = Literal["get", "post", "put", "patch", "delete"]
M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])
PATH_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@dataclass(frozen=True)
class Answer:
    """A documented response: its JSON body's type, other media types, and its headers."""

    body: Any = None
    content: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


LOCATION = {"description": "Where the new record is", "schema": {"type": "string"}}


ETAG = {
    "description": "The record's version, quoted: send it back in If-Match to refuse a stale edit",
    "required": True,
    "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
}


def created(body: Any) -> Answer:
    """A 201 answer with the new record and its Location."""
    return Answer(body, headers={"Location": LOCATION}, description="Created")


def versioned(body: Any) -> Answer:
    """A 200 answer with a record and its version as a strong ETag."""
    return Answer(body, headers={"ETag": ETAG})


NOT_MODIFIED = Answer(headers={"ETag": ETAG}, description="Your copy (If-None-Match) is current")


@dataclass(frozen=True)
class Operation:
    """One route of the API as the document describes it."""

    method: Method
    rule: str
    view: Callable[..., Any]
    answers: Mapping[int, Answer]
    errors: tuple[int, ...]
    body: type[Body] | None = None
    query: type[Query] | None = None
    upload: Mapping[str, Any] | None = None
    path_schemas: Mapping[str, Any] = field(default_factory=dict)
    public: bool = False

    @property
    def operation_id(self) -> str:
        """The view's name in camelCase: `close_deal` is `closeDeal`."""
        head, *rest = self.view.__name__.split("_")
        return head + "".join(word.capitalize() for word in rest)

    @property
    def path(self) -> str:
        return PATH_PARAMETER.sub(r"{\2}", self.rule)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        """(name, converter) of each path parameter, in order."""
        return [(name, kind or "default") for kind, name in PATH_PARAMETER.findall(self.rule)]

    @property
    def summary(self) -> str:
        first = (inspect.getdoc(self.view) or "").split("\n\n")[0]
        return first.replace("\n", " ").strip().removesuffix(".")

    @property
    def description(self) -> str:
        _summary, _sep, rest = (inspect.getdoc(self.view) or "").partition("\n\n")
        return rest.replace("\n", " ").strip()

    @property
    def statuses(self) -> list[int]:
        """Every status the operation may answer with: its answers and its errors."""
        implied = set(self.errors)
        if not self.public:
            implied.add(401)
        if self.path_parameters:
            implied.add(404)  # a record that does not exist, or an id no record can have
        if any(converter == "key" for _name, converter in self.path_parameters):
            implied.add(405)  # a key that is a route of its own (import, lint)
        if self.body or self.query or self.upload:
            implied.add(400)
        if self.body or self.upload:
            implied.add(413)
        return sorted({*self.answers, *implied})


OPERATIONS: list[Operation] = []


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """The data as the model, or our 400 naming the first field that does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error, model) from None


def _query_args() -> dict[str, str]:
    # A blank value counts as absent, as an HTML form's empty field sends it.
    return {name: value for name, value in request.args.items() if value.strip()}


def _endpoint(op: Operation) -> Callable[..., Any]:
    ids = [name for name, converter in op.path_parameters if converter == "id"]

    @wraps(op.view)
    def endpoint(**arguments: Any) -> Any:
        if not op.public:
            authenticate()
        for name in ids:
            if arguments[name] > MAX_ID:
                what = name.removesuffix("_id").replace("_", " ")
                raise NotFound(_("no %(what)s has an id above %(most)s", what=what, most=MAX_ID))
        if op.query is not None:
            arguments["query"] = parse(op.query, _query_args())
        if op.body is not None:
            arguments["body"] = parse(op.body, json_object())
        return op.view(**arguments)

    return endpoint


def operation(
    method: Method,
    rule: str,
    *,
    responses: Mapping[int, Any],
    errors: Iterable[int] = (),
    body: type[Body] | None = None,
    query: type[Query] | None = None,
    upload: Mapping[str, Any] | None = None,
    path: Mapping[str, Any] | None = None,
    public: bool = False,
) -> Callable[[F], F]:
    """Route the view and declare it; the view gets `query=` and `body=` as parsed models."""

    def register(view: F) -> F:
        op = Operation(
            method,
            rule,
            view,
            {s: a if isinstance(a, Answer) else Answer(a) for s, a in responses.items()},
            tuple(errors),
            body,
            query,
            upload,
            path or {},
            public,
        )
        if not op.summary:
            raise TypeError(f"{view.__name__} needs a docstring: it is the operation's summary")
        OPERATIONS.append(op)
        bp.add_url_rule(rule, view.__name__, _endpoint(op), methods=[method.upper()])
        return view

    return register


def get(rule: str, **options: Any) -> Callable[[F], F]:
    return operation("get", rule, **options)


def post(rule: str, **options: Any) -> Callable[[F], F]:
    return operation("post", rule, **options)


def put(rule: str, **options: Any) -> Callable[[F], F]:
    return operation("put", rule, **options)


def patch(rule: str, **options: Any) -> Callable[[F], F]:
    return operation("patch", rule, **options)


def delete(rule: str, **options: Any) -> Callable[[F], F]:
    return operation("delete", rule, **options)
