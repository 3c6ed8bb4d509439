"""Delivery over HTTP: the outbox (admin) and webhooks."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.delivery import notices, outbox, webhooks
from bpmn_sales.web.api.base import actor, ctx, respond_created
from bpmn_sales.web.api.operation import created, delete, get, patch, post
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.delivery import (
    NewWebhook,
    OutboxMessage,
    OutboxMessageDetail,
    OutboxQuery,
    Ping,
    Retried,
    Webhook,
    WebhookAdded,
    WebhookChanges,
    WebhookRemoved,
)


@get("/outbox", query=OutboxQuery, responses={200: page_of(list[OutboxMessage])}, errors=(403,))
def list_outbox(query: OutboxQuery) -> Any:
    """Mail and webhook deliveries waiting, sent or failed, newest first (admin).

    A page at a time; paging headers as for deals.
    """
    return paged(notices.list_outbox(ctx(), actor(), query.status, query.limit, query.cursor))


@get("/outbox/<id:message_id>", responses={200: OutboxMessageDetail}, errors=(403,))
def get_outbox_message(message_id: int) -> Any:
    """One outbox message with its body (admin)."""
    return outbox.get_message(ctx(), actor(), message_id)


@post("/outbox/<id:message_id>/retry", responses={200: OutboxMessage}, errors=(403, 409))
def retry_outbox_message(message_id: int) -> Any:
    """Put a failed message back in line, due now, attempts reset (admin)."""
    return outbox.retry_message(ctx(), actor(), message_id)


@post("/outbox/retry-failed", responses={200: Retried}, errors=(403,))
def retry_failed_outbox() -> Any:
    """Put every failed message back in line (admin)."""
    return {"retried": outbox.retry_failed(ctx(), actor())}


@get("/webhooks", responses={200: list[Webhook]}, errors=(403,))
def list_webhooks() -> Any:
    """Webhooks and the events they receive (admin)."""
    return [w.to_dict() for w in webhooks.list_webhooks(ctx(), actor())]


@post("/webhooks", body=NewWebhook, responses={201: created(WebhookAdded)}, errors=(403,))
def add_webhook(body: NewWebhook) -> Any:
    """Add a webhook; the answer carries its signing secret (generated unless given)."""
    view, secret = webhooks.add_webhook(
        ctx(), actor(), body.url, body.events, body.secret, body.description, body.enabled
    )
    return respond_created({**view.to_dict(), "secret": secret}, f"/api/v1/webhooks/{view.id}")


@patch(
    "/webhooks/<id:webhook_id>",
    body=WebhookChanges,
    responses={200: Webhook},
    errors=(403,),
)
def update_webhook(webhook_id: int, body: WebhookChanges) -> Any:
    """Change a webhook's URL, events, description or enabled (admin)."""
    view = webhooks.update_webhook(
        ctx(), actor(), webhook_id, body.url, body.events, body.enabled, body.description
    )
    return view.to_dict()


@delete("/webhooks/<id:webhook_id>", responses={200: WebhookRemoved}, errors=(403,))
def remove_webhook(webhook_id: int) -> Any:
    """Remove a webhook; its pending messages fail, saying so (admin)."""
    return {"failed": webhooks.remove_webhook(ctx(), actor(), webhook_id)}


@post("/webhooks/<id:webhook_id>/test", responses={200: Ping}, errors=(403,))
def test_webhook(webhook_id: int) -> Any:
    """Post a signed ping event to the webhook now and report the answer (admin)."""
    return webhooks.ping_webhook(ctx(), actor(), webhook_id)
