"""OpenAPI paths and schemas for migrating running deals (issue 6)."""

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
    query,
    ref,
)

ROW = {
    "deal_id": INT,
    "name": STR,
    "owner": NSTR,
    "from_version": INT,
    "stage": NSTR,
    "stage_name": NSTR,
    "tasks": {**STRS, "description": "The activities ready now"},
    "to_stage": NSTR,
    "to_stage_name": NSTR,
    "to_tasks": {**STRS, "description": "The activities ready after the move"},
    "movable": BOOL,
    "reasons": {**STRS, "description": "Why the deal cannot move (empty when it can)"},
}
PROGRESS = {
    "run": INT,
    "process": STR,
    "from": {**NINT, "description": "The one version moved from; null: every older one"},
    "to": INT,
    "moved": INT,
    "refused": INT,
    "remaining": {**INT, "description": "Open deals still on the older versions, not refused"},
    "total": INT,
    "percent": INT,
    "finished": BOOL,
    "refused_deals": array(
        obj({"deal_id": INT, "name": STR, "reasons": STRS}, ["deal_id", "name", "reasons"])
    ),
}
RUN = {
    "run_id": INT,
    "from_version": NINT,
    "to_version": INT,
    "started_by": NSTR,
    "started_at": TIME,
    "finished_at": NTIME,
    "moved": INT,
    "refused": INT,
    "remaining": INT,
}
PREVIEW = {
    "process": STR,
    "name": STR,
    "from": NINT,
    "to": INT,
    "movable": INT,
    "refused": INT,
    "closed": {**INT, "description": "Closed deals on those versions: they keep their version"},
    "deals": array("MigrationRow"),
    "versions": array(
        obj({"version": INT, "enabled": BOOL, "open_deals": INT}, ["version", "enabled"])
    ),
}

SCHEMAS: dict[str, Any] = {
    "MigrationRow": obj(ROW, list(ROW)),
    "MigrationPreview": obj(PREVIEW, list(PREVIEW)),
    "MigrationProgress": obj(PROGRESS, list(PROGRESS)),
    "MigrationRun": obj(RUN, list(RUN)),
}


def paths() -> dict[str, Any]:
    key = [path_id("key", "string")]
    versions = [
        query("from", INT, "Only deals on this older version (default: every older one)"),
        query("to", INT, "The version deals move to (default: the newest enabled one)"),
    ]
    return {
        "/processes/{key}/migration": {
            "get": op(
                "Preview moving the open deals to a newer version: where each lands, or why "
                "it cannot move (admin)",
                "previewMigration",
                ok(ref("MigrationPreview")) | errors(400, 401, 403, 404),
                parameters=key + versions,
            ),
            "post": op(
                "Move the next batch of open deals, each in its own transaction; send `run` "
                "to go on with a run (admin)",
                "applyMigrationBatch",
                ok(ref("MigrationProgress")) | errors(400, 401, 403, 404),
                parameters=key,
                requestBody=body(
                    obj(
                        {
                            "from": NINT,
                            "to": NINT,
                            "batch": {**INT, "minimum": 1, "maximum": 500, "default": 50},
                            "run": NINT,
                        }
                    ),
                    required=False,
                ),
            ),
        },
        "/processes/{key}/migration/runs": {
            "get": op(
                "A process's migration runs, newest first (admin)",
                "listMigrationRuns",
                ok(array("MigrationRun")) | errors(401, 403, 404),
                parameters=key,
            )
        },
    }
