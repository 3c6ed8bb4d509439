"""OpenAPI paths and schemas for analytics reports and targets (issue 8)."""

from __future__ import annotations

from typing import Any

from bpmn_sales.web.openapi_parts import (
    BOOL,
    NSTR,
    NUM,
    OBJ,
    STR,
    array,
    body,
    errors,
    obj,
    ok,
    op,
    query,
    ref,
)

FILTERS = [
    query("process", STR, "Process key (default: sales_process)"),
    query("start", {"type": "string", "format": "date"}, "First day of the period"),
    query("end", {"type": "string", "format": "date"}, "Last day of the period (inclusive)"),
    query("owner", STR, "Only this user's deals"),
    query("team", STR, "Only this manager's team (the manager and their reports)"),
    query("department", STR, "Only the people of this department"),
]
PERIOD = query("period", STR, "targets: a month YYYY-MM or a quarter YYYY-Qn")
CURRENCY = query("currency", STR, "targets: 3-letter currency code (default USD)")
PART = obj(
    {"name": STR, "target": NUM, "people": NUM, "gap": NUM, "flagged": BOOL, "members": array(OBJ)}
)

SCHEMAS: dict[str, Any] = {
    "TargetDecomposition": obj(
        {
            "period": STR,
            "currency": STR,
            "company": NUM,
            "people": NUM,
            "departments_sum": NUM,
            "departments": array(PART),
            "teams": array(PART),
            "checks": array(obj({"check": STR, "sum": NUM, "gap": NUM, "flagged": BOOL})),
        }
    ),
    "TargetSet": obj({"period": STR, "scope": STR, "amount": NUM, "currency": STR}),
}


def paths() -> dict[str, Any]:
    return {
        "/analytics/{report}": {
            "get": op(
                "An analytics report for managers (their team) and admins (everyone): funnel, "
                "losses, time-in-stage, stuck, forecast or targets; `?format=csv` (or a "
                "`.csv` suffix) returns its table as a CSV attachment. Reps get 403.",
                "analyticsReport",
                {
                    "200": {
                        "description": "The report as JSON (shaped by its name), or CSV",
                        "content": {
                            "application/json": {"schema": OBJ},
                            "text/csv": {"schema": STR},
                        },
                    },
                    **errors(400, 401, 403),
                },
                parameters=[
                    {
                        "name": "report",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "enum": [
                                "funnel",
                                "losses",
                                "time-in-stage",
                                "stuck",
                                "forecast",
                                "targets",
                            ]
                        },
                    },
                    *FILTERS,
                    PERIOD,
                    CURRENCY,
                    query("format", {"enum": ["json", "csv"]}),
                ],
            )
        },
        "/targets": {
            "get": op(
                "The targets of a period in one currency, with the decomposition company = sum "
                "of departments = sum of people, and every gap flagged",
                "listTargets",
                {**ok(ref("TargetDecomposition")), **errors(400, 401, 403)},
                parameters=[{**PERIOD, "required": True}, CURRENCY],
            ),
            "put": op(
                "Set a target: admins for any scope; managers for their team and its people",
                "setTarget",
                {**ok(ref("TargetSet")), **errors(400, 401, 403)},
                requestBody=body(
                    obj(
                        {
                            "period": STR,
                            "scope": {
                                **STR,
                                "description": "company, department:<name>, team:<manager> or "
                                "user:<username>",
                            },
                            "amount": {"type": ["number", "string"]},
                            "currency": NSTR,
                        },
                        ["period", "scope", "amount"],
                    )
                ),
            ),
        },
    }
