"""Timers and messages over HTTP: what a lead or deal waits for, a message delivered to one."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.deals import messages
from bpmn_sales.services.worker import timers
from bpmn_sales.web.api.base import actor, ctx, expected_version
from bpmn_sales.web.api.operation import get, post
from bpmn_sales.web.schemas.deals import Deal, DealMessage
from bpmn_sales.web.schemas.history import Timer


@post(
    "/deals/<id:deal_id>/messages",
    body=DealMessage,
    responses={200: Deal},
    errors=(403, 409, 422),
)
def send_deal_message(deal_id: int, body: DealMessage) -> Any:
    """Deliver a named BPMN message (e.g. quote_generated) with a payload to a deal.

    The diagram decides what it does. An unknown message is a 400 and one the deal is not
    waiting for a 409, both naming the messages it waits for.
    """
    version = expected_version(body.version)
    view = messages.send_message(ctx(), actor(), deal_id, body.name, body.payload, version)
    return view.to_dict()


@get("/deals/<id:deal_id>/timers", responses={200: list[Timer]}, errors=(403,))
def list_deal_timers(deal_id: int) -> Any:
    """The timers the deal waits for (reminders, escalations, timeouts), earliest first."""
    return [t.to_dict() for t in timers.waiting_timers(ctx(), actor(), "deal", deal_id)]


@get("/leads/<id:lead_id>/timers", responses={200: list[Timer]}, errors=(403,))
def list_lead_timers(lead_id: int) -> Any:
    """The timers the lead waits for (e.g. automatic renewal), earliest first."""
    return [t.to_dict() for t in timers.waiting_timers(ctx(), actor(), "lead", lead_id)]
