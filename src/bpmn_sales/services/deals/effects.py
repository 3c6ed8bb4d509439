"""What the service tasks a timer or a message ran ask for: notices to the people named."""

from __future__ import annotations

import logging

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.engine.running.timers import ServiceCall
from bpmn_sales.i18n import formats
from bpmn_sales.persistence.models import Deal
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common
from bpmn_sales.services.delivery import notices, texts
from bpmn_sales.services.people.preferences import company_preferences

log = logging.getLogger("bpmn_sales.worker")

# History entries of timer-driven steps name no person (actor_id NULL); the use cases only
# read the actor's id for those entries.
WORKER = Actor(id=None, username="worker", role=Role.ADMIN)  # type: ignore[arg-type]


def send_notices(
    ctx: Context, store: Store, subject: common.Subject, calls: list[ServiceCall]
) -> int:
    """Send the notices `notify` service tasks asked for; return how many people were told."""
    told = 0
    zone: str | None = None
    for call in calls:
        if call.operation != "notify" or not isinstance(call.result, dict):
            continue
        if not isinstance(subject, Deal):
            log.warning(
                "notice from %s on lead %s skipped: notices name deals", call.element_id, subject.id
            )
            continue
        kind = str(call.result.get("kind") or "notice")
        # The day the deal entered its stage in the company's calendar, not UTC's.
        zone = zone or company_preferences(ctx).time_zone
        entered = subject.stage_entered_at
        since = formats.in_zone(entered, zone).date().isoformat() if entered else None
        subject_line, phrase = texts.notice(
            kind, subject.name, subject.id, subject.stage_name, since
        )
        given = call.result.get("text")
        text: texts.Phrase | str = str(given) if given else phrase
        directory = common.StoreDirectory(store, common.owner_of(store, subject), subject)
        parties = [str(p) for p in call.result.get("notify") or []]
        told += len(
            notices.notify(ctx, store, parties, directory, subject, kind, subject_line, text)
        )
    return told
