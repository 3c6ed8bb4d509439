"""In tests, every API answer is checked against the document: status, media type, body.

`API_RESPONSE_CHECKS` (on with TESTING) turns the whole test suite into a conformance test:
an answer the document does not describe raises, loudly, instead of reaching the client.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, current_app, request
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bpmn_sales.web.api.base import bp
from bpmn_sales.web.api.document import openapi_document
from bpmn_sales.web.api.operation import OPERATIONS, Operation


class Nonconforming(AssertionError):
    """An API answer the OpenAPI document does not describe."""


@bp.after_request
def _check(response: Response) -> Response:
    if not current_app.config.get("API_RESPONSE_CHECKS", current_app.testing):
        return response
    op = _operations().get(request.endpoint or "")
    # OPTIONS is Flask's own answer (Allow), not the operation's.
    if op is not None and request.method != "OPTIONS":
        problems = problems_with(op, response)
        if problems:
            where = f"{request.method} {request.full_path.rstrip('?')} -> {response.status_code}"
            raise Nonconforming(f"{op.operation_id}: {where}: " + "; ".join(problems))
    return response


@cache
def _operations() -> dict[str, Operation]:
    return {f"api.{op.view.__name__}": op for op in OPERATIONS}


def problems_with(op: Operation, response: Response) -> list[str]:
    """What in the answer the document does not say (nothing: it conforms)."""
    documented = openapi_document()["paths"][op.path][op.method]["responses"]
    answer = documented.get(str(response.status_code))
    if answer is None:
        return [f"status {response.status_code} is not documented ({', '.join(documented)})"]
    problems = [
        f"header {name} is missing"
        for name, header in answer.get("headers", {}).items()
        if header.get("required") and name not in response.headers
    ]
    content = answer.get("content", {})
    if not content:
        return problems + (["a body where none is documented"] if response.data else [])
    if response.mimetype not in content:
        return [*problems, f"{response.mimetype} is not documented ({', '.join(content)})"]
    if response.mimetype == "application/json":
        pointer = ("paths", op.path, op.method, "responses", str(response.status_code))
        validator = _validator((*pointer, "content", "application/json", "schema"))
        problems += [
            f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
            for e in validator.iter_errors(response.get_json())
        ]
    return problems


@cache
def _validator(pointer: tuple[str, ...]) -> Draft202012Validator:
    escaped = "/".join(part.replace("~", "~0").replace("/", "~1") for part in pointer)
    document = Resource.from_contents(openapi_document(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", document)
    return Draft202012Validator(
        {"$ref": f"urn:openapi#/{escaped}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
