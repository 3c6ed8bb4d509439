"""Stage approval by the owner's direct manager (tests/data/rules/approval.bpmn)."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.errors import Forbidden, InvalidInput, NotFound
from bpmn_sales.services.delivery import notices
from tests.workflow.rules_helpers import ROUNDTRIP, Desk

pytestmark = ROUNDTRIP


def offer_ready_for_approval(desk: Desk, owner: Any) -> int:
    deal = desk.create(desk.deploy("approval"), owner=owner)
    desk.do(owner, deal.id, "Prepare offer")
    assert desk.titles(deal.id) == ["Approve offer"]
    return deal.id


def test_approval_task_goes_to_the_direct_manager_only(desk: Desk) -> None:
    team = desk.team
    max_ = desk.user("max", "manager")
    deal_id = offer_ready_for_approval(desk, team.rob)
    task = desk.task(deal_id, "Approve offer")
    assert (task.kind, task.assignee, task.role, task.stage) == (
        "approval",
        "mia",
        "manager",
        "offer",
    )
    assert [t.title for t in desk.my_tasks(team.mia)] == ["Approve offer"]

    with pytest.raises(Forbidden) as owner:
        desk.do(team.rob, deal_id, "Approve offer", data={"decision": "approve"})
    assert owner.value.message == (
        "'Approve offer' may be completed only by the owner's direct manager (mia)"
    )
    # another team's manager and rep cannot see the task at all: as if it did not exist
    with pytest.raises(NotFound) as other_manager:
        desk.do(max_, deal_id, "Approve offer", data={"decision": "approve"})
    assert other_manager.value.message == f"task '{task.task_id}' is not a ready task"
    with pytest.raises(NotFound) as other_rep:
        desk.do(team.sara, deal_id, "Approve offer", data={"decision": "approve"})
    assert other_rep.value.message == other_manager.value.message

    desk.do(team.mia, deal_id, "Approve offer", data={"decision": "approve", "comment": "Fine"})
    view = desk.deal(deal_id)
    assert (view.stage, desk.titles(deal_id)) == ("contract", ["Sign the contract"])
    assert view.detail is not None
    assert [
        (a["stage"], a["decision"], a["comment"], a["by"]) for a in view.detail["approvals"]
    ] == [("offer", "approve", "Fine", "mia")]
    desk.assert_state_round_trips(deal_id)


def test_an_admin_may_approve(desk: Desk) -> None:
    deal_id = offer_ready_for_approval(desk, desk.team.rob)
    desk.do(desk.team.admin, deal_id, "Approve offer", data={"decision": "approve"})
    assert desk.deal(deal_id).stage == "contract"


def test_reject_needs_a_comment_and_sends_the_deal_to_revision(desk: Desk) -> None:
    team = desk.team
    deal_id = offer_ready_for_approval(desk, team.rob)
    before = desk.frozen(deal_id)
    with pytest.raises(InvalidInput) as no_comment:
        desk.do(team.mia, deal_id, "Approve offer", data={"decision": "reject", "comment": " "})
    assert (no_comment.value.field, no_comment.value.message) == (
        "data.comment",
        "a rejection needs a comment saying why",
    )
    assert desk.frozen(deal_id) == before

    desk.do(team.mia, deal_id, "Approve offer", data={"decision": "reject", "comment": "Too low"})
    view = desk.deal(deal_id)
    assert view.stage == "offer"
    revise = desk.task(deal_id, "Revise offer")
    assert (revise.kind, revise.assignee) == ("task", "rob")
    assert view.detail is not None
    assert [(a["decision"], a["comment"], a["by"]) for a in view.detail["approvals"]] == [
        ("reject", "Too low", "mia")
    ]
    assert view.detail["unmet_requirements"] == ["the direct manager's approval was rejected"]
    inbox = desk.step(notices.list_notifications, team.rob).to_dict()
    assert inbox["unread"] == 1
    assert [(n["kind"], n["message"]) for n in inbox["notifications"]] == [
        (
            "approval",
            f"mia rejected stage 'Offer' of deal {deal_id} (Acme rollout). Comment: Too low",
        )
    ]
    desk.assert_state_round_trips(deal_id)

    desk.do(team.rob, deal_id, "Revise offer")
    assert desk.task(deal_id, "Approve offer").assignee == "mia"
    desk.do(team.mia, deal_id, "Approve offer", data={"decision": "approve"})
    view = desk.deal(deal_id)
    assert view.stage == "contract"
    assert view.detail is not None
    assert [a["decision"] for a in view.detail["approvals"]] == ["reject", "approve"]
    assert desk.step(notices.list_notifications, team.rob).unread == 2


def test_owner_without_manager_needs_an_admin(desk: Desk) -> None:
    team = desk.team
    deal_id = offer_ready_for_approval(desk, team.olga)
    task = desk.task(deal_id, "Approve offer")
    assert (task.kind, task.assignee) == ("approval", None)

    with pytest.raises(Forbidden) as owner:
        desk.do(team.olga, deal_id, "Approve offer", data={"decision": "approve"})
    assert owner.value.message == (
        "'Approve offer' may be completed only by an admin (the owner has no manager)"
    )
    with pytest.raises(NotFound):  # mia is not olga's manager: she cannot see the deal
        desk.do(team.mia, deal_id, "Approve offer", data={"decision": "approve"})

    desk.do(team.admin, deal_id, "Approve offer", data={"decision": "approve"})
    view = desk.deal(deal_id)
    assert view.stage == "contract"
    assert view.detail is not None
    assert [a["by"] for a in view.detail["approvals"]] == ["admin"]
