"""Deliver a named BPMN message to a deal: outside actions (a quote tool, a mail system) move
deals, and the diagram decides what each message does (issue 7).

An interrupting message boundary event on a user task completes that activity (it counts as
done for weights and obligatory checks); a message catch event can equally start the next
stage. `deal_close` and `deal_move` are the product's own messages, sent by `close_deal` and
`move_deal`, which check their rules.
"""

from __future__ import annotations

import json
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.domain.model import MAX_NESTING, Actor, DealView, nesting, required_text
from bpmn_sales.engine.running import timers as engine_timers
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.persistence.models import Deal
from bpmn_sales.services import common
from bpmn_sales.services.deals import lifecycle, steps, views
from bpmn_sales.services.deals.effects import send_notices

RESERVED = (lifecycle.CLOSE_MESSAGE, lifecycle.MOVE_MESSAGE)
MAX_PAYLOAD = 16_000  # characters of JSON


def _payload(payload: object) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidInput(_("payload must be a JSON object"), field="payload")
    if nesting(payload) > MAX_NESTING:
        raise InvalidInput(
            _("payload nests lists and objects over %(most)s deep", most=MAX_NESTING),
            field="payload",
        )
    try:
        text = json.dumps(payload)
    except (TypeError, ValueError):
        raise InvalidInput(_("payload must be plain JSON"), field="payload") from None
    if len(text) > MAX_PAYLOAD:
        raise InvalidInput(
            _("payload is longer than %(most)s characters", most=MAX_PAYLOAD), field="payload"
        )
    return dict(payload)


def _reserved(message: str) -> str:
    """Why the product's own message `message` cannot be sent by hand."""
    if message == lifecycle.CLOSE_MESSAGE:
        return _("message '%(name)s' is the product's own: close the deal instead", name=message)
    return _("message '%(name)s' is the product's own: move the deal instead", name=message)


def send_message(
    ctx: Context,
    actor: Actor,
    deal_id: int,
    name: object,
    payload: object = None,
    expected_version: int | None = None,
) -> DealView:
    """Deliver message `name` with `payload` to a deal waiting for it, and run the diagram on."""
    message = required_text(name, "name", 100)
    data = _payload(payload)
    if message in RESERVED:
        raise InvalidInput(_reserved(message), field="name")
    with ctx.uow() as store:
        deal = store.get(Deal, deal_id, "deal")
        common.require_subject_access(store, actor, deal)
        common.check_version(deal, expected_version)
        instance = common.restore(ctx, store, deal)
        waiting = sorted(set(instance.waiting_messages()) - set(RESERVED))
        if message not in waiting:
            known = common.info_for(ctx, store, deal.process_version_id).messages
            listed = ", ".join(waiting) or _("none")
            if message not in known:
                raise InvalidInput(
                    _(
                        "message '%(name)s' is not one the deal's process knows; deal %(deal)s "
                        "waits for: %(waiting)s",
                        name=message,
                        deal=deal_id,
                        waiting=listed,
                    ),
                    field="name",
                    waiting=waiting,
                )
            raise InvalidState(
                _(
                    "deal %(deal)s is not waiting for message '%(name)s' now; it waits for: "
                    "%(waiting)s",
                    deal=deal_id,
                    name=message,
                    waiting=listed,
                ),
                waiting=waiting,
            )
        ended = engine_timers.activities_ended_by(instance, message)
        done = list(deal.activities_done or [])
        changes = {"activities_done": done + [e for e in ended if e not in done]}
        before = instance.running_stage()
        calls = engine_timers.collecting_calls(
            instance, lambda: instance.send_message(message, data)
        )
        detail = {"message": message, "payload": data, "completed": ended}
        steps.apply_step(ctx, store, deal, instance, actor, "message", detail, before, changes)
        send_notices(ctx, store, deal, calls)
        store.commit()
        return views.deal_view(ctx, store, deal)
