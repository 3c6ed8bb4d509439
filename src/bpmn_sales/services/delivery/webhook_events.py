"""Deal events for webhooks: one outbox row per subscribed webhook, in the change's transaction.

Every deal history entry is an event named `deal.<action>` (deal.created, deal.moved,
deal.task_completed, deal.closed, deal.updated, ...). A webhook subscribes to event names,
`deal.*` or `*`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bpmn_sales.persistence.models import OutboxMessage, Webhook
from bpmn_sales.persistence.queries.delivery import DeliveryQueries, NewHistory, on_new_history

EVENT_NAME = re.compile(r"^(\*|ping|deal\.\*|deal\.[a-z][a-z0-9_]{0,48})$")
DEFAULT_EVENTS = ("deal.*",)


def matches(subscribed: list[str], event: str) -> bool:
    return any(
        name in ("*", event) or (name.endswith(".*") and event.startswith(name[:-1]))
        for name in subscribed
    )


def deal_event(queries: DeliveryQueries, entry: NewHistory) -> dict[str, Any]:
    """The JSON an integration receives for one history entry (the delivery adds its id)."""
    deal, owner, actor = queries.deal_and_people(entry.subject_id, entry.actor_id)
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {}
    return {
        "event": f"deal.{entry.action}",
        "occurred_at": entry.at.isoformat(),
        "actor": actor,
        "deal": {
            "id": deal.id,
            "name": deal.name,
            "customer": deal.customer,
            "status": deal.status,
            "stage": deal.stage_key,
            "stage_name": deal.stage_name,
            "value": str(deal.value),
            "currency": deal.currency,
            "probability": deal.probability,
            "owner": owner,
        },
        "change": {
            "from_stage": entry.from_stage,
            "to_stage": entry.to_stage,
            "from_status": entry.from_status,
            "to_status": entry.to_status,
            "detail": detail,
        },
    }


def outbox_row(hook: Webhook, event: str, data: dict[str, Any], at: Any) -> OutboxMessage:
    return OutboxMessage(
        channel="webhook",
        recipient=hook.url,
        webhook_id=hook.id,
        user_id=None,
        subject=event,
        body=json.dumps(data, sort_keys=True, default=str),
        payload={"event": event, "deal_id": data.get("deal", {}).get("id")},
        status="pending",
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )


def enqueue_deal_events(queries: DeliveryQueries, entries: list[NewHistory]) -> None:
    """The history hook: queue one message per (deal entry, webhook subscribed to it)."""
    deal_entries = [e for e in entries if e.subject_type == "deal"]
    if not deal_entries or not queries.any_webhook_enabled():
        return
    hooks = queries.webhooks(enabled_only=True)
    if not hooks:
        return
    for entry in deal_entries:
        event = f"deal.{entry.action}"
        subscribed = [h for h in hooks if matches(list(h.events or ()), event)]
        if subscribed:
            data = deal_event(queries, entry)
            for hook in subscribed:
                queries.add(outbox_row(hook, event, data, entry.at))


on_new_history(enqueue_deal_events)
