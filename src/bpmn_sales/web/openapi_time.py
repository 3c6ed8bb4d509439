"""OpenAPI paths and schemas for timers and messages to deals (issue 7)."""

from __future__ import annotations

from typing import Any

from bpmn_sales.web.openapi_parts import (
    OBJ,
    STR,
    TIME,
    VERSIONED,
    array,
    body,
    errors,
    obj,
    ok,
    op,
    path_id,
    ref,
)

SCHEMAS: dict[str, Any] = {
    "Timer": obj(
        {
            "element_id": {**STR, "description": "The timer event in the diagram"},
            "name": {**STR, "description": "Its label, e.g. 'Reminder after 7d'"},
            "due_at": {**TIME, "description": "When the worker fires it (UTC)"},
        },
        ["element_id", "name", "due_at"],
    ),
}


def paths() -> dict[str, Any]:
    deal_id = [path_id("deal_id")]
    lead_id = [path_id("lead_id")]
    return {
        "/deals/{deal_id}/messages": {
            "post": op(
                "Deliver a named BPMN message (e.g. quote_generated) with a payload to a deal; "
                "the diagram decides what it does. An unknown message is a 400 and one the deal "
                "is not waiting for a 409, both naming the messages it waits for",
                "sendDealMessage",
                ok(ref("Deal")) | errors(400, 401, 403, 404, 409, 422),
                parameters=deal_id,
                requestBody=body(
                    obj(
                        {
                            "name": {**STR, "description": "The BPMN message name"},
                            "payload": {**OBJ, "description": "Stored in the event's variable"},
                            **VERSIONED,
                        },
                        ["name"],
                    )
                ),
            )
        },
        "/deals/{deal_id}/timers": {
            "get": op(
                "The timers the deal waits for (reminders, escalations, timeouts), earliest first",
                "listDealTimers",
                ok(array("Timer")) | errors(401, 403, 404),
                parameters=deal_id,
            )
        },
        "/leads/{lead_id}/timers": {
            "get": op(
                "The timers the lead waits for (e.g. automatic renewal), earliest first",
                "listLeadTimers",
                ok(array("Timer")) | errors(401, 403, 404),
                parameters=lead_id,
            )
        },
    }
