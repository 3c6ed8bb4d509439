"""Fire due BPMN timers: one transaction per lead or deal, so nothing is lost or done twice.

The worker finds due rows in the `timers` table (a range scan on `due_at <= ctx.clock()`),
then for each lead or deal: locks its due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
another worker skips them), restores the instance, lets SpiffWorkflow fire what is due by its
own clock, stores the state with every projection (timers included), writes the history and
the notices the diagram asks for, and commits. A crash before the commit leaves everything
as it was; after it, the fired timers' rows are gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.engine.running import timers as engine_timers
from bpmn_sales.errors import SalesError, StorageUnavailable
from bpmn_sales.persistence.models import Deal, Lead
from bpmn_sales.persistence.store import Store
from bpmn_sales.services import common, leads
from bpmn_sales.services.deals import steps
from bpmn_sales.services.deals.effects import WORKER, send_notices

log = logging.getLogger("bpmn_sales.worker")


@dataclass(frozen=True)
class TimerView:
    """A timer a lead or deal waits for."""

    element_id: str
    name: str
    due_at: datetime

    def to_dict(self) -> dict[str, str]:
        return {"element_id": self.element_id, "name": self.name, "due_at": self.due_at.isoformat()}


@dataclass(frozen=True)
class Fired:
    """What one lead's or deal's firing did."""

    subject_type: str
    subject_id: int
    timers: list[str] = field(default_factory=list)  # element ids of the timers that fired
    notified: int = 0


def fire_due(
    ctx: Context, limit: int = 100, stop: Callable[[], bool] = lambda: False
) -> list[Fired]:
    """Fire the timers due at `ctx.clock()`, up to `limit` leads and deals; stop early on ask."""
    now = ctx.clock()
    with ctx.uow() as store:
        due = store.due_subjects(now, limit)
    fired = []
    for kind, subject_id in due:
        if stop():
            break
        try:
            result = fire_subject(ctx, kind, subject_id, now)
        except StorageUnavailable:
            raise
        except SalesError as exc:  # one bad deal must not stop the others; retried next pass
            log.warning("%s %s: timer not fired: %s", kind, subject_id, exc.message)
            continue
        if result is not None:
            fired.append(result)
    return fired


def _subject(store: Store, kind: str, subject_id: int) -> common.Subject:
    if kind == "lead":
        return store.get(Lead, subject_id, "lead")
    return store.get(Deal, subject_id, "deal")


def fire_subject(ctx: Context, kind: str, subject_id: int, now: datetime) -> Fired | None:
    """Fire one lead's or deal's due timers in one transaction; None if another worker has
    them, or if SpiffWorkflow's clock does not see them due yet."""
    with ctx.uow() as store:
        claimed = store.claim_due_timers(kind, subject_id, now)
        if not claimed:
            return None
        subject = _subject(store, kind, subject_id)
        instance = common.restore(ctx, store, subject)
        calls = engine_timers.fire_due(instance)
        waiting = {t.task_id for t in engine_timers.waiting_timers(instance)}
        fired = [t.element_id for t in claimed if t.task_id not in waiting]
        if not fired:
            log.debug("%s %s: timers due by the clock but not yet by Spiff's", kind, subject_id)
            return None
        detail = {"timers": fired}
        if isinstance(subject, Deal):
            steps.apply_step(ctx, store, subject, instance, WORKER, "timer_fired", detail)
        else:
            leads.apply_step(ctx, store, WORKER, subject, instance, "timer_fired", detail)
        notified = send_notices(ctx, store, subject, calls)
        store.commit()
    log.info("%s %s: fired %s; notified %d", kind, subject_id, ", ".join(fired), notified)
    return Fired(kind, subject_id, fired, notified)


def waiting_timers(ctx: Context, actor: Actor, kind: str, subject_id: int) -> list[TimerView]:
    """The timers a lead or deal waits for, earliest first (e.g. "reminder due on ...")."""
    with ctx.uow() as store:
        subject = _subject(store, kind, subject_id)
        common.require_subject_access(store, actor, subject)
        return [
            TimerView(t.element_id, t.name, t.due_at) for t in store.timers_for(kind, subject_id)
        ]
