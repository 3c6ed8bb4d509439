"""OpenAPI paths and schemas for the outbox and webhooks (issue 7).

GET /outbox is documented in openapi.py; the OutboxMessage schema here (merged after that
module's) describes the fields services/delivery/outbox.py gives every message.
"""

from __future__ import annotations

from typing import Any

from bpmn_sales.web.openapi_parts import (
    BOOL,
    INT,
    NINT,
    NSTR,
    NTIME,
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
    ref,
)

OUTBOX_STATUS = {"enum": ["pending", "sending", "sent", "failed"]}
MESSAGE = {
    "id": INT,
    "channel": {"enum": ["mail", "webhook"]},
    "recipient": {"type": "string", "description": "An address, or the webhook's URL"},
    "subject": {"type": "string", "description": "The mail subject, or the webhook event"},
    "status": OUTBOX_STATUS,
    "attempts": INT,
    "created_at": TIME,
    "next_attempt_at": {**NTIME, "description": "When a pending message is tried next"},
    "lease_until": {**NTIME, "description": "Until when a worker holds a sending message"},
    "sent_at": NTIME,
    "last_error": NSTR,
    "webhook_id": NINT,
}
EVENTS = {
    **STRS,
    "description": "Event names: deal.<action> (deal.created, deal.moved, deal.closed, ...), "
    "deal.* or *. Default: deal.*",
}

SCHEMAS: dict[str, Any] = {
    "OutboxMessage": obj(MESSAGE, list(MESSAGE)),
    "OutboxMessageDetail": obj({**MESSAGE, "body": STR}, [*MESSAGE, "body"]),
    "Webhook": obj(
        {
            "id": INT,
            "url": STR,
            "events": STRS,
            "enabled": BOOL,
            "description": NSTR,
            "secret_hint": {"type": "string", "description": "The secret's last characters"},
            "created_at": TIME,
            "created_by": NSTR,
        },
        ["id", "url", "events", "enabled", "secret_hint", "created_at"],
    ),
}

WEBHOOK_ID = [path_id("webhook_id")]


def paths() -> dict[str, Any]:
    message_id = [path_id("message_id")]
    return {
        "/outbox/{message_id}": {
            "get": op(
                "One outbox message with its body (admin)",
                "getOutboxMessage",
                ok(ref("OutboxMessageDetail")) | errors(401, 403, 404),
                parameters=message_id,
            )
        },
        "/outbox/{message_id}/retry": {
            "post": op(
                "Put a failed message back in line, due now, attempts reset (admin)",
                "retryOutboxMessage",
                ok(ref("OutboxMessage")) | errors(401, 403, 404, 409),
                parameters=message_id,
            )
        },
        "/outbox/retry-failed": {
            "post": op(
                "Put every failed message back in line (admin)",
                "retryFailedOutbox",
                ok(obj({"retried": INT}, ["retried"])) | errors(401, 403),
            )
        },
        "/webhooks": {
            "get": op(
                "Webhooks and the events they receive (admin)",
                "listWebhooks",
                ok(array("Webhook")) | errors(401, 403),
            ),
            "post": op(
                "Add a webhook; the answer carries its signing secret (generated unless given)",
                "addWebhook",
                ok(
                    {"allOf": [ref("Webhook"), obj({"secret": STR}, ["secret"])]},
                    "Created",
                    "201",
                )
                | errors(400, 401, 403),
                requestBody=body(
                    obj(
                        {
                            "url": {"type": "string", "description": "An http(s) URL"},
                            "events": EVENTS,
                            "secret": {"type": "string", "minLength": 16},
                            "description": STR,
                            "enabled": BOOL,
                        },
                        ["url"],
                    )
                ),
            ),
        },
        "/webhooks/{webhook_id}": {
            "patch": op(
                "Change a webhook's URL, events, description or enabled (admin)",
                "updateWebhook",
                ok(ref("Webhook")) | errors(400, 401, 403, 404),
                parameters=WEBHOOK_ID,
                requestBody=body(
                    obj({"url": STR, "events": EVENTS, "description": STR, "enabled": BOOL})
                ),
            ),
            "delete": op(
                "Remove a webhook; its pending messages fail, saying so (admin)",
                "removeWebhook",
                ok(obj({"failed": INT}, ["failed"])) | errors(401, 403, 404),
                parameters=WEBHOOK_ID,
            ),
        },
        "/webhooks/{webhook_id}/test": {
            "post": op(
                "Post a signed ping event to the webhook now and report the answer (admin)",
                "testWebhook",
                ok(obj({"ok": BOOL, "status": NINT, "error": NSTR}, ["ok", "status", "error"]))
                | errors(401, 403, 404),
                parameters=WEBHOOK_ID,
            )
        },
    }
