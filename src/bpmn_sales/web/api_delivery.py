"""JSON API routes for the outbox and webhooks (issue 7). GET /outbox is in api.py."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn_sales.services.delivery import outbox, webhooks
from bpmn_sales.web.api import actor, authenticated, body, bp, created, ctx

__all__ = ["bp"]


@bp.get("/outbox/<int:message_id>")
@authenticated
def get_outbox_message(message_id: int) -> Any:
    return jsonify(outbox.get_message(ctx(), actor(), message_id))


@bp.post("/outbox/<int:message_id>/retry")
@authenticated
def retry_outbox_message(message_id: int) -> Any:
    return jsonify(outbox.retry_message(ctx(), actor(), message_id))


@bp.post("/outbox/retry-failed")
@authenticated
def retry_failed_outbox() -> Any:
    return jsonify(retried=outbox.retry_failed(ctx(), actor()))


@bp.get("/webhooks")
@authenticated
def list_webhooks() -> Any:
    return jsonify([w.to_dict() for w in webhooks.list_webhooks(ctx(), actor())])


@bp.post("/webhooks")
@authenticated
def add_webhook() -> Any:
    data = body()
    view, secret = webhooks.add_webhook(
        ctx(),
        actor(),
        data.get("url"),
        data.get("events"),
        data.get("secret"),
        data.get("description"),
        data.get("enabled", True),
    )
    return created({**view.to_dict(), "secret": secret}, f"/api/v1/webhooks/{view.id}")


@bp.patch("/webhooks/<int:webhook_id>")
@authenticated
def update_webhook(webhook_id: int) -> Any:
    data = body()
    view = webhooks.update_webhook(
        ctx(),
        actor(),
        webhook_id,
        data.get("url"),
        data.get("events"),
        data.get("enabled"),
        data.get("description"),
    )
    return jsonify(view.to_dict())


@bp.delete("/webhooks/<int:webhook_id>")
@authenticated
def remove_webhook(webhook_id: int) -> Any:
    return jsonify(failed=webhooks.remove_webhook(ctx(), actor(), webhook_id))


@bp.post("/webhooks/<int:webhook_id>/test")
@authenticated
def ping_webhook(webhook_id: int) -> Any:
    return jsonify(webhooks.ping_webhook(ctx(), actor(), webhook_id))
