"""The OpenAPI 3.1 description of /api/v1 (data only; served by the API)."""

from __future__ import annotations

from typing import Any

from bpmn_sales import __version__
from bpmn_sales.web import (
    openapi_analytics,
    openapi_delivery,
    openapi_drafts,
    openapi_library,
    openapi_migrations,
    openapi_time,
)
from bpmn_sales.web.openapi_parts import (
    BOOL,
    DATE,
    DEAL_STATUS,
    FIELD_VALUES,
    INT,
    INTS,
    NDATE,
    NINT,
    NOTE_REQUIRED,
    NSTR,
    NTIME,
    NUM,
    OBJ,
    STR,
    STRS,
    TIME,
    VERSIONED,
    array,
    body,
    errors,
    nullable,
    obj,
    ok,
    op,
    path_id,
    query,
    ref,
)

# -- records a deal carries -------------------------------------------------------------------
RECORDS: dict[str, Any] = {
    "Contact": obj(
        {
            "id": INT,
            "customer_id": {**INT, "description": "Only in the response to POST"},
            "name": STR,
            "email": NSTR,
            "phone": NSTR,
            "title": NSTR,
        },
        ["id", "name"],
    ),
    "Note": obj(
        {
            "id": INT,
            "text": STR,
            "attachments": {**INTS, "description": "Attachment ids (response to POST)"},
            "author": {**NSTR, "description": "In Deal.detail"},
            "task": {**NSTR, "description": "Element id of the task it was written for"},
            "at": TIME,
        },
        ["id", "text"],
    ),
    "Attachment": obj(
        {
            "id": INT,
            "filename": STR,
            "content_type": STR,
            "size": INT,
            "sha256": STR,
            "note_id": NINT,
            "at": TIME,
        },
        ["id", "filename", "content_type", "size"],
    ),
    "Order": obj(
        {
            "id": INT,
            "deal_id": {**INT, "description": "Only in the response to POST"},
            "number": STR,
            "amount": {"type": "number"},
            "currency": STR,
            "status": {**DEAL_STATUS, "description": "The deal's status (response to POST)"},
            "at": {**TIME, "description": "In Deal.detail"},
        },
        ["id", "number", "amount", "currency"],
    ),
    "Approval": obj(
        {
            "stage": STR,
            "decision": {"enum": ["approve", "reject"]},
            "comment": STR,
            "by": NSTR,
            "at": TIME,
        }
    ),
    "FollowUp": obj(
        {"id": INT, "title": STR, "due_on": DATE, "assignee": NSTR, "done": BOOL},
    ),
    "Customer": obj({"id": INT, "name": STR, "fields": OBJ}),
}

# -- the rules of a process, as the deal page shows them -------------------------------------
RULES: dict[str, Any] = {
    "Activity": obj(
        {
            "element_id": STR,
            "name": STR,
            "stage": NSTR,
            "weight": {"type": "number"},
            "obligatory": BOOL,
            "completed_by": STRS,
            "note_required": NOTE_REQUIRED,
            "notify": STRS,
            "follow_up": {
                "anyOf": [
                    obj({"title": STR, "due_days": INT, "assignee": STR}),
                    {"type": "null"},
                ]
            },
            "tip": STR,
            "description": STR,
            "approval": NSTR,
            "done": {**BOOL, "description": "In Deal.detail.checklist"},
        }
    ),
    "Stage": obj(
        {
            "key": STR,
            "name": STR,
            "element_id": STR,
            "order": INT,
            "description": STR,
            "requirements": STR,
            "win_rate": NUM,
            "required_fields": STRS,
            "min_contacts": INT,
            "optional": BOOL,
            "approval": NSTR,
            "phase": {"enum": ["pre_sale", "post_sale"]},
            "activities": array("Activity"),
        }
    ),
    "StagePathEntry": obj(
        {
            "key": STR,
            "name": STR,
            "order": INT,
            "phase": {"enum": ["pre_sale", "post_sale"]},
            "win_rate": NUM,
            "optional": BOOL,
            "state": {"enum": ["passed", "current", "todo"]},
        }
    ),
    "Terminal": obj(
        {
            "element_id": STR,
            "outcome": {"enum": ["won", "lost", "invalid"]},
            "label": STR,
            "probability": {"type": "number"},
            "lost_reasons": STRS,
            "order_required": BOOL,
            "orders_from_stage": NSTR,
        }
    ),
    "DealDetail": {
        **obj(
            {
                "stages": array("StagePathEntry"),
                "current_stage": nullable("Stage"),
                "checklist": array("Activity"),
                "unmet_requirements": {
                    **STRS,
                    "description": "What the current stage still needs before it can be left",
                },
                "win_blockers": {**STRS, "description": "What winning still needs"},
                "terminals": array("Terminal"),
                "free_moves": {
                    **BOOL,
                    "description": "The process lets the deal move between stages freely",
                },
                "customer": nullable("Customer"),
                "contacts": array("Contact"),
                "approvals": array("Approval"),
                "notes": array("Note"),
                "attachments": array("Attachment"),
                "orders": array("Order"),
                "follow_ups": array("FollowUp"),
            },
            [
                "stages",
                "checklist",
                "unmet_requirements",
                "win_blockers",
                "terminals",
                "free_moves",
            ],
        ),
        "description": "The deal page's extras: GET /deals/{deal_id} and PATCH only.",
    },
}

SCHEMAS: dict[str, Any] = {
    "StageChange": obj(
        {
            "process": STR,
            "version": {**INT, "description": "The process version the edit made"},
            "stage": STR,
            "action": {"enum": ["added", "deleted"]},
        },
        ["process", "version", "stage", "action"],
    ),
    "Error": obj(
        {
            "error": STR,
            "message": STR,
            "field": {**STR, "description": "The bad field (400)"},
            "current_version": {**INT, "description": "The record's version (409 conflict)"},
        },
        ["error", "message"],
    ),
    "RuleViolation": {
        "allOf": [
            ref("Error"),
            obj(
                {
                    "error": {"const": "rule_violation"},
                    "unmet": {
                        **STRS,
                        "description": "Each unmet requirement, e.g. "
                        "'Initial visit: customer.industry is empty'",
                    },
                }
            ),
        ]
    },
    "Task": obj(
        {
            "task_id": {**STR, "description": "follow-up-N for follow-up tasks"},
            "element_id": STR,
            "title": STR,
            "lane": NSTR,
            "role": {"enum": ["rep", "manager", "admin"]},
            "stage": NSTR,
            "subject_type": {"enum": ["lead", "deal"]},
            "subject_id": INT,
            "subject_name": STR,
            "owner": NSTR,
            "kind": {"enum": ["task", "approval", "follow_up"]},
            "assignee": {
                **NSTR,
                "description": "The user (or group:NAME for follow-ups) it is assigned to",
            },
            "due_on": {**NDATE, "description": "Follow-ups: the day it is due"},
            "group": {**NSTR, "description": "The group it is offered to (claim it to take it)"},
            "tip": STR,
            "note_required": NOTE_REQUIRED,
        }
    ),
    "Lead": obj(
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
            "tasks": array("Task"),
        }
    ),
    "Deal": obj(
        {
            "id": INT,
            "name": STR,
            "customer": NSTR,
            "value": {"type": "number"},
            "currency": STR,
            "status": DEAL_STATUS,
            "stage": NSTR,
            "stage_name": NSTR,
            "probability": INT,
            "owner": STR,
            "process": {**STR, "description": "Key and version, e.g. 'sales_process v1'"},
            "process_key": STR,
            "outcome_label": NSTR,
            "expected_close_date": NDATE,
            "fields": OBJ,
            "stage_fields": {
                "type": "object",
                "description": "Stage fields by stage key",
                "additionalProperties": OBJ,
            },
            "lead_id": NINT,
            "reopened_from_id": NINT,
            "reopened_as_id": NINT,
            "lost_reason": NSTR,
            "closed_at": NSTR,
            "version": INT,
            "created_at": STR,
            "tasks": array("Task"),
            "detail": ref("DealDetail"),
        }
    ),
    **RECORDS,
    **RULES,
    "HistoryEntry": obj(
        {
            "at": STR,
            "actor": NSTR,
            "action": STR,
            "from_stage": NSTR,
            "to_stage": NSTR,
            "from_status": NSTR,
            "to_status": NSTR,
            "detail": OBJ,
        }
    ),
    "Process": obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "versions": INT,
            "enabled": BOOL,
            "deployed_at": STR,
            "stages": array(obj({"key": STR, "name": STR, "order": INT})),
            "messages": STRS,
            "lost_reasons": STRS,
            "in_use": INT,
        }
    ),
    "DeployResult": obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "created": BOOL,
            "previous": {**NINT, "description": "The newest version before this deploy"},
            "disabled": {
                "type": "array",
                "items": INT,
                "description": "Older versions switched off for new deals (disable_previous)",
            },
        }
    ),
    "Problem": obj(
        {
            "file": STR,
            "element_id": NSTR,
            "line": NINT,
            "severity": {"enum": ["error", "warning"]},
            "code": NSTR,
            "message": STR,
        }
    ),
    "Notification": obj(
        {
            "id": INT,
            "kind": STR,
            "message": STR,
            "subject_type": STR,
            "subject_id": INT,
            "created_at": TIME,
            "read_at": NTIME,
        }
    ),
    "OutboxMessage": obj(
        {
            "id": INT,
            "channel": STR,
            "recipient": STR,
            "subject": STR,
            "status": STR,
            "attempts": INT,
            "created_at": TIME,
            "last_error": NSTR,
        }
    ),
    "Group": obj({"id": INT, "name": STR, "members": STRS}),
    "ProcessAdmin": obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "versions": INT,
            "enabled": BOOL,
            "departments": STRS,
            "stages": INT,
            "open_deals": INT,
            "total_deals": INT,
        }
    ),
    "NewLead": obj(
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
    "NewDeal": obj(
        {
            "name": STR,
            "customer": STR,
            "value": {"type": ["number", "string"]},
            "currency": STR,
            "owner": STR,
            "process": {
                **STR,
                "description": "Process key (default: the one for the owner's department)",
            },
            "expected_close_date": DATE,
        },
        ["name"],
    ),
    "DealChanges": obj(
        {
            "name": STR,
            "customer": NSTR,
            "value": {"type": ["number", "string"]},
            "currency": STR,
            "expected_close_date": NDATE,
            "fields": {**FIELD_VALUES, "description": "Deal custom fields (deal.NAME)"},
            "customer_fields": {
                **FIELD_VALUES,
                "description": "The customer's custom fields (customer.NAME)",
            },
            "stage_fields": {
                "type": "object",
                "description": "Stage fields by stage key: {stage: {name: value}}",
                "additionalProperties": FIELD_VALUES,
            },
            **VERSIONED,
        }
    ),
}


def _lead_paths() -> dict[str, Any]:
    lead_id = [path_id("lead_id")]
    versioned = body(obj(VERSIONED), required=False)
    return {
        "/leads": {
            "get": op(
                "List visible leads",
                "listLeads",
                ok(array("Lead")) | errors(400, 401),
                parameters=[
                    query("status", {"enum": ["new", "qualified", "disqualified"]}),
                    query("owner", {**STR, "description": "The owner's user name"}),
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
                    obj(
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
                requestBody=body(obj({"reason": STR, **VERSIONED}, ["reason"])),
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
                ok(array("HistoryEntry")) | errors(401, 403, 404),
                parameters=lead_id,
            )
        },
    }


def _deal_paths() -> dict[str, Any]:
    deal_id = [path_id("deal_id")]
    return {
        "/deals": {
            "get": op(
                "List visible deals",
                "listDeals",
                ok(array("Deal")) | errors(400, 401),
                parameters=[
                    query("status", DEAL_STATUS),
                    query("stage", STR),
                    query("process", {**STR, "description": "A process key"}),
                    query("owner", {**STR, "description": "The owner's user name"}),
                    query("limit", INT),
                ],
            ),
            "post": op(
                "Start an opportunity directly (in sales_process or the named process)",
                "createDeal",
                ok(ref("Deal"), "Created", "201") | errors(400, 401, 403, 404),
                requestBody=body(ref("NewDeal")),
            ),
        },
        "/deals/{deal_id}": {
            "get": op(
                "One deal, with `detail` (stages, checklist, requirements, records)",
                "getDeal",
                ok(ref("Deal")) | errors(401, 403, 404),
                parameters=deal_id,
            ),
            "patch": op(
                "Change the deal's fields, its customer's fields and its stage fields",
                "updateDeal",
                ok(ref("Deal")) | errors(400, 401, 403, 404, 409),
                parameters=deal_id,
                requestBody=body(ref("DealChanges")),
            ),
        },
        "/deals/{deal_id}/move": {
            "post": op(
                "Move the deal to another stage (processes with free moves); forward moves "
                "need the requirements of the stage left and of every non-optional stage passed",
                "moveDeal",
                ok(ref("Deal")) | errors(400, 401, 403, 404, 409, 422),
                parameters=deal_id,
                requestBody=body(obj({"stage": STR, **VERSIONED}, ["stage"])),
            )
        },
        "/deals/{deal_id}/contacts": {
            "post": op(
                "Add a contact person to the deal's customer",
                "addContact",
                ok(ref("Contact"), "Created", "201") | errors(400, 401, 403, 404, 409),
                parameters=deal_id,
                requestBody=body(
                    obj({"name": STR, "email": STR, "phone": STR, "title": STR}, ["name"])
                ),
            )
        },
        "/deals/{deal_id}/notes": {
            "post": op(
                "Add a note, with files uploaded before (attachment_ids)",
                "addNote",
                ok(ref("Note"), "Created", "201") | errors(400, 401, 403, 404),
                parameters=deal_id,
                requestBody=body(obj({"text": STR, "attachment_ids": INTS}, ["text"])),
            )
        },
        "/deals/{deal_id}/attachments": {
            "post": op(
                "Upload a file to the deal (pdf, images, text, csv, office documents; "
                "never HTML or SVG; at most the configured size)",
                "uploadAttachment",
                ok(ref("Attachment"), "Created", "201") | errors(400, 401, 403, 404, 413),
                parameters=deal_id,
                requestBody={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": obj(
                                {"file": {"type": "string", "format": "binary"}}, ["file"]
                            )
                        }
                    },
                },
            )
        },
        "/deals/{deal_id}/orders": {
            "post": op(
                "Create an order (where the process allows: orders_from_stage)",
                "createOrder",
                ok(ref("Order"), "Created", "201") | errors(400, 401, 403, 404, 422),
                parameters=deal_id,
                requestBody=body(
                    obj(
                        {
                            "amount": {
                                "type": ["number", "string"],
                                "description": "Default: the deal's value",
                            },
                            "currency": {**STR, "description": "Default: the deal's currency"},
                        }
                    ),
                    required=False,
                ),
            )
        },
        "/deals/{deal_id}/close": {
            "post": op(
                "Close as won, lost or invalid (lost needs a reason from the process's list; "
                "won needs the obligatory activities and, where required, an order)",
                "closeDeal",
                ok(ref("Deal")) | errors(400, 401, 403, 404, 409, 422),
                parameters=deal_id,
                requestBody=body(
                    obj(
                        {
                            "outcome": {"enum": ["won", "lost", "invalid"]},
                            "reason": STR,
                            **VERSIONED,
                        },
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
                ok(array("HistoryEntry")) | errors(401, 403, 404),
                parameters=deal_id,
            )
        },
        "/attachments/{attachment_id}": {
            "get": op(
                "Download a file, always as an attachment (octet-stream, nosniff, CSP sandbox)",
                "downloadAttachment",
                {
                    "200": {
                        "description": "The file's bytes",
                        "headers": {
                            "Content-Disposition": {
                                "description": "attachment; filename*=UTF-8''NAME",
                                "schema": STR,
                            }
                        },
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    }
                }
                | errors(401, 403, 404),
                parameters=[path_id("attachment_id")],
            )
        },
    }


def _work_paths() -> dict[str, Any]:
    return {
        "/tasks": {
            "get": op(
                "Ready tasks on visible leads and deals, assigned tasks, then open follow-ups",
                "listTasks",
                ok(array("Task")) | errors(400, 401),
                parameters=[query("role", {"enum": ["rep", "manager", "admin"]})],
            )
        },
        "/tasks/{task_id}/complete": {
            "post": op(
                "Complete a ready task or a follow-up (task_id follow-up-N)",
                "completeTask",
                ok(ref("Task")) | errors(400, 401, 403, 404, 409, 422),
                parameters=[path_id("task_id", "string")],
                requestBody=body(
                    obj(
                        {
                            "data": {
                                **OBJ,
                                "description": "Form data; approval tasks take "
                                "{decision: approve|reject, comment} (a reject needs a comment)",
                            },
                            "note": {
                                **STR,
                                "description": "Needed where the task's note_required says",
                            },
                            "attachment_ids": {
                                **INTS,
                                "description": "Files uploaded to the deal before, for the note",
                            },
                            **VERSIONED,
                        }
                    ),
                    required=False,
                ),
            )
        },
        "/notifications": {
            "get": op(
                "Your notifications, newest first, with the unread count",
                "listNotifications",
                ok(
                    obj(
                        {"unread": INT, "notifications": array("Notification")},
                        ["unread", "notifications"],
                    )
                )
                | errors(400, 401),
                parameters=[
                    query("unread", {"enum": ["1", "true", "yes"]}, "Only unread ones"),
                    query("limit", INT),
                ],
            )
        },
        "/notifications/read": {
            "post": op(
                "Mark your notifications read (all of them without ids)",
                "markNotificationsRead",
                ok(obj({"marked": INT}, ["marked"])) | errors(400, 401),
                requestBody=body(obj({"ids": INTS}), required=False),
            )
        },
        "/outbox": {
            "get": op(
                "Mail waiting to be delivered, or delivered (admin)",
                "listOutbox",
                ok(array("OutboxMessage")) | errors(401, 403),
                parameters=[query("status", STR)],
            )
        },
        "/groups": {
            "get": op("Groups and their members", "listGroups", ok(array("Group")) | errors(401))
        },
        # -- tasks pages API (claim, forms) --
        "/tasks/{task_id}/claim": {
            "post": op(
                "Claim a ready task assigned to one of your groups: it becomes yours",
                "claimTask",
                ok(ref("Task")) | errors(401, 403, 404, 409),
                parameters=[path_id("task_id", "string")],
            )
        },
        "/tasks/{task_id}/form": {
            "get": op(
                "A ready task with its form: the JSON Schema and UI schema its user task names "
                "(formJsonSchemaFilename, formUiSchemaFilename), null when it has none",
                "getTaskForm",
                ok(
                    obj(
                        {
                            "task": ref("Task"),
                            "schema": {"type": ["object", "null"]},
                            "ui_schema": {"type": ["object", "null"]},
                            "description": STR,
                            "version": {
                                **NINT,
                                "description": "The lead's or deal's version, for `version`",
                            },
                        },
                        ["task", "schema", "ui_schema", "description", "version"],
                    )
                )
                | errors(401, 403, 404),
                parameters=[path_id("task_id", "string")],
            )
        },
        # -- deal page API (diagram) --
        "/deals/{deal_id}/diagram": {
            "get": op(
                "The deal's process diagram (BPMN XML) with the element ids to mark: where the "
                "deal is now (ready tasks, waiting events, its stage) and what it has completed",
                "dealDiagram",
                ok(
                    obj(
                        {
                            "deal_id": INT,
                            "version": INT,
                            "xml": {**STR, "description": "BPMN 2.0 XML of the deal's version"},
                            "current": {**STRS, "description": "Element ids where the deal is"},
                            "completed": {**STRS, "description": "Element ids completed so far"},
                        },
                        ["xml", "current", "completed"],
                    )
                )
                | errors(401, 403, 404),
                parameters=[path_id("deal_id")],
            )
        },
        # -- board and admin API --
        "/board": {
            "get": op(
                "The pipeline board: the process's stages as columns in board order, with the "
                "open deals you may see as cards, and counts of won and lost deals",
                "pipelineBoard",
                ok(
                    obj(
                        {
                            "process": STR,
                            "process_name": STR,
                            "enabled": BOOL,
                            "free_moves": BOOL,
                            "won": INT,
                            "lost": INT,
                            "owner": NSTR,
                            "team": NSTR,
                            "processes": array(obj({"key": STR, "name": STR})),
                            "owners": STRS,
                            "teams": STRS,
                            "can_configure": BOOL,
                            "can_edit_stages": {
                                **BOOL,
                                "description": "Whether the user may add and delete stages",
                            },
                            "columns": array(
                                obj(
                                    {
                                        "key": STR,
                                        "name": {**STR, "description": "The diagram's name"},
                                        "label": {**STR, "description": "The name shown"},
                                        "position": INT,
                                        "win_rate": NUM,
                                        "phase": {"enum": ["pre_sale", "post_sale"]},
                                        "count": INT,
                                        "totals": {
                                            **OBJ,
                                            "description": "Total value by currency",
                                            "additionalProperties": {"type": "number"},
                                        },
                                        "in_use": {
                                            **NINT,
                                            "description": "Deals of any status at this stage "
                                            "(managers and admins): such a stage cannot be removed",
                                        },
                                        "cards": array(
                                            obj(
                                                {
                                                    "id": INT,
                                                    "name": STR,
                                                    "customer": NSTR,
                                                    "value": {"type": "number"},
                                                    "currency": STR,
                                                    "probability": INT,
                                                    "owner": STR,
                                                    "days_in_stage": INT,
                                                    "version": INT,
                                                }
                                            )
                                        ),
                                    }
                                )
                            ),
                        }
                    )
                )
                | errors(400, 401, 404),
                parameters=[
                    query("process", STR, "Process key (default: the first enabled one)"),
                    query("owner", STR, "Only this user's deals"),
                    query("team", STR, "Only the deals of this manager and their reports"),
                ],
            )
        },
        "/board/columns/{stage}/label": {
            "post": op(
                "Show a stage's column under another label (managers and admins)",
                "renameBoardColumn",
                ok(obj({"stage": STR, "label": STR})) | errors(400, 401, 403, 404),
                parameters=[path_id("stage", "string")],
                requestBody=body(obj({"process": STR, "label": STR}, ["process", "label"])),
            )
        },
        "/board/order": {
            "post": op(
                "Order the board's columns: the stages named come first, in that order "
                "(managers and admins)",
                "reorderBoardColumns",
                ok(obj({"order": STRS})) | errors(400, 401, 403, 404),
                requestBody=body(obj({"process": STR, "order": STRS}, ["process", "order"])),
            )
        },
        "/processes/{key}/enable": {
            "post": op(
                "Enable a process: new leads and deals may start on it again (admin)",
                "enableProcess",
                ok(ref("ProcessAdmin")) | errors(401, 403, 404),
                parameters=[path_id("key", "string")],
            )
        },
        "/processes/{key}/disable": {
            "post": op(
                "Disable a process: no new leads or deals start on it; running ones go on (admin)",
                "disableProcess",
                ok(ref("ProcessAdmin")) | errors(401, 403, 404),
                parameters=[path_id("key", "string")],
            )
        },
        "/processes/{key}/stages": {
            "post": op(
                "Add a stage after another (admin): the changed diagram is a new version",
                "addStage",
                ok(ref("StageChange"), "Added", "201") | errors(400, 401, 403, 404, 409),
                parameters=[path_id("key", "string")],
                requestBody=body(
                    obj(
                        {
                            "after": {**STR, "description": "The key of the stage it follows"},
                            "name": STR,
                            "key": {**NSTR, "description": "Made from the name if missing"},
                            "win_rate": {**NUM, "description": "Halfway between neighbours"},
                            "description": NSTR,
                            "activity": {**NSTR, "description": "Its first activity's name"},
                        },
                        ["after", "name"],
                    )
                ),
            )
        },
        "/processes/{key}/stages/{stage}": {
            "delete": op(
                "Delete a stage no deal is at (admin): a new version without it; "
                "409 with the count while deals (open or closed) are at it",
                "deleteStage",
                ok(ref("StageChange")) | errors(400, 401, 403, 404, 409),
                parameters=[path_id("key", "string"), path_id("stage", "string")],
            )
        },
        "/processes/{key}/departments": {
            "put": op(
                "Set the departments a process applies to (existing ones; [] for all) (admin)",
                "setProcessDepartments",
                ok(ref("ProcessAdmin")) | errors(400, 401, 403, 404),
                parameters=[path_id("key", "string")],
                requestBody=body(obj({"departments": STRS}, ["departments"])),
            )
        },
    }


def _paths() -> dict[str, Any]:
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": obj(
                    {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}}
                )
            },
            "application/xml": {"schema": STR},
        },
    }
    return {
        "/": {
            "get": op(
                "Where the API and its description are",
                "apiIndex",
                ok(obj({"name": STR, "api": STR, "openapi": STR})),
                security=[],
            )
        },
        "/openapi.json": {
            "get": op("This document", "openapi", ok({"type": "object"}), security=[])
        },
        "/me": {
            "get": op(
                "The user the token belongs to",
                "me",
                ok(obj({"id": INT, "username": STR, "role": STR})) | errors(401),
            )
        },
        "/processes": {
            "get": op(
                "List deployed processes", "listProcesses", ok(array("Process")) | errors(401)
            ),
            "post": op(
                "Deploy diagrams (admin); a changed diagram becomes a new version",
                "deployProcess",
                ok(array("DeployResult"), "Deployed", "201") | errors(400, 401, 403),
                requestBody=upload,
                parameters=[
                    query(
                        "disable_previous",
                        BOOL,
                        "Switch older versions off for new deals; running deals stay on them",
                    )
                ],
            ),
        },
        "/processes/lint": {
            "post": op(
                "Lint diagrams",
                "lintDiagrams",
                ok(
                    obj(
                        {
                            "ok": BOOL,
                            "problems": array("Problem"),
                            "errors": INT,
                            "warnings": INT,
                        }
                    )
                )
                | errors(400, 401),
                requestBody=upload,
            )
        },
        # /processes/{key} (GET, PATCH, DELETE) is in openapi_library.py
        **_lead_paths(),
        **_deal_paths(),
        **_work_paths(),
        **openapi_time.paths(),
        **openapi_delivery.paths(),
        **openapi_analytics.paths(),
        **openapi_library.paths(),
        **openapi_drafts.paths(),
        **openapi_migrations.paths(),
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
            "schemas": SCHEMAS
            | openapi_time.SCHEMAS
            | openapi_delivery.SCHEMAS
            | openapi_analytics.SCHEMAS
            | openapi_library.SCHEMAS
            | openapi_drafts.SCHEMAS
            | openapi_migrations.SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
