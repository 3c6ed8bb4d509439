"""Every lifecycle path through the use cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.services import deals, leads, worklist

REASONS = ["Too expensive", "Lost to a competitor", "No budget", "No decision", "Other"]


def test_create_lead_starts_review(ctx: Context, team: Any) -> None:
    lead = leads.create_lead(
        ctx, team.rob, "Jane Cooper", "Northwind", "jane@northwind.example", "555", "12000"
    )
    assert lead.status == "new"
    assert lead.owner == "rob"
    assert lead.deal_id is None
    assert lead.estimated_value == Decimal("12000.00")
    assert lead.process == "lead_qualification v1"
    assert [(t.element_id, t.title, t.role) for t in lead.tasks] == [
        ("Activity_ReviewLead", "Review lead", "rep")
    ]
    history = leads.lead_history(ctx, team.rob, lead.id)
    assert [(h.action, h.to_status, h.actor) for h in history] == [("created", "new", "rob")]


def test_qualify_opens_a_linked_deal_from_the_lead(ctx: Context, team: Any, flow: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Jane Cooper", "Northwind", None, None, "12000.50")
    qualified = leads.qualify_lead(ctx, team.rob, lead.id, expected_version=lead.version)
    assert qualified.status == "qualified"
    assert qualified.deal_id is not None
    assert qualified.tasks == []
    assert qualified.version > lead.version

    deal = deals.get_deal(ctx, team.rob, qualified.deal_id)
    assert deal.lead_id == lead.id
    assert deal.name == "Northwind opportunity"
    assert deal.customer == "Northwind"
    assert deal.value == Decimal("12000.50")
    assert deal.currency == "USD"
    assert deal.owner == "rob"
    assert deal.status == "open"
    assert deal.stage == "needs_analysis"
    assert deal.probability == 0
    assert deal.process == "sales_process v1"
    assert sorted(t.title for t in deal.tasks) == ["Analyse needs", "Identify decision makers"]
    # the link is stored on both rows
    assert flow.scalar("SELECT deal_id FROM leads WHERE id = :i", i=lead.id) == deal.id
    assert flow.scalar("SELECT lead_id FROM deals WHERE id = :i", i=deal.id) == lead.id

    history = leads.lead_history(ctx, team.rob, lead.id)
    assert [(h.action, h.from_status, h.to_status) for h in history] == [
        ("created", None, "new"),
        ("qualified", "new", "qualified"),
    ]
    deal_history = deals.deal_history(ctx, team.rob, deal.id)
    assert deal_history[0].action == "created"
    assert deal_history[0].detail == {"source": "lead", "lead_id": lead.id}


def test_lead_without_company_names_the_deal_after_the_contact(ctx: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.sara, "Lena Ortiz")
    deal_id = leads.qualify_lead(ctx, team.sara, lead.id).deal_id
    assert deal_id is not None
    deal = deals.get_deal(ctx, team.sara, deal_id)
    assert deal.name == "Opportunity with Lena Ortiz"
    assert deal.customer == "Lena Ortiz"
    assert deal.value == Decimal("0.00")
    assert deal.owner == "sara"


def test_disqualify_renew_then_qualify(ctx: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Tom Baker", "Fabrikam")
    dropped = leads.disqualify_lead(ctx, team.rob, lead.id, "  No budget this year  ")
    assert dropped.status == "disqualified"
    assert dropped.disqualify_reason == "No budget this year"
    assert dropped.tasks == []
    assert dropped.deal_id is None

    renewed = leads.renew_lead(ctx, team.rob, lead.id)
    assert renewed.status == "new"
    assert renewed.disqualify_reason is None
    assert [t.element_id for t in renewed.tasks] == ["Activity_ReviewLead"]
    # a fresh review task, not the one completed by the disqualification
    assert renewed.tasks[0].task_id != lead.tasks[0].task_id

    qualified = leads.qualify_lead(ctx, team.rob, lead.id)
    assert qualified.status == "qualified"
    assert qualified.deal_id is not None
    assert deals.get_deal(ctx, team.rob, qualified.deal_id).lead_id == lead.id

    history = leads.lead_history(ctx, team.rob, lead.id)
    assert [(h.action, h.from_status, h.to_status) for h in history] == [
        ("created", None, "new"),
        ("disqualified", "new", "disqualified"),
        ("renewed", "disqualified", "new"),
        ("qualified", "new", "qualified"),
    ]
    assert all(h.actor == "rob" for h in history)


def test_disqualify_needs_a_reason_and_changes_nothing(ctx: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Tom Baker")
    for reason in (None, "   "):
        with pytest.raises(InvalidInput) as caught:
            leads.disqualify_lead(ctx, team.rob, lead.id, reason)
        assert caught.value.field == "reason"
    after = leads.get_lead(ctx, team.rob, lead.id)
    assert after.status == "new"
    assert after.version == lead.version
    assert len(leads.lead_history(ctx, team.rob, lead.id)) == 1


def test_set_lead_status_runs_the_matching_transition(ctx: Context, team: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Tom Baker")
    view = leads.set_lead_status(ctx, team.rob, lead.id, "disqualified", "No decision")
    assert view.status == "disqualified"
    view = leads.set_lead_status(ctx, team.rob, lead.id, "new")
    assert view.status == "new"
    view = leads.set_lead_status(ctx, team.rob, lead.id, "qualified")
    assert view.status == "qualified"
    assert view.deal_id is not None
    with pytest.raises(InvalidInput) as caught:
        leads.set_lead_status(ctx, team.rob, lead.id, "won")
    assert caught.value.field == "status"


def test_direct_deal(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.sara, "Tailspin pilot", "Tailspin", "15000", "eur")
    assert deal.lead_id is None
    assert deal.owner == "sara"
    assert deal.currency == "EUR"
    assert deal.value == Decimal("15000.00")
    assert (deal.status, deal.stage, deal.probability) == ("open", "needs_analysis", 0)
    history = deals.deal_history(ctx, team.sara, deal.id)
    assert [(h.action, h.to_stage, h.to_status, h.actor) for h in history] == [
        ("created", "needs_analysis", "open", "sara")
    ]
    assert history[0].detail == {"source": "direct"}


def test_manager_may_create_a_deal_for_a_report(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.mia, "For rob", value="10", owner="rob")
    assert deal.owner == "rob"
    assert deals.get_deal(ctx, team.rob, deal.id).id == deal.id


def test_develop_through_all_stages(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Adventure Works", "AW", "30000")
    seen = [(deal.stage, deal.probability)]
    view = deal
    while view.tasks:
        assert all(t.stage == view.stage for t in view.tasks)
        view = flow.complete_stage(deal.id)
        seen.append((view.stage, view.probability))
    assert seen == [
        ("needs_analysis", 0),
        ("proposal", 33),
        ("negotiation", 67),
        ("negotiation", 100),
    ]
    assert view.status == "open"
    assert view.version > deal.version
    # the projection columns agree with the view
    assert flow.scalar("SELECT probability FROM deals WHERE id = :i", i=deal.id) == 100
    assert flow.scalar("SELECT stage_key FROM deals WHERE id = :i", i=deal.id) == "negotiation"

    history = deals.deal_history(ctx, team.rob, deal.id)
    assert [h.action for h in history] == ["created"] + ["task_completed"] * 6
    moves = [(h.from_stage, h.to_stage, h.actor) for h in history if h.from_stage]
    # a stage move is recorded by whoever finished the stage's last task (tasks run by title)
    assert moves == [
        ("needs_analysis", "proposal", "rob"),
        ("proposal", "negotiation", "mia"),
    ]
    done = {h.detail["task"]: h.actor for h in history if h.action == "task_completed"}
    assert done == {
        "Analyse needs": "rob",
        "Identify decision makers": "rob",
        "Prepare proposal": "rob",
        "Review proposal": "mia",
        "Negotiate terms": "rob",
        "Send contract": "rob",
    }
    assert all(h.to_stage is not None for h in history)


def test_close_won_after_development(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Litware renewal", "Litware", "8000")
    flow.develop(deal.id)
    before = flow.history_count("deal", deal.id)
    won = deals.close_deal(ctx, team.rob, deal.id, "won")
    assert (won.status, won.probability, won.lost_reason) == ("won", 100, None)
    assert won.closed_at == ctx.clock()
    assert won.tasks == []
    assert won.stage == "negotiation"
    history = deals.deal_history(ctx, team.rob, deal.id)
    assert len(history) == before + 1
    last = history[-1]
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        "closed",
        "open",
        "won",
        "rob",
    )
    assert last.detail["outcome"] == "won"


@pytest.mark.parametrize("reason", REASONS)
def test_close_lost_early_with_each_listed_reason(ctx: Context, team: Any, reason: str) -> None:
    deal = deals.create_deal(ctx, team.sara, "Tailspin pilot", "Tailspin", "15000")
    lost = deals.close_deal(ctx, team.sara, deal.id, "lost", reason)
    assert (lost.status, lost.probability, lost.lost_reason) == ("lost", 0, reason)
    assert lost.tasks == []
    assert deals.list_deals(ctx, team.sara, status="lost")[0].id == deal.id
    # a closed deal leaves no ready task behind
    assert [t for t in worklist.list_tasks(ctx, team.sara) if t.subject_id == deal.id] == []


def test_lost_with_an_unlisted_reason_changes_nothing(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Contoso", "Contoso", "1000")
    flow.complete_stage(deal.id)
    before = deals.get_deal(ctx, team.rob, deal.id)
    row_before = flow.row("deals", deal.id)
    history_before = flow.history_count("deal", deal.id)
    tasks_before = flow.count("work_items", subject_type="deal", subject_id=deal.id)
    for reason in ("Because", None, "too expensive"):
        with pytest.raises(InvalidInput) as caught:
            deals.close_deal(ctx, team.rob, deal.id, "lost", reason)
        assert caught.value.field == "reason"
    after = deals.get_deal(ctx, team.rob, deal.id)
    assert (after.version, after.status, after.stage, after.probability) == (
        before.version,
        "open",
        before.stage,
        before.probability,
    )
    assert flow.history_count("deal", deal.id) == history_before
    assert flow.count("work_items", subject_type="deal", subject_id=deal.id) == tasks_before
    assert flow.row("deals", deal.id) == row_before
    # and it still closes with a listed reason afterwards
    assert deals.close_deal(ctx, team.rob, deal.id, "lost", "Other").status == "lost"


def test_close_with_unknown_outcome_is_refused(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Contoso")
    with pytest.raises(InvalidInput) as caught:
        deals.close_deal(ctx, team.rob, deal.id, "draw")
    assert caught.value.field == "outcome"
    assert deals.get_deal(ctx, team.rob, deal.id).version == deal.version


def test_reopen_creates_a_linked_deal_and_leaves_the_old_row_alone(
    ctx: Context, team: Any, flow: Any
) -> None:
    lead = leads.create_lead(ctx, team.rob, "Jane", "Northwind", None, None, "500")
    deal_id = leads.qualify_lead(ctx, team.rob, lead.id).deal_id
    assert deal_id is not None
    flow.complete_stage(deal_id)
    deals.close_deal(ctx, team.rob, deal_id, "lost", "No budget")
    old_row = flow.row("deals", deal_id)
    old = deals.get_deal(ctx, team.rob, deal_id)

    new = deals.reopen_deal(ctx, team.rob, deal_id)
    assert new.id != deal_id
    assert new.reopened_from_id == deal_id
    assert new.lead_id == lead.id
    assert (new.name, new.customer, new.value, new.currency) == (
        old.name,
        old.customer,
        old.value,
        old.currency,
    )
    assert (new.status, new.stage, new.probability, new.owner) == (
        "open",
        "needs_analysis",
        0,
        "rob",
    )
    assert len(new.tasks) == 2
    assert deals.deal_history(ctx, team.rob, new.id)[0].detail == {"reopened_from": deal_id}

    assert flow.row("deals", deal_id) == old_row
    again = deals.get_deal(ctx, team.rob, deal_id)
    assert (again.version, again.status, again.lost_reason) == (old.version, "lost", "No budget")
    assert again.reopened_as_id == new.id

    with pytest.raises(InvalidState):
        deals.reopen_deal(ctx, team.rob, deal_id)
    assert flow.row("deals", deal_id) == old_row
    assert flow.count("deals", reopened_from_id=deal_id) == 1


def test_reopen_a_won_deal(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.sara, "Won", value="10")
    deals.close_deal(ctx, team.mia, deal.id, "won")
    new = deals.reopen_deal(ctx, team.mia, deal.id)
    assert new.reopened_from_id == deal.id
    assert new.owner == "sara"  # the owner stays the old deal's owner


def test_reopen_an_open_deal_is_invalid_state(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Still open")
    row = flow.row("deals", deal.id)
    with pytest.raises(InvalidState):
        deals.reopen_deal(ctx, team.rob, deal.id)
    assert flow.row("deals", deal.id) == row
    assert flow.count("deals") == 1


def test_close_then_reopen_then_close_the_new_deal(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Round two", value="100")
    deals.close_deal(ctx, team.rob, deal.id, "lost", "No decision")
    new = deals.reopen_deal(ctx, team.rob, deal.id)
    flow.develop(new.id)
    won = deals.close_deal(ctx, team.rob, new.id, "won")
    assert won.status == "won"
    assert deals.get_deal(ctx, team.rob, deal.id).status == "lost"
    listed = {d.id: d.status for d in deals.list_deals(ctx, team.rob)}
    assert listed == {deal.id: "lost", new.id: "won"}
