"""JSON API routes for analytics reports and targets (issue 8)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from bpmn_sales.services.analytics import tables, targets
from bpmn_sales.services.analytics.scope import Filters
from bpmn_sales.web.api import actor, authenticated, body, bp, ctx

__all__ = ["bp"]


@bp.get("/analytics/<report>")
@authenticated
def analytics_report(report: str) -> Any:
    """A report as JSON, or its table as CSV with `?format=csv`."""
    name = report.removesuffix(".csv")
    filters = Filters.of(request.args)
    period, currency = request.args.get("period"), request.args.get("currency")
    if report.endswith(".csv") or request.args.get("format") == "csv":
        table = tables.table(ctx(), actor(), name, filters, period, currency)
        response = Response(table.csv(), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
        return response
    return jsonify(tables.report(ctx(), actor(), name, filters, period, currency))


@bp.get("/targets")
@authenticated
def list_targets() -> Any:
    shown = targets.decomposition(
        ctx(), actor(), request.args.get("period"), request.args.get("currency")
    )
    return jsonify(shown.to_dict())


@bp.put("/targets")
@authenticated
def put_target() -> Any:
    data = body()
    saved = targets.set_target(
        ctx(),
        actor(),
        data.get("period"),
        data.get("scope"),
        data.get("amount"),
        data.get("currency"),
    )
    return jsonify(saved)
