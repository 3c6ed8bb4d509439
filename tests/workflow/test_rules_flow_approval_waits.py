"""An approval is offered to the manager only once it can be approved: the bundled
sales_process's "Approve solution" waits while Solution design's required fields are empty,
and the rep is told so when completing "Present solution"."""

from __future__ import annotations

import pytest

from bpmn_sales.errors import RuleViolation
from bpmn_sales.services.worklist.approvals import approval_inbox
from tests.workflow.rules_helpers import PDF, ROUNDTRIP, Desk

pytestmark = ROUNDTRIP

WAITS = (
    "The approval of stage 'Solution design' waits for: Design summary is empty; "
    "Customer feedback is empty"
)


def at_present_solution(desk: Desk) -> int:
    """A deal of rob's in Solution design with every earlier requirement met, its own
    required fields empty, and only "Present solution" left before the approval."""
    rob = desk.team.rob
    deal = desk.create("sales_process")
    desk.contact(rob, deal.id, "Pat Direct", "pat@customer.example")
    desk.contact(rob, deal.id, "Kim Boss")
    desk.update(rob, deal.id, {"customer_fields": {"industry": "Software"}})
    desk.do(rob, deal.id, "Meet the customer")
    desk.do(rob, deal.id, "Identify decision makers", note="Kim decides")
    desk.update(rob, deal.id, {"fields": {"budget": 8000}, "expected_close_date": "2026-06-30"})
    desk.do(rob, deal.id, "Analyse needs")
    desk.do(rob, deal.id, "Qualify budget")
    design = desk.upload(rob, deal.id, "design.pdf", PDF)
    desk.do(rob, deal.id, "Design solution", note="Design attached", attachment_ids=[design])
    return deal.id


def test_the_rep_is_told_and_the_manager_sees_the_approval_only_once_it_can_be_approved(
    desk: Desk,
) -> None:
    rob, mia = desk.team.rob, desk.team.mia
    deal_id = at_present_solution(desk)

    done = desk.do(rob, deal_id, "Present solution")
    assert done.approval_waits_for == (WAITS,)
    approval = desk.task(deal_id, "Approve solution")
    assert approval.waiting
    assert "Approve solution" not in [t.title for t in desk.my_tasks(mia)]
    assert "Approve solution" not in [t.title for t in desk.my_tasks(desk.team.admin)]
    assert list(desk.step(approval_inbox, mia)) == []
    with pytest.raises(RuleViolation) as early:
        desk.do(mia, deal_id, "Approve solution", data={"decision": "approve"})
    assert early.value.message == (
        "'Approve solution' cannot be decided yet: stage 'Solution design' still needs: "
        "Design summary is empty; Customer feedback is empty"
    )
    assert desk.deal(deal_id).stage == "solution_design"

    # One field filled: still waiting; both: offered.
    half = {"stage_fields": {"solution_design": {"design_summary": "One site"}}}
    desk.update(rob, deal_id, half)
    assert desk.task(deal_id, "Approve solution").waiting
    assert list(desk.step(approval_inbox, mia)) == []
    both = {"stage_fields": {"solution_design": {"customer_feedback": "Happy"}}}
    desk.update(rob, deal_id, both)
    assert not desk.task(deal_id, "Approve solution").waiting
    assert [r.task.title for r in desk.step(approval_inbox, mia)] == ["Approve solution"]
    assert "Approve solution" in [t.title for t in desk.my_tasks(mia)]

    # Clearing a field takes it back out of the lists.
    desk.update(rob, deal_id, {"stage_fields": {"solution_design": {"customer_feedback": None}}})
    assert list(desk.step(approval_inbox, mia)) == []
    desk.update(rob, deal_id, both)

    desk.do(mia, deal_id, "Approve solution", data={"decision": "approve", "comment": "Go"})
    assert desk.deal(deal_id).stage == "quote_and_bid"
    desk.assert_state_round_trips(deal_id)


def test_an_approval_whose_requirements_are_met_is_offered_at_once(desk: Desk) -> None:
    rob, mia = desk.team.rob, desk.team.mia
    deal_id = at_present_solution(desk)
    fields = {"design_summary": "One site", "customer_feedback": "Yes"}
    desk.update(rob, deal_id, {"stage_fields": {"solution_design": fields}})

    done = desk.do(rob, deal_id, "Present solution")
    assert done.approval_waits_for == ()
    assert not desk.task(deal_id, "Approve solution").waiting
    assert [r.task.title for r in desk.step(approval_inbox, mia)] == ["Approve solution"]
