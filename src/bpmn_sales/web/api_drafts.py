"""API routes for modeler drafts (issue 6), on the API blueprint."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn_sales.errors import InvalidInput
from bpmn_sales.services.processes import drafts
from bpmn_sales.web.api import actor, authenticated, body, bp, ctx, query_int

__all__ = ["bp"]


def _optional_version(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"{name} must be a version number", field=name)
    return value


@bp.get("/processes/<key>/draft")
@authenticated
def get_draft(key: str) -> Any:
    version = query_int("version", 0) or None
    return jsonify(drafts.open_draft(ctx(), actor(), key, version).to_dict())


@bp.put("/processes/<key>/draft")
@authenticated
def save_draft(key: str) -> Any:
    data = body()
    view = drafts.save_draft(
        ctx(),
        actor(),
        key,
        data.get("xml"),
        data.get("base_revision"),
        _optional_version(data, "based_on"),
    )
    return jsonify(view.to_dict())


@bp.delete("/processes/<key>/draft")
@authenticated
def discard_draft(key: str) -> Any:
    drafts.discard_draft(ctx(), actor(), key)
    return "", 204


@bp.post("/processes/<key>/draft/lint")
@authenticated
def lint_draft(key: str) -> Any:
    problems = drafts.lint_draft(ctx(), actor(), key, body().get("xml"))
    return jsonify(problems=[p.to_dict() for p in problems])


@bp.post("/processes/<key>/draft/deploy")
@authenticated
def deploy_draft(key: str) -> Any:
    data = body()
    deployed = drafts.deploy_draft(
        ctx(),
        actor(),
        key,
        data.get("mode", "new_version"),
        data.get("disable_previous", False),
        data.get("base_revision"),
    )
    return jsonify(deployed.to_dict())
