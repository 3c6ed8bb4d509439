"""OpenAPI paths and schemas for modeler drafts (issue 6)."""

from __future__ import annotations

from typing import Any

from bpmn_sales.web.openapi_parts import (
    BOOL,
    INT,
    NINT,
    NSTR,
    NTIME,
    STR,
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

REVISION = {
    **NSTR,
    "description": "The draft revision the editor started from (null: it opened a version and "
    "there was no draft). A save or deploy based on an older revision is refused with 409.",
}

SCHEMAS: dict[str, Any] = {
    "Draft": obj(
        {
            "key": STR,
            "name": STR,
            "filename": STR,
            "xml": {**NSTR, "description": "The BPMN XML (the draft's, or the version's)"},
            "source": {"enum": ["draft", "version"]},
            "version": {**NINT, "description": "The version shown, or the draft's base version"},
            "latest_version": INT,
            "revision": {**NSTR, "description": "The stored draft's revision (null: no draft)"},
            "updated_by": NSTR,
            "updated_at": NTIME,
            "problems": array("Problem"),
        },
        ["key", "source", "revision", "problems"],
    ),
    "DraftDeployed": obj(
        {
            "key": STR,
            "name": STR,
            "version": INT,
            "created": BOOL,
            "previous": NINT,
            "disabled": {"type": "array", "items": INT},
            "redirect": {
                **NSTR,
                "description": "mode migrate: the migration preview page "
                "(/processes/{key}/migrate?from=<previous>&to=<new>)",
            },
        },
        ["key", "version", "created", "redirect"],
    ),
}


def paths() -> dict[str, Any]:
    key = [path_id("key", "string")]
    problems = obj({"problems": array("Problem")}, ["problems"])
    return {
        "/processes/{key}/draft": {
            "get": op(
                "The process's draft, or a version's diagram when there is none (admin)",
                "getDraft",
                ok(ref("Draft")) | errors(400, 401, 403, 404),
                parameters=[
                    *key,
                    query("version", INT, "Open this version's diagram, not the draft"),
                ],
            ),
            "put": op(
                "Save the draft (admin); no version or deal changes. Returns its lint problems",
                "saveDraft",
                ok(ref("Draft")) | errors(400, 401, 403, 404, 409),
                parameters=key,
                requestBody=body(
                    obj(
                        {
                            "xml": STR,
                            "base_revision": REVISION,
                            "based_on": {**NINT, "description": "The version a new draft edits"},
                        },
                        ["xml"],
                    )
                ),
            ),
            "delete": op(
                "Discard the draft (admin)",
                "discardDraft",
                {"204": {"description": "Discarded"}} | errors(401, 403, 404),
                parameters=key,
            ),
        },
        "/processes/{key}/draft/lint": {
            "post": op(
                "Lint the stored draft, or the XML sent (not stored)",
                "lintDraft",
                ok(problems) | errors(400, 401, 403, 404),
                parameters=key,
                requestBody=body(obj({"xml": STR}), required=False),
            )
        },
        "/processes/{key}/draft/deploy": {
            "post": op(
                "Deploy the draft like an upload and delete it (admin)",
                "deployDraft",
                ok(ref("DraftDeployed")) | errors(400, 401, 403, 404, 409),
                parameters=key,
                requestBody=body(
                    obj(
                        {
                            "mode": {"enum": ["new_version", "migrate"], "default": "new_version"},
                            "disable_previous": {
                                **BOOL,
                                "description": "new_version only: older versions start no deals",
                            },
                            "base_revision": REVISION,
                        }
                    ),
                    required=False,
                ),
            )
        },
    }
