"""Who may see and do what, and the errors for unknown records and impossible transitions."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bpmn_sales.services import deals, leads, worklist
from tests import helpers


@pytest.fixture
def records(ctx: Context, team: Any) -> dict[str, Any]:
    """rob's, sara's and olga's leads and deals."""
    made: dict[str, Any] = {}
    for who in ("rob", "sara", "olga"):
        actor = getattr(team, who)
        made[f"{who}_lead"] = leads.create_lead(ctx, actor, f"{who} lead")
        made[f"{who}_deal"] = deals.create_deal(ctx, actor, f"{who} deal", value="10")
    return made


def test_rep_cannot_see_or_act_on_another_reps_deal(
    ctx: Context, team: Any, flow: Any, records: dict[str, Any]
) -> None:
    deal = records["sara_deal"]
    task = deal.tasks[0]
    row = flow.row("deals", deal.id)
    for call in (
        lambda: deals.get_deal(ctx, team.rob, deal.id),
        lambda: deals.deal_history(ctx, team.rob, deal.id),
        lambda: deals.deal_tasks(ctx, team.rob, deal.id),
        lambda: deals.close_deal(ctx, team.rob, deal.id, "won"),
        lambda: worklist.complete_task(ctx, team.rob, task.task_id),
    ):
        # what rob may not see is refused exactly as what does not exist
        with pytest.raises(NotFound):
            call()
    with pytest.raises(Forbidden):  # sara is a colleague he knows, but not his to act for
        deals.create_deal(ctx, team.rob, "for sara", owner="sara")
    assert flow.row("deals", deal.id) == row
    assert flow.count("deals") == 3


def test_olga_cannot_touch_the_team(
    ctx: Context, team: Any, flow: Any, records: dict[str, Any]
) -> None:
    for name in ("rob_deal", "sara_deal"):
        with pytest.raises(NotFound):
            deals.get_deal(ctx, team.olga, records[name].id)
        with pytest.raises(NotFound):
            deals.close_deal(ctx, team.olga, records[name].id, "lost", "Other")
    with pytest.raises(NotFound):
        leads.qualify_lead(ctx, team.olga, records["rob_lead"].id)
    with pytest.raises(NotFound):
        leads.lead_history(ctx, team.olga, records["rob_lead"].id)
    # and the team's manager cannot touch olga's records
    with pytest.raises(NotFound):
        deals.get_deal(ctx, team.mia, records["olga_deal"].id)
    with pytest.raises(NotFound):
        leads.disqualify_lead(ctx, team.mia, records["olga_lead"].id, "No budget")
    assert leads.get_lead(ctx, team.olga, records["olga_lead"].id).status == "new"
    assert flow.count("deals", status="open") == 3


def test_rep_cannot_touch_another_reps_lead(
    ctx: Context, team: Any, records: dict[str, Any]
) -> None:
    lead = records["sara_lead"]
    for call in (
        lambda: leads.get_lead(ctx, team.rob, lead.id),
        lambda: leads.qualify_lead(ctx, team.rob, lead.id),
        lambda: leads.disqualify_lead(ctx, team.rob, lead.id, "x"),
        lambda: worklist.complete_task(ctx, team.rob, lead.tasks[0].task_id),
    ):
        with pytest.raises(NotFound):
            call()
    assert leads.get_lead(ctx, team.sara, lead.id).status == "new"


def test_manager_can_act_on_reports_records(
    ctx: Context, team: Any, records: dict[str, Any]
) -> None:
    assert deals.get_deal(ctx, team.mia, records["sara_deal"].id).owner == "sara"
    qualified = leads.qualify_lead(ctx, team.mia, records["rob_lead"].id)
    assert qualified.status == "qualified"
    assert qualified.owner == "rob"
    assert qualified.deal_id is not None
    new_deal = deals.get_deal(ctx, team.rob, qualified.deal_id)
    assert new_deal.owner == "rob"
    helpers.complete(ctx, team.mia, records["sara_deal"].id, "Meet the customer")
    closed = deals.close_deal(ctx, team.mia, records["sara_deal"].id, "lost", "No decision")
    assert closed.status == "lost"
    history = deals.deal_history(ctx, team.sara, records["sara_deal"].id)
    assert [h.actor for h in history] == ["sara", "mia", "mia"]


def test_lists_only_show_visible_records(ctx: Context, team: Any, records: dict[str, Any]) -> None:
    def deal_owners(actor: Any) -> set[str]:
        return {d.owner for d in deals.list_deals(ctx, actor)}

    def lead_owners(actor: Any) -> set[str]:
        return {v.owner for v in leads.list_leads(ctx, actor)}

    def task_owners(actor: Any) -> set[str | None]:
        return {t.owner for t in worklist.list_tasks(ctx, actor)}

    assert deal_owners(team.rob) == lead_owners(team.rob) == task_owners(team.rob) == {"rob"}
    assert deal_owners(team.olga) == lead_owners(team.olga) == task_owners(team.olga) == {"olga"}
    assert deal_owners(team.mia) == {"rob", "sara"}
    assert lead_owners(team.mia) == {"rob", "sara"}
    assert task_owners(team.mia) == {"rob", "sara"}
    everyone = {"rob", "sara", "olga"}
    assert deal_owners(team.admin) == lead_owners(team.admin) == task_owners(team.admin) == everyone
    assert len(deals.list_deals(ctx, team.admin)) == 3
    # each rep sees their lead's review task and their deal's two tasks
    assert len(worklist.list_tasks(ctx, team.rob)) == 3
    assert {t.subject_id for t in worklist.list_tasks(ctx, team.rob)} == {
        records["rob_lead"].id,
        records["rob_deal"].id,
    }
    # filters
    assert deals.list_deals(ctx, team.rob, status="won").items == []
    assert [d.id for d in deals.list_deals(ctx, team.rob, stage="initial_visit")] == [
        records["rob_deal"].id
    ]
    assert deals.list_deals(ctx, team.rob, stage="needs_analysis").items == []
    assert worklist.list_tasks(ctx, team.rob, role="manager").items == []
    with pytest.raises(InvalidInput):
        deals.list_deals(ctx, team.rob, status="closed")
    with pytest.raises(InvalidInput):
        leads.list_leads(ctx, team.rob, status="open")
    # tasks only an admin may complete have their own role now
    assert worklist.list_tasks(ctx, team.rob, role="admin").items == []
    with pytest.raises(InvalidInput):
        worklist.list_tasks(ctx, team.rob, role="boss")


def test_manager_task_needs_a_manager(ctx: Context, team: Any, flow: Any) -> None:
    """Approving the solution design is for the owner's direct manager (or an admin)."""
    deal = deals.create_deal(ctx, team.rob, "Proposal", "Acme", "10")
    helpers.walk_to(ctx, team.rob, team.mia, deal.id, "solution_design")
    view = helpers.solution_design(ctx, team.rob, deal.id)
    (review,) = view.tasks
    assert (review.title, review.role, review.kind) == ("Approve solution", "manager", "approval")
    assert review.assignee == "mia"
    before = flow.row("deals", deal.id)
    with pytest.raises(Forbidden) as refused:
        worklist.complete_task(ctx, team.rob, review.task_id, {"decision": "approve"})
    assert "direct manager (mia)" in refused.value.message
    assert flow.row("deals", deal.id) == before
    done = worklist.complete_task(
        ctx, team.mia, review.task_id, {"decision": "approve", "comment": "Fine"}
    )
    assert done.title == "Approve solution"
    after = deals.get_deal(ctx, team.rob, deal.id)
    assert after.stage == "quote_and_bid"
    assert sorted(t.title for t in after.tasks) == ["Negotiate terms", "Send quote"]
    # an admin may do a manager task too
    other = deals.create_deal(ctx, team.sara, "Other", "Initech", "1")
    helpers.walk_to(ctx, team.sara, team.mia, other.id, "solution_design")
    view = helpers.solution_design(ctx, team.sara, other.id)
    review = next(t for t in view.tasks if t.role == "manager")
    worklist.complete_task(ctx, team.admin, review.task_id, {"decision": "approve"})
    assert deals.get_deal(ctx, team.sara, other.id).stage == "quote_and_bid"


def test_unknown_records_are_not_found(ctx: Context, team: Any) -> None:
    for call in (
        lambda: deals.get_deal(ctx, team.admin, 999),
        lambda: deals.close_deal(ctx, team.admin, 999, "won"),
        lambda: deals.reopen_deal(ctx, team.admin, 999),
        lambda: deals.deal_history(ctx, team.admin, 999),
        lambda: leads.get_lead(ctx, team.admin, 999),
        lambda: leads.qualify_lead(ctx, team.admin, 999),
        lambda: leads.disqualify_lead(ctx, team.admin, 999, "x"),
        lambda: leads.renew_lead(ctx, team.admin, 999),
        lambda: leads.lead_history(ctx, team.admin, 999),
        lambda: worklist.complete_task(ctx, team.admin, "00000000-0000-0000-0000-000000000000"),
        lambda: worklist.complete_task(ctx, team.admin, "not-a-task"),
    ):
        with pytest.raises(NotFound):
            call()


def test_completed_task_is_no_longer_found(ctx: Context, team: Any) -> None:
    deal = deals.create_deal(ctx, team.rob, "Once", value="1")
    task = helpers.ready_task(ctx, team.rob, deal.id, "Meet the customer")
    worklist.complete_task(ctx, team.rob, task.task_id)
    version = deals.get_deal(ctx, team.rob, deal.id).version
    with pytest.raises(NotFound):
        worklist.complete_task(ctx, team.rob, task.task_id)
    assert deals.get_deal(ctx, team.rob, deal.id).version == version


def test_impossible_transitions_are_invalid_state(ctx: Context, team: Any, flow: Any) -> None:
    lead = leads.create_lead(ctx, team.rob, "Lead")
    leads.qualify_lead(ctx, team.rob, lead.id)
    qualified_row = flow.row("leads", lead.id)
    for call in (
        lambda: leads.qualify_lead(ctx, team.rob, lead.id),
        lambda: leads.disqualify_lead(ctx, team.rob, lead.id, "No budget"),
        lambda: leads.renew_lead(ctx, team.rob, lead.id),
    ):
        with pytest.raises(InvalidState):
            call()
    assert flow.row("leads", lead.id) == qualified_row
    assert flow.count("deals") == 1

    new_lead = leads.create_lead(ctx, team.rob, "New lead")
    with pytest.raises(InvalidState):
        leads.renew_lead(ctx, team.rob, new_lead.id)

    deal = deals.create_deal(ctx, team.rob, "Deal", "Acme", "1")
    helpers.walk_to_won(ctx, team.rob, team.mia, deal.id)
    # a won deal runs on in its post-sale stages, but it cannot be closed again
    closed_row = flow.row("deals", deal.id)
    history = flow.history_count("deal", deal.id)
    for outcome, reason in (("won", None), ("lost", "Other"), ("invalid", None)):
        with pytest.raises(InvalidState):
            deals.close_deal(ctx, team.rob, deal.id, outcome, reason)
    assert flow.row("deals", deal.id) == closed_row
    assert flow.history_count("deal", deal.id) == history
