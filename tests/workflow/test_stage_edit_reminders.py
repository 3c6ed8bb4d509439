"""A stage added to, or deleted from, a diagram with its own reminder and escalation service task
per stage (authoring guide 11.1; tests/data/rules/reminders.bpmn) keeps working: the copies keep
their operation and parameter names, the new version lints clean, and a deal runs through the
new stage, reminded there, straight and restored from storage at every step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from lxml import etree

from bpmn_sales.context import Context
from bpmn_sales.engine.diagrams.problems import NS
from bpmn_sales.services import processes
from bpmn_sales.services.delivery import notices
from bpmn_sales.services.processes import stages
from bpmn_sales.services.worker import timers
from tests.workflow.rules_helpers import ROUNDTRIP, Desk

pytestmark = ROUNDTRIP


@pytest.fixture
def jump(clock: Any) -> Iterator[Any]:
    """Move the product clock and SpiffWorkflow's clock together."""
    traveller = time_machine.travel(clock.now, tick=False)
    machine = traveller.start()

    def to(**delta: float) -> datetime:
        clock.advance(**delta)
        now: datetime = clock.now
        machine.move_to(now)
        return now

    yield to
    traveller.stop()


def latest_xml(ctx: Context, key: str) -> bytes:
    with ctx.uow() as store:
        process = store.process_by_key(key)
        assert process is not None
        version = store.latest_version(process.id, enabled_only=False)
        assert version is not None
        return version.bpmn_xml.encode()


def notify_tasks(xml: bytes) -> dict[str, tuple[str | None, list[str | None]]]:
    """Each service task's label: (its operation name, its parameters' names)."""
    found = {}
    for task in etree.fromstring(xml).iterfind(".//bpmn:serviceTask", NS):
        operator = task.find(".//spiffworkflow:serviceTaskOperator", NS)
        assert operator is not None
        names = [p.get("id") for p in operator.iterfind(".//spiffworkflow:parameter", NS)]
        found[task.get("name", "")] = (operator.get("id"), names)
    return found


NOTIFY = ("notify", ["recipients", "kind"])


def test_added_stage_copies_its_neighbours_reminders_and_a_deal_runs_through_it(
    desk: Desk, jump: Any
) -> None:
    ctx, team = desk.ctx, desk.team
    key = desk.deploy("reminders")
    change = stages.add(ctx, team.admin, key, "visit", "Site survey", activity="Survey the site")
    assert change.stage == "site_survey"
    xml = latest_xml(ctx, key)
    assert ctx.engine.lint({"reminders.bpmn": xml}) == []
    assert notify_tasks(xml) == {
        "Remind owner of Site visit": NOTIFY,
        "Escalate Site visit to manager": NOTIFY,
        "Remind owner of Site survey": NOTIFY,
        "Escalate Site survey to manager": NOTIFY,
        "Remind owner of Quote": NOTIFY,
        "Escalate Quote to manager": NOTIFY,
    }
    assert [s["key"] for s in processes.get_process(ctx, key).stages] == [
        "visit",
        "site_survey",
        "quote",
    ]

    deal = desk.create(key)
    desk.do(team.rob, deal.id, "Visit the site")
    assert desk.deal(deal.id).stage == "site_survey"
    waiting = timers.waiting_timers(ctx, team.admin, "deal", deal.id)
    assert sorted(t.due_at - ctx.clock() for t in waiting) == [timedelta(days=7), timedelta(14)]
    desk.assert_state_round_trips(deal.id)

    jump(days=7, minutes=1)
    if desk.roundtrip:
        ctx.live.clear()
    (fired,) = timers.fire_due(ctx)
    assert (fired.subject_id, fired.notified) == (deal.id, 1)
    listed = notices.list_notifications(ctx, team.rob).page
    reminders = [n["message"] for n in listed if n["kind"] == "reminder"]
    assert len(reminders) == 1 and "Site survey" in reminders[0]

    desk.do(team.rob, deal.id, "Survey the site")
    assert desk.deal(deal.id).stage == "quote"
    desk.do(team.rob, deal.id, "Send the quote")
    assert desk.deal(deal.id).status == "won"


def test_deleted_stage_takes_only_its_own_reminders(desk: Desk) -> None:
    ctx, team = desk.ctx, desk.team
    key = desk.deploy("reminders")
    stages.delete(ctx, team.admin, key, "visit")
    xml = latest_xml(ctx, key)
    assert ctx.engine.lint({"reminders.bpmn": xml}) == []
    assert notify_tasks(xml) == {
        "Remind owner of Quote": NOTIFY,
        "Escalate Quote to manager": NOTIFY,
    }
    # The visit's message boundary and the lost terminal only it led to went with it.
    assert b"Event_VisitCancelled" not in xml and b"Event_Lost" not in xml

    deal = desk.create(key)
    assert desk.deal(deal.id).stage == "quote"
    desk.do(team.rob, deal.id, "Send the quote")
    assert desk.deal(deal.id).status == "won"
    desk.assert_state_round_trips(deal.id)
