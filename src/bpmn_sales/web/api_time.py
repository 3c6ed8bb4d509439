"""JSON API routes for timers and messages to deals (issue 7)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn_sales.services.deals import messages
from bpmn_sales.services.worker import timers
from bpmn_sales.web.api import actor, authenticated, body, bp, ctx, expected_version


@bp.post("/deals/<int:deal_id>/messages")
@authenticated
def send_deal_message(deal_id: int) -> Any:
    data = body()
    view = messages.send_message(
        ctx(), actor(), deal_id, data.get("name"), data.get("payload"), expected_version(data)
    )
    return jsonify(view.to_dict())


@bp.get("/deals/<int:deal_id>/timers")
@authenticated
def deal_timers(deal_id: int) -> Any:
    shown = timers.waiting_timers(ctx(), actor(), "deal", deal_id)
    return jsonify([t.to_dict() for t in shown])


@bp.get("/leads/<int:lead_id>/timers")
@authenticated
def lead_timers(lead_id: int) -> Any:
    shown = timers.waiting_timers(ctx(), actor(), "lead", lead_id)
    return jsonify([t.to_dict() for t in shown])


__all__ = ["bp"]
