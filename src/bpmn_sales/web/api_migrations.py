"""API routes for migrating running deals (issue 6), on the API blueprint."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from bpmn_sales.services.processes import migration
from bpmn_sales.web.api import actor, authenticated, body, bp, ctx

__all__ = ["bp"]


@bp.get("/processes/<key>/migration")
@authenticated
def preview_migration(key: str) -> Any:
    shown = migration.preview(ctx(), actor(), key, request.args.get("from"), request.args.get("to"))
    return jsonify(shown.to_dict())


@bp.post("/processes/<key>/migration")
@authenticated
def apply_migration_batch(key: str) -> Any:
    data = body()
    result = migration.apply_batch(
        ctx(),
        actor(),
        key,
        data.get("from"),
        data.get("to"),
        data.get("batch", 50),
        data.get("run"),
    )
    return jsonify(result.to_dict())


@bp.get("/processes/<key>/migration/runs")
@authenticated
def migration_runs(key: str) -> Any:
    return jsonify([r.to_dict() for r in migration.runs(ctx(), actor(), key)])
