"""The OpenAPI 3.1 document of /api/v1, generated from the operations and their models."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from bpmn_sales import __version__
from bpmn_sales.domain.model import MAX_ID
from bpmn_sales.web.api.base import RESERVED_KEYS
from bpmn_sales.web.api.operation import OPERATIONS, Operation
from bpmn_sales.web.schemas.common import Error, RuleViolation

JSON = "application/json"
REF = "#/components/schemas/{model}"
ERRORS = {
    400: "Bad input (names the field)",
    401: "Missing or invalid API token",
    403: "Not allowed for this user (says why)",
    404: "Not found",
    405: "This path is another operation's: `Allow` lists its methods",
    409: "Wrong state, or a stale version (conflict)",
    413: "The request body is larger than the server accepts",
    422: "A sales rule refuses it (`unmet` lists each unmet requirement)",
}
PATH_TYPES: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    "default": {"type": "string", "pattern": "^[^/]+$"},
    "key": {"type": "string", "pattern": "^[^/]+$", "not": {"enum": list(RESERVED_KEYS)}},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The version you read, instead of `version` in the body ('3' or '\"3\"')",
    "schema": {"type": "string"},
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you hold: answered 304 with no body while it is still current",
    "schema": {"type": "string"},
}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}}
ALLOW = {"Allow": {"required": True, "schema": {"type": "string"}}}


class Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema without a title on every property."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        found = super().model_schema(schema)
        found.pop("title", None)
        return found


@cache
def openapi_document() -> dict[str, Any]:
    """The document, built once per process from the registered operations."""
    spec = APISpec(
        title="bpmn-sales API",
        version=__version__,
        openapi_version="3.1.0",
        info={
            "description": "Leads, deals, tasks and processes of bpmn-sales. Authenticate with "
            "'Authorization: Bearer <token>'. Request bodies and query strings are validated "
            "against this document; a misfit is a 400 naming the field."
        },
        servers=[{"url": "/api/v1"}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    schemas, definitions = _schemas()
    for name, schema in sorted(definitions.items()):
        spec.components.schema(name, schema)
    for op in sorted(OPERATIONS, key=lambda op: op.path):  # paths in order: easier to find
        spec.path(path=op.path, operations={op.method: _operation(op, schemas)})
    return spec.to_dict()


def _schemas() -> tuple[dict[int, JsonSchemaValue], dict[str, JsonSchemaValue]]:
    """JSON Schemas of every body and answer type by id(type), and the named definitions."""
    types: dict[int, Any] = {id(Error): Error, id(RuleViolation): RuleViolation}
    for op in OPERATIONS:
        for model in (op.body, *(a.body for a in op.answers.values())):
            if model is not None:
                types[id(model)] = model
    found, definitions = TypeAdapter.json_schemas(
        [(key, "validation", TypeAdapter(t)) for key, t in types.items()],
        ref_template=REF,
        schema_generator=Generator,
    )
    return {key: schema for (key, _), schema in found.items()}, definitions.get("$defs", {})


def _operation(op: Operation, schemas: dict[int, JsonSchemaValue]) -> dict[str, Any]:
    doc: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if op.description:
        doc["description"] = op.description
    parameters = _path_parameters(op) + _query_parameters(op)
    if op.body is not None and "version" in op.body.model_fields:
        parameters.append(IF_MATCH)
    if 304 in op.answers:
        parameters.append(IF_NONE_MATCH)
    if parameters:
        doc["parameters"] = parameters
    if op.body is not None:
        required = any(f.is_required() for f in op.body.model_fields.values())
        content = {JSON: {"schema": schemas[id(op.body)]}}
        doc["requestBody"] = {"required": required, "content": content}
    elif op.upload is not None:
        doc["requestBody"] = dict(op.upload)
    doc["responses"] = {str(status): _response(op, status, schemas) for status in op.statuses}
    if op.public:
        doc["security"] = []
    return doc


def _response(op: Operation, status: int, schemas: dict[int, JsonSchemaValue]) -> dict[str, Any]:
    answer = op.answers.get(status)
    if answer is None:
        error = RuleViolation if status == 422 else Error
        failed = {"description": ERRORS[status], "content": {JSON: {"schema": schemas[id(error)]}}}
        headers = {401: WWW_AUTHENTICATE, 405: ALLOW}.get(status)
        return {**failed, "headers": headers} if headers else failed
    content = dict(answer.content)
    if answer.body is not None:
        content = {JSON: {"schema": schemas[id(answer.body)]}, **content}
    response: dict[str, Any] = {
        "description": answer.description or {204: "No content"}.get(status, "OK")
    }
    if content:
        response["content"] = content
    if answer.headers:
        response["headers"] = dict(answer.headers)
    return response


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    parameters = []
    for name, converter in op.path_parameters:
        given: dict[str, Any] = dict(op.path_schemas.get(name, {}))
        schema = given if "type" in given or "enum" in given else {**PATH_TYPES[converter], **given}
        parameter: dict[str, Any] = {"name": name, "in": "path", "required": True, "schema": schema}
        if "description" in schema:
            parameter["description"] = schema.pop("description")
        parameters.append(parameter)
    return parameters


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=REF, schema_generator=Generator)
    assert "$defs" not in schema, f"{op.query.__name__}: query parameters are plain values"
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter = {"name": name, "in": "query", "required": name in required}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        parameter["schema"] = _without_null(prop)
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or text, never null."""
    if schema.get("default", ...) is None:
        schema = {k: v for k, v in schema.items() if k != "default"}
    options = [s for s in schema.get("anyOf", ()) if s != {"type": "null"}]
    if len(options) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **options[0]}
    if isinstance(schema.get("type"), list):
        kinds = [t for t in schema["type"] if t != "null"]
        schema = {**schema, "type": kinds[0] if len(kinds) == 1 else kinds}
    return schema
