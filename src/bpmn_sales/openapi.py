"""The OpenAPI 3.1 description of /api/v1 (data only; served by the API)."""

from __future__ import annotations

from typing import Any

from bpmn_sales import __version__

JSON = "application/json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(schema: dict[str, Any], description: str = "OK", status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": {JSON: {"schema": schema}}}}


def errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "Bad input (names the field)",
        401: "Missing or invalid API token",
        403: "Not allowed for this user",
        404: "Not found",
        409: "Wrong state, or a stale version (conflict)",
        422: "A sales rule refuses it",
    }
    return {
        str(c): {"description": texts[c], "content": {JSON: {"schema": ref("Error")}}}
        for c in codes
    }


def body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def path_id(name: str, kind: str = "integer") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


def op(summary: str, op_id: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "operationId": op_id, "responses": responses, **extra}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
NUM = {"type": ["number", "null"]}
VERSIONED = {
    "version": {
        "type": "integer",
        "description": "The version you read; refused "
        "with 409 if the record changed since (or send If-Match).",
    }
}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": STR, "message": STR, "field": STR}, ["error", "message"]),
    "Task": _obj(
        {
            "task_id": STR,
            "element_id": STR,
            "title": STR,
            "lane": NSTR,
            "role": STR,
            "stage": NSTR,
            "subject_type": {"enum": ["lead", "deal"]},
            "subject_id": INT,
            "subject_name": STR,
            "owner": NSTR,
        }
    ),
    "Lead": _obj(
        {
            "id": INT,
            "name": STR,
            "company": NSTR,
            "email": NSTR,
            "phone": NSTR,
            "estimated_value": NUM,
            "status": {"enum": ["new", "qualified", "disqualified"]},
            "owner": STR,
            "process": STR,
            "disqualify_reason": NSTR,
            "deal_id": NINT,
            "version": INT,
            "created_at": STR,
            "tasks": {"type": "array", "items": ref("Task")},
        }
    ),
    "Deal": _obj(
        {
            "id": INT,
            "name": STR,
            "customer": NSTR,
            "value": {"type": "number"},
            "currency": STR,
            "status": {"enum": ["open", "won", "lost"]},
            "stage": NSTR,
            "stage_name": NSTR,
            "probability": INT,
            "owner": STR,
            "process": STR,
            "lead_id": NINT,
            "reopened_from_id": NINT,
            "reopened_as_id": NINT,
            "lost_reason": NSTR,
            "closed_at": NSTR,
            "version": INT,
            "created_at": STR,
            "tasks": {"type": "array", "items": ref("Task")},
        }
    ),
    "HistoryEntry": _obj(
        {
            "at": STR,
            "actor": NSTR,
            "action": STR,
            "from_stage": NSTR,
            "to_stage": NSTR,
            "from_status": NSTR,
            "to_status": NSTR,
            "detail": {"type": "object"},
        }
    ),
    "Process": _obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "versions": INT,
            "enabled": {"type": "boolean"},
            "deployed_at": STR,
            "stages": {"type": "array", "items": _obj({"key": STR, "name": STR, "order": INT})},
            "messages": {"type": "array", "items": STR},
            "lost_reasons": {"type": "array", "items": STR},
            "in_use": INT,
        }
    ),
    "Problem": _obj(
        {
            "file": STR,
            "element_id": NSTR,
            "line": NINT,
            "severity": {"enum": ["error", "warning"]},
            "message": STR,
        }
    ),
    "NewLead": _obj(
        {
            "name": STR,
            "company": STR,
            "email": STR,
            "phone": STR,
            "estimated_value": {"type": ["number", "string"]},
            "owner": STR,
        },
        ["name"],
    ),
    "NewDeal": _obj(
        {
            "name": STR,
            "customer": STR,
            "value": {"type": ["number", "string"]},
            "currency": STR,
            "owner": STR,
        },
        ["name"],
    ),
}


def _array(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


def _paths() -> dict[str, Any]:
    lead_id, deal_id = [path_id("lead_id")], [path_id("deal_id")]
    versioned = body(_obj(VERSIONED), required=False)
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": _obj(
                    {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}}
                )
            },
            "application/xml": {"schema": STR},
        },
    }
    return {
        "/openapi.json": {
            "get": op("This document", "openapi", ok({"type": "object"}), security=[])
        },
        "/me": {
            "get": op(
                "The user the token belongs to",
                "me",
                ok(_obj({"id": INT, "username": STR, "role": STR})) | errors(401),
            )
        },
        "/processes": {
            "get": op(
                "List deployed processes", "listProcesses", ok(_array("Process")) | errors(401)
            ),
            "post": op(
                "Deploy diagrams (admin); a changed diagram becomes a new version",
                "deployProcess",
                ok(_array("Process"), "Deployed", "201") | errors(400, 401, 403),
                requestBody=upload,
            ),
        },
        "/processes/lint": {
            "post": op(
                "Lint diagrams",
                "lintDiagrams",
                ok(_obj({"ok": {"type": "boolean"}, "problems": _array("Problem")}))
                | errors(400, 401),
                requestBody=upload,
            )
        },
        "/processes/{key}": {
            "get": op(
                "One process",
                "getProcess",
                ok(ref("Process")) | errors(401, 404),
                parameters=[path_id("key", "string")],
            )
        },
        "/leads": {
            "get": op(
                "List visible leads",
                "listLeads",
                ok(_array("Lead")) | errors(400, 401),
                parameters=[
                    query("status", {"enum": ["new", "qualified", "disqualified"]}),
                    query("limit", INT),
                ],
            ),
            "post": op(
                "Create a lead (starts qualification)",
                "createLead",
                ok(ref("Lead"), "Created", "201") | errors(400, 401, 403),
                requestBody=body(ref("NewLead")),
            ),
        },
        "/leads/{lead_id}": {
            "get": op(
                "One lead", "getLead", ok(ref("Lead")) | errors(401, 403, 404), parameters=lead_id
            ),
            "patch": op(
                "Set the lead's status (new renews, qualified, disqualified)",
                "setLeadStatus",
                ok(ref("Lead")) | errors(400, 401, 403, 404, 409),
                parameters=lead_id,
                requestBody=body(
                    _obj(
                        {
                            "status": {"enum": ["new", "qualified", "disqualified"]},
                            "reason": STR,
                            **VERSIONED,
                        },
                        ["status"],
                    )
                ),
            ),
        },
        "/leads/{lead_id}/qualify": {
            "post": op(
                "Qualify a new lead into an opportunity",
                "qualifyLead",
                ok(ref("Lead")) | errors(401, 403, 404, 409),
                parameters=lead_id,
                requestBody=versioned,
            )
        },
        "/leads/{lead_id}/disqualify": {
            "post": op(
                "Disqualify a new lead with a reason",
                "disqualifyLead",
                ok(ref("Lead")) | errors(400, 401, 403, 404, 409),
                parameters=lead_id,
                requestBody=body(_obj({"reason": STR, **VERSIONED}, ["reason"])),
            )
        },
        "/leads/{lead_id}/renew": {
            "post": op(
                "Renew a disqualified lead (back to new)",
                "renewLead",
                ok(ref("Lead")) | errors(401, 403, 404, 409),
                parameters=lead_id,
                requestBody=versioned,
            )
        },
        "/leads/{lead_id}/history": {
            "get": op(
                "The lead's history",
                "leadHistory",
                ok(_array("HistoryEntry")) | errors(401, 403, 404),
                parameters=lead_id,
            )
        },
        "/deals": {
            "get": op(
                "List visible deals",
                "listDeals",
                ok(_array("Deal")) | errors(400, 401),
                parameters=[
                    query("status", {"enum": ["open", "won", "lost"]}),
                    query("stage", STR),
                    query("limit", INT),
                ],
            ),
            "post": op(
                "Start an opportunity directly",
                "createDeal",
                ok(ref("Deal"), "Created", "201") | errors(400, 401, 403),
                requestBody=body(ref("NewDeal")),
            ),
        },
        "/deals/{deal_id}": {
            "get": op(
                "One deal", "getDeal", ok(ref("Deal")) | errors(401, 403, 404), parameters=deal_id
            )
        },
        "/deals/{deal_id}/close": {
            "post": op(
                "Close as won or lost (lost needs a listed reason)",
                "closeDeal",
                ok(ref("Deal")) | errors(400, 401, 403, 404, 409),
                parameters=deal_id,
                requestBody=body(
                    _obj(
                        {"outcome": {"enum": ["won", "lost"]}, "reason": STR, **VERSIONED},
                        ["outcome"],
                    )
                ),
            )
        },
        "/deals/{deal_id}/reopen": {
            "post": op(
                "Reopen a closed deal as a new linked opportunity",
                "reopenDeal",
                ok(ref("Deal"), "Created", "201") | errors(401, 403, 404, 409),
                parameters=deal_id,
            )
        },
        "/deals/{deal_id}/history": {
            "get": op(
                "The deal's history",
                "dealHistory",
                ok(_array("HistoryEntry")) | errors(401, 403, 404),
                parameters=deal_id,
            )
        },
        "/tasks": {
            "get": op(
                "Ready tasks on visible leads and deals",
                "listTasks",
                ok(_array("Task")) | errors(400, 401),
                parameters=[query("role", {"enum": ["rep", "manager"]})],
            )
        },
        "/tasks/{task_id}/complete": {
            "post": op(
                "Complete a ready task with form data",
                "completeTask",
                ok(ref("Task")) | errors(400, 401, 403, 404, 409),
                parameters=[path_id("task_id", "string")],
                requestBody=body(_obj({"data": {"type": "object"}, **VERSIONED}), required=False),
            )
        },
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "bpmn-sales API",
            "version": __version__,
            "description": "Leads, deals, tasks and processes of bpmn-sales. "
            "Authenticate with 'Authorization: Bearer <token>'.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
