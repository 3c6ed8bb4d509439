"""OpenAPI paths and schemas for the process library (issue 6)."""

from __future__ import annotations

from typing import Any

from bpmn_sales.web.openapi_parts import (
    BOOL,
    INT,
    NINT,
    NSTR,
    STR,
    STRS,
    TIME,
    array,
    body,
    errors,
    obj,
    ok,
    op,
    path_id,
    query,
    ref,
)

KEY = path_id("key", "string")
NUMBER = path_id("number")
VERSION = {
    "version": INT,
    "filename": STR,
    "enabled": {**BOOL, "description": "May new deals and leads start on it"},
    "current": {**BOOL, "description": "The version new deals and leads start on"},
    "deployed_at": TIME,
    "deployed_by": NSTR,
    "deals_open": INT,
    "deals_closed": INT,
    "leads_open": INT,
    "leads_closed": INT,
    "in_use": INT,
}
FIELD_CHANGE = obj({"field": STR, "old": {}, "new": {}})
CHANGE = obj(
    {
        "kind": {"enum": ["added", "removed", "renamed", "moved", "changed"]},
        "key": {**STR, "description": "A stage key or an element id"},
        "name": STR,
        "where": {**STR, "description": "An activity's stage, a terminal's outcome, a BPMN type"},
        "fields": array(FIELD_CHANGE),
    }
)

SCHEMAS: dict[str, Any] = {
    "ProcessVersion": obj(VERSION, list(VERSION)),
    "ProcessDetail": obj(
        {
            "key": STR,
            "name": STR,
            "description": STR,
            "enabled": BOOL,
            "departments": STRS,
            "template": {**NSTR, "description": "The process it was cloned from"},
            "template_version": NINT,
            "clones": STRS,
            "versions": array("ProcessVersion"),
        }
    ),
    "CloneResult": obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "template": STR,
            "template_version": INT,
            "processes": {**STRS, "description": "The clone, then its cloned sub-processes"},
        }
    ),
    "SalesDiff": obj(
        {
            "base": STR,
            "base_version": INT,
            "head": STR,
            "head_version": INT,
            "note": STR,
            "process": array(FIELD_CHANGE),
            "stages": array(CHANGE),
            "activities": array(CHANGE),
            "terminals": array(CHANGE),
            "elements": array(CHANGE),
            "layout_changed": BOOL,
            "empty": BOOL,
        }
    ),
    "ImportResult": obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "created": {**BOOL, "description": "A new process (not a version of one)"},
            "changed": {**BOOL, "description": "False: the same diagram was deployed already"},
            "deployed": array(ref("DeployResult")),
        }
    ),
    "Deleted": obj(
        {"key": STR, "versions": {"type": "array", "items": INT}, "process_deleted": BOOL}
    ),
}

ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
IN_USE = "409 names how many open and closed deals and leads use it"


def paths() -> dict[str, Any]:
    detail = ok(ref("ProcessDetail")) | errors(400, 401, 403, 404, 409)
    return {
        "/processes/{key}/versions": {
            "get": op(
                "A process's versions with deployer, time, switch and the deals/leads on each",
                "listProcessVersions",
                ok(ref("ProcessDetail")) | errors(401, 403, 404),
                parameters=[KEY],
            )
        },
        "/processes/{key}/versions/{number}/enable": {
            "post": op(
                "Let a version start new deals again (admin)",
                "enableProcessVersion",
                detail,
                parameters=[KEY, NUMBER],
            )
        },
        "/processes/{key}/versions/{number}/disable": {
            "post": op(
                "Start no new deals on a version; they start on the newest enabled one (admin)",
                "disableProcessVersion",
                detail,
                parameters=[KEY, NUMBER],
            )
        },
        "/processes/{key}/versions/{number}": {
            "delete": op(
                "Delete a version no deal or lead uses; the last one takes the process along",
                "deleteProcessVersion",
                ok(ref("Deleted")) | errors(400, 401, 403, 404, 409),
                parameters=[KEY, NUMBER],
                description=IN_USE,
            )
        },
        "/processes/{key}": {
            "get": op(
                "One process",
                "getProcess",
                ok(ref("Process")) | errors(401, 404),
                parameters=[KEY],
            ),
            "patch": op(
                "Set a process's description; a new name is a new version of its diagram",
                "describeProcess",
                detail,
                parameters=[KEY],
                requestBody=body(obj({"description": STR, "name": STR})),
            ),
            "delete": op(
                "Delete a process no deal or lead uses, with every version (admin)",
                "deleteProcess",
                ok(ref("Deleted")) | errors(401, 403, 404, 409),
                parameters=[KEY],
                description=IN_USE + "; clones of it lose their template link",
            ),
        },
        "/processes/{key}/clone": {
            "post": op(
                "Clone a process (its newest version and called sub-processes) under a new key",
                "cloneProcess",
                ok(ref("CloneResult"), "Cloned", "201") | errors(400, 401, 403, 404, 409),
                parameters=[KEY],
                requestBody=body(
                    obj({"key": STR, "name": STR, "description": STR}, ["key", "name"])
                ),
            )
        },
        "/processes/{key}/diff": {
            "get": op(
                "What the newest version changed against its template (or another version)",
                "diffProcess",
                ok(ref("SalesDiff")) | errors(400, 401, 403, 404, 409),
                parameters=[KEY, query("against", INT, "Compare with this version of itself")],
            )
        },
        "/processes/{key}/export": {
            "get": op(
                "A zip of a version: diagrams, forms and manifest.json",
                "exportProcess",
                {"200": {"description": "The zip", "content": ZIP}} | errors(400, 401, 403, 404),
                parameters=[KEY, query("version", INT, "Default: the newest")],
            )
        },
        "/processes/import": {
            "post": op(
                "Import an exported zip (checked: size, entries, safe XML, lint)",
                "importProcess",
                ok(ref("ImportResult"), "Imported", "201") | errors(400, 401, 403, 413),
                parameters=[
                    query("key", STR, "Import under this key (the diagrams are rewritten)"),
                    query("name", STR, "And this name"),
                    query("disable_previous", BOOL, "Switch older versions off for new deals"),
                ],
                requestBody={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": obj({"file": {"type": "string", "format": "binary"}})
                        },
                        **ZIP,
                    },
                },
            )
        },
    }
