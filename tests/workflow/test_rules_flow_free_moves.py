"""Free moves between stages, optional stages and obligatory activities
(tests/data/rules/free_moves.bpmn).

Its only obligatory activity is in the last stage, so no move can pass over it; a move refused
for skipping a stage with an obligatory activity is tested on bpmn/openfire_pipeline.bpmn
(test_rules_flow_bundled.py).
"""

from __future__ import annotations

import pytest

from bpmn_sales.errors import InvalidInput, InvalidState, RuleViolation
from tests.workflow.rules_helpers import ROUNDTRIP, Desk

pytestmark = ROUNDTRIP


def test_moves_forward_back_and_on_to_won(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("free_moves"))
    assert (deal.stage, [t.title for t in deal.tasks]) == ("first", ["Do the first step"])
    detail = desk.deal(deal.id).detail
    assert detail is not None and detail["free_moves"] is True

    # Forward over the optional stage.
    view = desk.move(rob, deal.id, "last")
    assert (view.stage, view.stage_name, [t.title for t in view.tasks]) == (
        "last",
        "Last",
        ["Do the last step"],
    )
    desk.assert_state_round_trips(deal.id)
    # Back, whatever is done.
    view = desk.move(rob, deal.id, "first")
    assert (view.stage, [t.title for t in view.tasks]) == ("first", ["Do the first step"])

    before = desk.frozen(deal.id)
    with pytest.raises(InvalidState) as here:
        desk.move(rob, deal.id, "first")
    assert here.value.message == f"deal {deal.id} is already at stage 'First'"
    with pytest.raises(InvalidInput) as unknown:
        desk.move(rob, deal.id, "nowhere")
    assert (unknown.value.field, unknown.value.message) == (
        "stage",
        "stage 'nowhere' does not exist (first, optional_step, last)",
    )
    assert desk.frozen(deal.id) == before

    view = desk.move(rob, deal.id, "optional_step")
    assert (view.stage, [t.title for t in view.tasks]) == (
        "optional_step",
        ["Do the optional step"],
    )
    desk.do(rob, deal.id, "Do the optional step")
    view = desk.deal(deal.id)
    assert (view.stage, view.probability) == ("last", 33)  # weight 1 of 3 done

    with pytest.raises(RuleViolation) as not_yet:
        desk.close(rob, deal.id, "won")
    assert not_yet.value.message == (
        f"deal {deal.id} cannot be won: obligatory activity 'Do the last step' (Last) is not done"
    )
    desk.do(rob, deal.id, "Do the last step")
    view = desk.deal(deal.id)
    assert (view.stage, view.probability, view.tasks) == ("last", 67, [])
    with pytest.raises(InvalidState) as past:
        desk.move(rob, deal.id, "first")
    assert past.value.message == (
        f"deal {deal.id} is not in a stage it can be moved from (it is past its stages)"
    )
    desk.assert_state_round_trips(deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.probability, won.outcome_label) == ("won", 100, "Won")
    moves = [
        (h.from_stage, h.to_stage, h.detail, h.actor)
        for h in desk.history(deal.id)
        if h.action == "moved"
    ]
    assert moves == [
        ("first", "last", {"from": "first", "to": "last"}, "rob"),
        ("last", "first", {"from": "last", "to": "first"}, "rob"),
        ("first", "optional_step", {"from": "first", "to": "optional_step"}, "rob"),
    ]


def test_done_activities_are_remembered_after_moving_back(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("free_moves"))
    desk.do(rob, deal.id, "Do the first step")
    assert (desk.deal(deal.id).stage, desk.deal(deal.id).probability) == ("optional_step", 33)
    view = desk.move(rob, deal.id, "first")
    assert (view.stage, view.probability) == ("first", 33)
    detail = desk.deal(deal.id).detail
    assert detail is not None
    assert [(c["name"], c["done"]) for c in detail["checklist"]] == [("Do the first step", True)]
    # Doing it again counts once.
    desk.do(rob, deal.id, "Do the first step")
    assert (desk.deal(deal.id).stage, desk.deal(deal.id).probability) == ("optional_step", 33)


def test_closed_deal_cannot_move(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("free_moves"))
    desk.close(rob, deal.id, "lost", "No budget")
    with pytest.raises(InvalidState) as closed:
        desk.move(rob, deal.id, "last")
    assert closed.value.message == f"deal {deal.id} is lost, not open"
