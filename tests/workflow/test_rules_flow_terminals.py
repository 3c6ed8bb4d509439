"""Outcomes, their labels and probabilities, orders, lost reasons and post-sale stages
(tests/data/rules/terminals.bpmn)."""

from __future__ import annotations

import pytest

from bpmn_sales.errors import InvalidInput, InvalidState, RuleViolation
from bpmn_sales.services import processes
from tests.workflow.rules_helpers import ROUNDTRIP, RULES, Desk

pytestmark = ROUNDTRIP


def test_win_needs_the_obligatory_activity_and_an_order(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("terminals"))
    assert (deal.stage, deal.probability) == ("offer", 0)
    before = desk.frozen(deal.id)

    with pytest.raises(RuleViolation) as early:
        desk.close(rob, deal.id, "won")
    assert early.value.message == (
        f"deal {deal.id} cannot be won: obligatory activity 'Send the offer' (Offer) is not "
        "done; an order must exist to win"
    )
    with pytest.raises(RuleViolation) as order_early:
        desk.order(rob, deal.id)
    assert order_early.value.message == (
        f"deal {deal.id}: orders may be created only from stage 'Contract' on; "
        "the deal is at 'Offer'"
    )
    assert desk.frozen(deal.id) == before

    desk.do(rob, deal.id, "Send the offer")
    assert desk.deal(deal.id).stage == "contract"
    with pytest.raises(RuleViolation) as no_order:
        desk.close(rob, deal.id, "won")
    assert no_order.value.details == {"unmet": ["an order must exist to win"]}

    order = desk.order(rob, deal.id)
    assert (order["number"], order["status"]) == (f"SO-{deal.id:05d}-1", "open")
    desk.assert_state_round_trips(deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.outcome_label, won.probability) == ("won", "Signed", 100)
    assert (won.stage, won.stage_name) == ("delivery", "Delivery")
    assert [t.title for t in won.tasks] == ["Deliver the order"]
    assert won.closed_at is not None
    desk.assert_state_round_trips(deal.id)

    desk.do(rob, deal.id, "Deliver the order")
    delivered = desk.deal(deal.id)
    # Event_Delivered carries only outcome=won: the label is the default, not the event name.
    assert (delivered.status, delivered.outcome_label, delivered.probability) == (
        "won",
        "Won",
        100,
    )
    assert (delivered.tasks, delivered.closed_at) == ([], won.closed_at)
    assert [(h.action, h.from_status, h.to_status) for h in desk.history(deal.id)][-2:] == [
        ("closed", "open", "won"),
        ("task_completed", "won", "won"),
    ]

    reopened = desk.reopen(rob, deal.id)
    assert (reopened.status, reopened.stage, reopened.reopened_from_id) == (
        "open",
        "offer",
        deal.id,
    )
    assert [t.title for t in reopened.tasks] == ["Send the offer"]


def test_lost_needs_one_of_the_configured_reasons(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("terminals"))
    expected = {
        None: "a lost deal needs a reason, one of: Price; Timing",
        "Budget": "lost reason 'Budget' is not one of the configured reasons: Price; Timing",
    }
    for reason, message in expected.items():
        with pytest.raises(InvalidInput) as refused:
            desk.close(rob, deal.id, "lost", reason)
        assert (refused.value.field, refused.value.message) == ("reason", message)

    lost = desk.close(rob, deal.id, "lost", " Timing ")
    assert (lost.status, lost.outcome_label, lost.probability, lost.lost_reason) == (
        "lost",
        "Dropped",
        0,
        "Timing",
    )
    assert lost.tasks == []
    with pytest.raises(InvalidState):
        desk.close(rob, deal.id, "won")
    desk.assert_state_round_trips(deal.id)

    reopened = desk.reopen(rob, deal.id)
    assert (reopened.status, reopened.stage, reopened.probability) == ("open", "offer", 0)
    assert desk.deal(deal.id).reopened_as_id == reopened.id


def test_invalid_and_unknown_outcomes(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(desk.deploy("terminals"))
    with pytest.raises(InvalidInput) as unknown:
        desk.close(rob, deal.id, "abandoned")
    assert unknown.value.message == ("outcome must be one of won, lost, invalid, not 'abandoned'")

    spam = desk.close(rob, deal.id, "invalid", "Test entry")
    assert (spam.status, spam.outcome_label, spam.probability, spam.lost_reason) == (
        "invalid",
        "Spam",
        0,
        "Test entry",
    )
    reopened = desk.reopen(rob, deal.id)
    assert (reopened.status, reopened.stage) == ("open", "offer")


def test_orders_after_a_stage_wait_until_it_is_completed(desk: Desk) -> None:
    """Fxiaoke: orders after the pre-sale stage is completed (orders_after_stage), not on
    reaching it (tests/data/rules/unrated.bpmn, whose deals wait for a close after Offer)."""
    rob = desk.team.rob
    xml = (RULES / "unrated.bpmn").read_text()
    won = '<spiffworkflow:property name="outcome" value="won" />'
    after = won + '\n          <spiffworkflow:property name="orders_after_stage" value="offer" />'
    (result,) = processes.deploy_process(
        desk.ctx, desk.team.admin, {"unrated.bpmn": xml.replace(won, after, 1).encode()}
    )
    deal = desk.create(result.key)
    assert desk.deal(deal.id).stage == "contact"
    desk.do(rob, deal.id, "Send an introduction")
    desk.do(rob, deal.id, "Book a meeting")
    assert desk.deal(deal.id).stage == "offer"
    with pytest.raises(RuleViolation) as reached:
        desk.order(rob, deal.id)
    assert reached.value.message == (
        f"deal {deal.id}: orders may be created only once stage 'Offer' is completed; "
        "the deal is at 'Offer'"
    )

    desk.do(rob, deal.id, "Send the offer")  # Offer is done; the deal waits for a close there
    assert desk.deal(deal.id).stage == "offer"
    order = desk.order(rob, deal.id)
    assert order["status"] == "open"
    desk.assert_state_round_trips(deal.id)
    assert desk.close(rob, deal.id, "won").status == "won"
