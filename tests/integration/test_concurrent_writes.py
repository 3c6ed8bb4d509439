"""Two writers on one database: stale versions and real races end in Conflict, nothing half-done."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import Conflict
from bpmn_sales.persistence.models import Deal, Lead
from bpmn_sales.services import common, deals, leads, worklist
from tests import helpers


@pytest.fixture
def other(ctx: Context) -> Iterator[Context]:
    """A second Context on the same database: its own engine, so its own connections."""
    second = Context(ctx.database_url, clock=ctx.clock)
    yield second
    second.close()


def snapshot(flow: Any, deal_id: int) -> tuple[Any, ...]:
    return (
        flow.row("deals", deal_id),
        flow.history_count("deal", deal_id),
        flow.count("work_items", subject_type="deal", subject_id=deal_id),
    )


def test_stale_expected_version_on_close(
    ctx: Context, other: Context, team: Any, flow: Any
) -> None:
    deal = deals.create_deal(ctx, team.rob, "Race", value="10")
    flow.ready_to_win(deal.id)
    first = deals.get_deal(ctx, team.rob, deal.id)
    second = deals.get_deal(other, team.mia, deal.id)
    assert first.version == second.version

    closed = deals.close_deal(ctx, team.rob, deal.id, "won", expected_version=first.version)
    assert closed.version > first.version
    before = snapshot(flow, deal.id)
    with pytest.raises(Conflict) as caught:
        deals.close_deal(other, team.mia, deal.id, "lost", "Other", second.version)
    assert caught.value.details["current_version"] == closed.version
    assert snapshot(flow, deal.id) == before
    assert deals.get_deal(other, team.mia, deal.id).status == "won"


def test_stale_expected_version_on_task_completion(
    ctx: Context, other: Context, team: Any, flow: Any
) -> None:
    deal = deals.create_deal(ctx, team.rob, "Race", value="10")
    helpers.prepare_initial_visit(ctx, team.rob, deal.id)
    seen_first = deals.get_deal(ctx, team.rob, deal.id)
    seen_second = deals.get_deal(other, team.rob, deal.id)
    task_b, task_a = seen_first.tasks  # "Identify decision makers", "Meet the customer"
    assert (task_a.title, task_b.title) == ("Meet the customer", "Identify decision makers")
    worklist.complete_task(ctx, team.rob, task_a.task_id, expected_version=seen_first.version)
    before = snapshot(flow, deal.id)
    with pytest.raises(Conflict):
        worklist.complete_task(
            other, team.rob, task_b.task_id, expected_version=seen_second.version, note="Kim"
        )
    assert snapshot(flow, deal.id) == before
    # task b is still ready, and completes with the current version
    current = deals.get_deal(other, team.rob, deal.id)
    assert [t.task_id for t in current.tasks] == [task_b.task_id]
    worklist.complete_task(
        other, team.rob, task_b.task_id, expected_version=current.version, note="Kim"
    )
    assert deals.get_deal(ctx, team.rob, deal.id).stage == "needs_analysis"


def test_stale_expected_version_on_lead(ctx: Context, other: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Lead")
    leads.disqualify_lead(ctx, team.rob, lead.id, "No budget", expected_version=lead.version)
    with pytest.raises(Conflict):
        leads.qualify_lead(other, team.rob, lead.id, expected_version=lead.version)
    after = leads.get_lead(ctx, team.rob, lead.id)
    assert after.status == "disqualified"
    assert after.deal_id is None
    assert len(leads.lead_history(ctx, team.rob, lead.id)) == 2


def test_version_column_race_in_the_store(ctx: Context, other: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Race", value="10")
    with ctx.uow() as first:
        mine = first.get(Deal, deal.id, "deal")
        version = mine.version
        with other.uow() as second:
            theirs = second.get(Deal, deal.id, "deal")
            theirs.name = "Changed by the other session"
            second.commit()
            assert theirs.version == version + 1
        mine.name = "Changed by the first session"
        with pytest.raises(Conflict):
            first.flush()
    with ctx.uow() as store:
        row = store.get(Deal, deal.id, "deal")
        assert (row.name, row.version) == ("Changed by the other session", version + 1)


def test_version_column_race_on_commit(ctx: Context, other: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Lead")
    with ctx.uow() as first:
        mine = first.get(Lead, lead.id, "lead")
        with other.uow() as second:
            second.get(Lead, lead.id, "lead").phone = "111"
            second.commit()
        mine.phone = "222"
        with pytest.raises(Conflict):
            first.commit()
    assert leads.get_lead(ctx, team.rob, lead.id).phone == "111"


def test_race_inside_a_use_case_without_expected_version(
    ctx: Context, other: Context, team: Any, flow: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rob completes task a; while his use case runs, his manager completes task b."""
    created = deals.create_deal(ctx, team.rob, "Race", value="10")
    helpers.prepare_initial_visit(ctx, team.rob, created.id)
    deal = deals.get_deal(ctx, team.rob, created.id)
    task_a, task_b = deal.tasks  # "Identify decision makers", "Meet the customer"
    assert (task_a.title, task_b.title) == ("Identify decision makers", "Meet the customer")
    history_before = len(deals.deal_history(ctx, team.rob, deal.id))
    real_restore = common.restore
    raced: list[Any] = []

    def restore_then_race(context: Context, store: Any, subject: Any) -> Any:
        instance = real_restore(context, store, subject)
        if context is ctx and not raced:
            raced.append(worklist.complete_task(other, team.mia, task_b.task_id))
        return instance

    monkeypatch.setattr(common, "restore", restore_then_race)
    with pytest.raises(Conflict):
        worklist.complete_task(ctx, team.rob, task_a.task_id, note="Kim decides")
    assert raced, "the concurrent write did not happen"
    monkeypatch.undo()

    # only the other session's change is stored: no half-written state from the loser
    view = deals.get_deal(ctx, team.rob, deal.id)
    assert view.version == deal.version + 1
    assert [t.task_id for t in view.tasks] == [task_a.task_id]
    history = deals.deal_history(ctx, team.rob, deal.id)
    assert [(h.action, h.detail.get("task"), h.actor) for h in history[history_before:]] == [
        ("task_completed", task_b.title, "mia"),
    ]
    assert flow.count("work_items", subject_type="deal", subject_id=deal.id) == 1
    assert flow.count("notes") == 0  # nor the loser's note
    # retrying succeeds against the new version
    worklist.complete_task(ctx, team.rob, task_a.task_id, note="Kim decides")
    assert deals.get_deal(ctx, team.rob, deal.id).stage == "needs_analysis"


def test_race_on_close_without_expected_version(
    ctx: Context, other: Context, team: Any, flow: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = deals.create_deal(ctx, team.rob, "Race", value="10")
    flow.ready_to_win(deal.id)
    history_before = len(deals.deal_history(ctx, team.rob, deal.id))
    real_restore = common.restore
    raced: list[Any] = []

    def restore_then_race(context: Context, store: Any, subject: Any) -> Any:
        instance = real_restore(context, store, subject)
        if context is ctx and not raced:
            raced.append(deals.close_deal(other, team.mia, deal.id, "won"))
        return instance

    monkeypatch.setattr(common, "restore", restore_then_race)
    with pytest.raises(Conflict):
        deals.close_deal(ctx, team.rob, deal.id, "lost", "Other")
    monkeypatch.undo()
    assert raced
    view = deals.get_deal(ctx, team.rob, deal.id)
    assert (view.status, view.lost_reason) == ("won", None)
    history = deals.deal_history(ctx, team.rob, deal.id)
    # mia's close won; it cancelled the deal's open follow-up ("Analyse needs" made one)
    assert [(h.action, h.to_status, h.actor) for h in history[history_before:]] == [
        ("closed", "won", "mia"),
        ("follow_ups_cancelled", "won", "mia"),
    ]


def test_race_on_lead_review_without_expected_version(
    ctx: Context, other: Context, team: Any, flow: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = leads.create_lead(ctx, team.rob, "Lead", "Company")
    real_restore = common.restore
    raced: list[Any] = []

    def restore_then_race(context: Context, store: Any, subject: Any) -> Any:
        instance = real_restore(context, store, subject)
        if context is ctx and not raced:
            raced.append(leads.disqualify_lead(other, team.mia, lead.id, "No budget"))
        return instance

    monkeypatch.setattr(common, "restore", restore_then_race)
    with pytest.raises(Conflict):
        leads.qualify_lead(ctx, team.rob, lead.id)
    monkeypatch.undo()
    assert raced
    view = leads.get_lead(ctx, team.rob, lead.id)
    assert (view.status, view.deal_id) == ("disqualified", None)
    assert flow.count("deals") == 0  # the loser's deal was not half-created
    actions = [h.action for h in leads.lead_history(ctx, team.rob, lead.id)]
    assert actions == ["created", "disqualified"]
