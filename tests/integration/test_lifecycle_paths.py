"""Every lifecycle path through the use cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, InvalidState, RuleViolation
from bpmn_sales.services import deals, leads, worklist
from bpmn_sales.services.deals import records
from tests import helpers

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
    assert deal.stage == "initial_visit"
    assert deal.probability == 10  # the initial visit's win rate
    assert deal.process == "sales_process v1"
    assert sorted(t.title for t in deal.tasks) == ["Identify decision makers", "Meet the customer"]
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
    assert deal_history[0].detail == {
        "source": "lead",
        "lead_id": lead.id,
        "process": "sales_process",
    }


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
    assert (deal.status, deal.stage, deal.probability) == ("open", "initial_visit", 10)
    history = deals.deal_history(ctx, team.sara, deal.id)
    assert [(h.action, h.to_stage, h.to_status, h.actor) for h in history] == [
        ("created", "initial_visit", "open", "sara")
    ]
    assert history[0].detail == {"source": "direct", "process": "sales_process"}


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
    # each stage starts at its win rate; all quote-and-bid weight done moves it to won's 100
    assert seen == [
        ("initial_visit", 10),
        ("needs_analysis", 30),
        ("solution_design", 50),
        ("quote_and_bid", 80),
        ("quote_and_bid", 100),
    ]
    assert view.status == "open"
    assert view.version > deal.version
    # the projection columns agree with the view
    assert flow.scalar("SELECT probability FROM deals WHERE id = :i", i=deal.id) == 100
    assert flow.scalar("SELECT stage_key FROM deals WHERE id = :i", i=deal.id) == "quote_and_bid"

    history = deals.deal_history(ctx, team.rob, deal.id)
    assert history[0].action == "created"
    assert [h.action for h in history].count("task_completed") == 9
    moves = [(h.from_stage, h.to_stage, h.actor) for h in history if h.from_stage]
    # a stage move is recorded by whoever finished the stage: mia approves the solution design
    assert moves == [
        ("initial_visit", "needs_analysis", "rob"),
        ("needs_analysis", "solution_design", "rob"),
        ("solution_design", "quote_and_bid", "mia"),
    ]
    done = {h.detail["task"]: h.actor for h in history if h.action == "task_completed"}
    assert done == {
        "Meet the customer": "rob",
        "Identify decision makers": "rob",
        "Analyse needs": "rob",
        "Qualify budget": "rob",
        "Design solution": "rob",
        "Present solution": "rob",
        "Approve solution": "mia",
        "Send quote": "rob",
        "Negotiate terms": "rob",
    }
    assert all(h.to_stage is not None for h in history)


def test_probability_follows_each_activity_weight(ctx: Context, team: Any) -> None:
    """Stage rates 10/30/50/80 moved toward the next by the share of the stage's weight done
    (weights 2+1 in every stage, the approval 0); rounded half up."""
    deal = deals.create_deal(ctx, team.rob, "Weights", "Weights Inc", "1000")

    def p() -> tuple[str | None, int]:
        view = deals.get_deal(ctx, team.rob, deal.id)
        return view.stage, view.probability

    seen = [p()]
    helpers.prepare_initial_visit(ctx, team.rob, deal.id)
    helpers.complete(ctx, team.rob, deal.id, "Meet the customer")
    seen.append(p())
    helpers.complete(ctx, team.rob, deal.id, "Identify decision makers", note="Kim decides")
    seen.append(p())
    helpers.prepare_needs_analysis(ctx, team.rob, deal.id)
    helpers.complete(ctx, team.rob, deal.id, "Qualify budget")
    seen.append(p())
    helpers.complete(ctx, team.rob, deal.id, "Analyse needs")
    seen.append(p())
    helpers.prepare_solution_design(ctx, team.rob, deal.id)
    helpers.complete(ctx, team.rob, deal.id, "Present solution")
    seen.append(p())
    design = records.upload_attachment(ctx, team.rob, deal.id, *helpers.DESIGN_FILE)
    helpers.complete(
        ctx, team.rob, deal.id, "Design solution", note="Done", attachment_ids=[design["id"]]
    )
    seen.append(p())
    helpers.approve(ctx, team.mia, deal.id)
    seen.append(p())
    helpers.complete(ctx, team.rob, deal.id, "Negotiate terms")
    seen.append(p())
    helpers.complete(ctx, team.rob, deal.id, "Send quote")
    seen.append(p())
    assert seen == [
        ("initial_visit", 10),
        ("initial_visit", 23),  # 10 + 20 * 2/3 = 23.33
        ("needs_analysis", 30),
        ("needs_analysis", 37),  # 30 + 20 * 1/3 = 36.67
        ("solution_design", 50),
        ("solution_design", 60),  # 50 + 30 * 1/3
        ("solution_design", 80),  # 50 + 30 * 3/3; the approval weighs 0
        ("quote_and_bid", 80),
        ("quote_and_bid", 93),  # 80 + 20 * 2/3 = 93.33
        ("quote_and_bid", 100),  # 80 + 20 * 3/3
    ]
    stored = {h.to_stage for h in deals.deal_history(ctx, team.rob, deal.id)}
    assert stored == {"initial_visit", "needs_analysis", "solution_design", "quote_and_bid"}


def test_close_won_after_development(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Litware renewal", "Litware", "8000")
    flow.develop(deal.id)
    # every obligatory activity is done, but winning needs an order too
    before = flow.history_count("deal", deal.id)
    row = flow.row("deals", deal.id)
    with pytest.raises(RuleViolation) as refused:
        deals.close_deal(ctx, team.rob, deal.id, "won")
    assert refused.value.details["unmet"] == ["an order must exist to win"]
    assert flow.row("deals", deal.id) == row
    assert flow.history_count("deal", deal.id) == before

    order = records.create_order(ctx, team.rob, deal.id)
    assert (order["number"], order["amount"]) == (f"SO-{deal.id:05d}-1", 8000.0)
    before = flow.history_count("deal", deal.id)
    won = deals.close_deal(ctx, team.rob, deal.id, "won")
    assert (won.status, won.probability, won.lost_reason) == ("won", 100, None)
    assert won.outcome_label == "Won"
    assert won.closed_at == ctx.clock()
    # a won deal goes on into the post-sale stages
    assert won.stage == "installation"
    assert [t.title for t in won.tasks] == ["Install the solution"]
    history = deals.deal_history(ctx, team.rob, deal.id)
    # the close, then the open follow-up it cancelled
    assert len(history) == before + 2
    assert history[-1].action == "follow_ups_cancelled"
    last = history[-2]
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        "closed",
        "open",
        "won",
        "rob",
    )
    assert (last.from_stage, last.to_stage) == ("quote_and_bid", "installation")
    assert last.detail["outcome"] == "won"


def test_a_won_deal_is_delivered_through_the_post_sale_stages(
    ctx: Context, team: Any, flow: Any
) -> None:
    deal = deals.create_deal(ctx, team.rob, "Delivery", "Fabrikam", "500")
    won = helpers.walk_to_won(ctx, team.rob, team.mia, deal.id)
    closed_at = won.closed_at
    stages = [won.stage]
    for title in ("Install the solution", "Train the users"):
        helpers.complete(ctx, team.rob, deal.id, title)
        stages.append(deals.get_deal(ctx, team.rob, deal.id).stage)
    assert stages == ["installation", "training", "acceptance"]
    # acceptance needs its date before it can be left
    with pytest.raises(RuleViolation) as refused:
        helpers.complete(ctx, team.rob, deal.id, "Obtain sign-off")
    assert "Acceptance date is empty" in refused.value.message
    deals.update_deal(
        ctx, team.rob, deal.id, {"stage_fields": {"acceptance": {"acceptance_date": "2026-02-01"}}}
    )
    helpers.complete(ctx, team.rob, deal.id, "Obtain sign-off")
    delivered = deals.get_deal(ctx, team.rob, deal.id)
    assert (delivered.status, delivered.probability, delivered.tasks) == ("won", 100, [])
    assert delivered.outcome_label == "Won and delivered"
    assert delivered.closed_at == closed_at  # closed when won, not when delivered
    assert flow.count("work_items", subject_type="deal", subject_id=deal.id) == 0


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
        "initial_visit",
        10,
        "rob",
    )
    assert len(new.tasks) == 2
    assert deals.deal_history(ctx, team.rob, new.id)[0].detail == {
        "reopened_from": deal_id,
        "process": "sales_process",
    }

    assert flow.row("deals", deal_id) == old_row
    again = deals.get_deal(ctx, team.rob, deal_id)
    assert (again.version, again.status, again.lost_reason) == (old.version, "lost", "No budget")
    assert again.reopened_as_id == new.id

    with pytest.raises(InvalidState):
        deals.reopen_deal(ctx, team.rob, deal_id)
    assert flow.row("deals", deal_id) == old_row
    assert flow.count("deals", reopened_from_id=deal_id) == 1


def test_a_new_deal_cannot_be_won_yet(ctx: Context, team: Any, flow: Any) -> None:
    deal = deals.create_deal(ctx, team.sara, "Too soon", value="10")
    row = flow.row("deals", deal.id)
    with pytest.raises(RuleViolation) as refused:
        deals.close_deal(ctx, team.mia, deal.id, "won")
    assert refused.value.details["unmet"] == [
        "obligatory activity 'Meet the customer' (Initial visit) is not done",
        "obligatory activity 'Analyse needs' (Needs analysis) is not done",
        "obligatory activity 'Design solution' (Solution design) is not done",
        "obligatory activity 'Send quote' (Quote and bid) is not done",
        "an order must exist to win",
    ]
    assert flow.row("deals", deal.id) == row
    assert flow.history_count("deal", deal.id) == 1


def test_reopen_a_won_deal(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.sara, "Won", "Tailspin", "10")
    won = helpers.walk_to_won(ctx, team.sara, team.mia, deal.id)
    assert won.status == "won"
    new = deals.reopen_deal(ctx, team.mia, deal.id)
    assert new.reopened_from_id == deal.id
    assert new.owner == "sara"  # the owner stays the old deal's owner
    assert (new.status, new.stage) == ("open", "initial_visit")
    # the won deal is left as it was: still in its post-sale stage
    old = deals.get_deal(ctx, team.sara, deal.id)
    assert (old.status, old.stage, old.reopened_as_id) == ("won", "installation", new.id)


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
    flow.ready_to_win(new.id)
    won = deals.close_deal(ctx, team.rob, new.id, "won")
    assert won.status == "won"
    assert deals.get_deal(ctx, team.rob, deal.id).status == "lost"
    listed = {d.id: d.status for d in deals.list_deals(ctx, team.rob)}
    assert listed == {deal.id: "lost", new.id: "won"}
