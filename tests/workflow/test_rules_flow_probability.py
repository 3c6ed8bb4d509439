"""Win probability on rated and unrated stages (tests/data/rules/rated.bpmn, unrated.bpmn)."""

from __future__ import annotations

from tests.workflow.rules_helpers import ROUNDTRIP, Desk

pytestmark = ROUNDTRIP


def test_rated_stages_move_from_rate_to_next_rate_by_done_weight(desk: Desk) -> None:
    process = desk.deploy("rated")
    rob = desk.team.rob
    deal = desk.create(process)
    seen = [(deal.stage, deal.probability)]
    for title in ("Call the customer", "Visit the customer", "Write the proposal"):
        desk.do(rob, deal.id, title)
        view = desk.deal(deal.id)
        seen.append((view.stage, view.probability))
    assert desk.titles(deal.id) == ["Present the proposal"]
    desk.do(rob, deal.id, "Present the proposal")
    view = desk.deal(deal.id)
    seen.append((view.stage, view.probability))

    # 20 + (60-20)*1/4; then stage 2 starts at its rate; 60 + (100-60)*2/4; last stage done.
    assert seen == [
        ("discovery", 20),
        ("discovery", 30),
        ("proposal", 60),
        ("proposal", 80),
        ("proposal", 100),
    ]
    assert (view.status, view.tasks) == ("open", [])
    desk.assert_state_round_trips(deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.probability, won.outcome_label) == ("won", 100, "Won")


def test_rated_share_counts_weight_not_activities(desk: Desk) -> None:
    process = desk.deploy("rated")
    rob = desk.team.rob
    deal = desk.create(process)
    desk.do(rob, deal.id, "Visit the customer")
    # weight 3 of 4: 20 + 40 * 3/4
    assert desk.deal(deal.id).probability == 50
    desk.do(rob, deal.id, "Call the customer")
    assert (desk.deal(deal.id).stage, desk.deal(deal.id).probability) == ("proposal", 60)


def test_rated_lost_is_zero(desk: Desk) -> None:
    process = desk.deploy("rated")
    rob = desk.team.rob
    deal = desk.create(process)
    desk.do(rob, deal.id, "Call the customer")
    assert desk.deal(deal.id).probability == 30
    lost = desk.close(rob, deal.id, "lost", "Too expensive")
    assert (lost.status, lost.probability, lost.outcome_label, lost.lost_reason) == (
        "lost",
        0,
        "Lost",
        "Too expensive",
    )


def test_unrated_stages_count_done_share_of_all_weight(desk: Desk) -> None:
    process = desk.deploy("unrated")
    rob = desk.team.rob
    deal = desk.create(process)
    seen = [(deal.stage, deal.probability)]
    for title in ("Send an introduction", "Book a meeting", "Send the offer"):
        desk.do(rob, deal.id, title)
        view = desk.deal(deal.id)
        seen.append((view.stage, view.probability))
    # weights 1, 1, 2 of 4
    assert seen == [("contact", 0), ("contact", 25), ("offer", 50), ("offer", 100)]
    desk.assert_state_round_trips(deal.id)
    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.probability) == ("won", 100)
