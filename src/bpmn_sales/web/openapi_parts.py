"""Building blocks of the OpenAPI document: response, parameter and schema helpers."""

from __future__ import annotations

from typing import Any

JSON = "application/json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(schema: dict[str, Any], description: str = "OK", status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {JSON: {"schema": schema}}}}


def errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Bad input (names the field)",
        401: "Missing or invalid API token",
        403: "Not allowed for this user (says why)",
        404: "Not found",
        409: "Wrong state, or a stale version (conflict)",
        413: "The request body is larger than the server accepts",
        422: "A sales rule refuses it (`unmet` lists each unmet requirement)",
    }
    return {
        str(c): {
            "description": texts[c],
            "content": {JSON: {"schema": ref("RuleViolation" if c == 422 else "Error")}},
        }
        for c in codes
    }


def body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def path_id(name: str, kind: str = "integer") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    return {**param, "description": description} if description else param


def op(summary: str, op_id: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "operationId": op_id, "responses": responses, **extra}


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def array(schema: dict[str, Any] | str) -> dict[str, Any]:
    return {"type": "array", "items": ref(schema) if isinstance(schema, str) else schema}


def nullable(name: str) -> dict[str, Any]:
    return {"anyOf": [ref(name), {"type": "null"}]}


STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
NUM = {"type": ["number", "null"]}
BOOL = {"type": "boolean"}
OBJ = {"type": "object"}
STRS = {"type": "array", "items": STR}
INTS = {"type": "array", "items": INT}
DATE = {"type": "string", "format": "date"}
NDATE = {"type": ["string", "null"], "format": "date"}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}
DEAL_STATUS = {"enum": ["open", "won", "lost", "invalid"]}
NOTE_REQUIRED = {"enum": ["none", "note", "note_and_file"]}
FIELD_VALUES = {
    "type": "object",
    "description": "Custom fields by snake_case name; null clears one. Values are checked "
    "against the type a stage's stage_required_fields declares (text, number, date, boolean, "
    "email).",
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
}
VERSIONED = {
    "version": {
        "type": "integer",
        "description": "The version you read; refused "
        "with 409 if the record changed since (or send If-Match).",
    }
}
