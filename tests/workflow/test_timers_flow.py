"""Timers of the real diagrams: reminders, escalations, delivery timeouts and lead renewal.

The product clock (the fake clock) and SpiffWorkflow's clock (time-machine) jump together.
With `roundtrip`, the in-memory instances are dropped before each firing, so the worker
restores every instance from its stored state.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.services import deals, leads
from bpmn_sales.services.delivery import notices
from bpmn_sales.services.people import users
from bpmn_sales.services.worker import timers
from tests.helpers import walk_to, walk_to_won
from tests.team import Team

pytestmark = pytest.mark.parametrize("roundtrip", [False, True], ids=["straight", "roundtrip"])


class Time:
    """Moves the product clock and SpiffWorkflow's clock to the same instant."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.traveller = time_machine.travel(clock.now, tick=False)
        self.machine = self.traveller.start()

    def jump(self, **delta: float) -> datetime:
        self.clock.advance(**delta)
        self.machine.move_to(self.clock.now)
        return self.clock.now


@pytest.fixture
def time(clock: Any) -> Iterator[Time]:
    moved = Time(clock)
    yield moved
    moved.traveller.stop()


def fire(ctx: Context, roundtrip: bool) -> list[timers.Fired]:
    if roundtrip:
        ctx.live.clear()
    return timers.fire_due(ctx)


def messages_of(ctx: Context, actor: Actor, kind: str | None = None) -> list[str]:
    listed = notices.list_notifications(ctx, actor).page
    return [n["message"] for n in listed if kind is None or n["kind"] == kind]


def due(ctx: Context, team: Team, kind: str, subject_id: int) -> dict[str, datetime]:
    return {
        t.element_id: t.due_at for t in timers.waiting_timers(ctx, team.admin, kind, subject_id)
    }


def test_reminder_then_escalation(ctx: Context, team: Team, time: Time, roundtrip: bool) -> None:
    start = time.clock.now
    deal = deals.create_deal(ctx, team.rob, "Acme roll-out", "Acme", 5000)
    assert due(ctx, team, "deal", deal.id) == {
        "Event_InitialVisitReminder": start + timedelta(days=7),
        "Event_InitialVisitEscalation": start + timedelta(days=10),
    }

    time.jump(days=6, hours=23)
    assert fire(ctx, roundtrip) == []
    assert messages_of(ctx, team.rob, "reminder") == []

    time.jump(hours=1, minutes=1)
    fired = fire(ctx, roundtrip)
    assert [(f.subject_id, f.timers, f.notified) for f in fired] == [
        (deal.id, ["Event_InitialVisitReminder"], 1)
    ]
    assert len(messages_of(ctx, team.rob, "reminder")) == 1
    assert "Initial visit" in messages_of(ctx, team.rob, "reminder")[0]
    assert messages_of(ctx, team.mia, "escalation") == []
    assert list(due(ctx, team, "deal", deal.id)) == ["Event_InitialVisitEscalation"]
    assert fire(ctx, roundtrip) == []  # nothing twice

    time.jump(days=3)
    fired = fire(ctx, roundtrip)
    assert [f.timers for f in fired] == [["Event_InitialVisitEscalation"]]
    assert len(messages_of(ctx, team.mia, "escalation")) == 1
    assert len(messages_of(ctx, team.rob, "reminder")) == 1
    assert due(ctx, team, "deal", deal.id) == {}
    history = deals.deal_history(ctx, team.rob, deal.id)
    assert [h.action for h in history].count("timer_fired") == 2
    view = deals.get_deal(ctx, team.rob, deal.id)
    assert view.stage == "initial_visit" and view.status == "open"
    assert sorted(t.title for t in view.tasks) == ["Identify decision makers", "Meet the customer"]


def test_leaving_a_stage_replaces_its_timers(
    ctx: Context, team: Team, time: Time, roundtrip: bool
) -> None:
    deal = deals.create_deal(ctx, team.rob, "Acme roll-out", "Acme", 5000)
    moved_at = time.jump(days=2)
    walk_to(ctx, team.rob, team.mia, deal.id, "needs_analysis")
    assert due(ctx, team, "deal", deal.id) == {
        "Event_NeedsAnalysisReminder": moved_at + timedelta(days=7),
        "Event_NeedsAnalysisEscalation": moved_at + timedelta(days=10),
    }
    time.jump(days=6)  # past the old stage's reminder, not the new one's
    assert fire(ctx, roundtrip) == []
    assert messages_of(ctx, team.rob, "reminder") == []


def test_closing_cancels_every_timer(ctx: Context, team: Team, time: Time, roundtrip: bool) -> None:
    deal = deals.create_deal(ctx, team.rob, "Acme roll-out", "Acme", 5000)
    deals.close_deal(ctx, team.rob, deal.id, "lost", "No budget")
    assert due(ctx, team, "deal", deal.id) == {}
    time.jump(days=30)
    assert fire(ctx, roundtrip) == []


def test_post_sale_timeout_notifies_owner_and_delivery_staff(
    ctx: Context, team: Team, time: Time, roundtrip: bool
) -> None:
    users.set_groups(ctx, team.admin, "olga", ["delivery"])
    deal = deals.create_deal(ctx, team.rob, "Acme roll-out", "Acme", 5000)
    walk_to_won(ctx, team.rob, team.mia, deal.id)
    won_at = time.clock.now
    assert due(ctx, team, "deal", deal.id) == {
        "Event_InstallationOverdue": won_at + timedelta(days=14)
    }
    time.jump(days=14, minutes=1)
    fired = fire(ctx, roundtrip)
    assert [(f.timers, f.notified) for f in fired] == [(["Event_InstallationOverdue"], 2)]
    assert len(messages_of(ctx, team.rob, "timeout")) == 1
    assert "overdue" in messages_of(ctx, team.olga, "timeout")[0]
    assert deals.get_deal(ctx, team.rob, deal.id).stage == "installation"


def test_disqualified_lead_is_renewed_after_the_period(
    ctx: Context, team: Team, time: Time, roundtrip: bool
) -> None:
    lead = leads.create_lead(ctx, team.rob, "Ann Lee", "Acme")
    leads.disqualify_lead(ctx, team.rob, lead.id, "No budget yet")
    disqualified_at = time.clock.now
    assert due(ctx, team, "lead", lead.id) == {
        "Event_RenewalPeriodElapsed": disqualified_at + timedelta(days=30)
    }
    time.jump(days=29)
    assert fire(ctx, roundtrip) == []
    time.jump(days=1, minutes=1)
    fired = fire(ctx, roundtrip)
    assert [(f.subject_type, f.timers) for f in fired] == [("lead", ["Event_RenewalPeriodElapsed"])]
    view = leads.get_lead(ctx, team.rob, lead.id)
    assert view.status == "new" and view.disqualify_reason is None
    assert [t.title for t in view.tasks] == ["Review lead"]
    last = leads.lead_history(ctx, team.rob, lead.id)[-1]
    assert (last.action, last.actor, last.from_status, last.to_status) == (
        "timer_fired",
        None,
        "disqualified",
        "new",
    )
    assert due(ctx, team, "lead", lead.id) == {}


def test_renewing_by_hand_cancels_the_renewal_timer(
    ctx: Context, team: Team, time: Time, roundtrip: bool
) -> None:
    lead = leads.create_lead(ctx, team.rob, "Ann Lee", "Acme")
    leads.disqualify_lead(ctx, team.rob, lead.id, "No budget yet")
    leads.renew_lead(ctx, team.rob, lead.id)
    assert due(ctx, team, "lead", lead.id) == {}
    time.jump(days=31)
    assert fire(ctx, roundtrip) == []
