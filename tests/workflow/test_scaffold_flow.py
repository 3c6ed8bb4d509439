"""A scaffolded process (`bpmn-sales process new`, engine/editing/scaffold.py) deploys, lints
clean and runs: free moves, the close pattern, post-sale stages and the stage reminders, straight
and restored from storage at every step."""

from __future__ import annotations

import pytest

from bpmn_sales.errors import RuleViolation
from bpmn_sales.services import processes
from bpmn_sales.services.worker import timers
from tests.workflow.rules_helpers import ROUNDTRIP, Desk

pytestmark = ROUNDTRIP

STAGES = "Qualify:10,Propose:30,Negotiate:60"


def deploy(desk: Desk, free_moves: bool, post_sale: str) -> str:
    made = processes.scaffold_process(
        desk.ctx, "key_account", STAGES, post_sale, free_moves, "Key account"
    )
    assert desk.ctx.engine.lint({"key_account.bpmn": made.xml}) == []
    (result,) = processes.deploy_process(desk.ctx, desk.team.admin, {"key_account.bpmn": made.xml})
    assert (result.key, result.name) == ("key_account", "Key account")
    return result.key


def test_free_moves_close_and_post_sale_stages(desk: Desk) -> None:
    rob = desk.team.rob
    key = deploy(desk, True, "Install,Train")
    view = processes.get_process(desk.ctx, key)
    assert [(s["key"], s["order"]) for s in view.stages] == [
        ("qualify", 1),
        ("propose", 2),
        ("negotiate", 3),
        ("install", 4),
        ("train", 5),
    ]
    deal = desk.create(key)
    assert (deal.stage, deal.probability) == ("qualify", 10)
    assert [t.title for t in deal.tasks] == ["Complete Qualify"]
    # Each pre-sale stage has its own 7-day reminder.
    waiting = timers.waiting_timers(desk.ctx, desk.team.admin, "deal", deal.id)
    assert [t.element_id for t in waiting] == ["Event_QualifyReminder"]

    assert desk.move(rob, deal.id, "negotiate").stage == "negotiate"
    assert desk.move(rob, deal.id, "qualify").stage == "qualify"
    desk.do(rob, deal.id, "Complete Qualify")
    assert desk.deal(deal.id).stage == "propose"
    desk.do(rob, deal.id, "Complete Propose")
    desk.do(rob, deal.id, "Complete Negotiate")
    waiting_close = desk.deal(deal.id)
    assert (waiting_close.stage, waiting_close.status, waiting_close.tasks) == (
        "negotiate",
        "open",
        [],
    )
    desk.assert_state_round_trips(deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.stage) == ("won", "install")
    desk.do(rob, deal.id, "Complete Install")
    assert desk.deal(deal.id).stage == "train"
    desk.do(rob, deal.id, "Complete Train")
    done = desk.deal(deal.id)
    assert (done.status, done.tasks) == ("won", [])
    desk.assert_state_round_trips(deal.id)

    lost = desk.create(key, name="Second")
    desk.move(rob, lost.id, "propose")
    assert desk.close(rob, lost.id, "lost", "No budget").status == "lost"


def test_sequential_without_post_sale_ends_at_the_win(desk: Desk) -> None:
    rob = desk.team.rob
    key = deploy(desk, False, "")
    assert [s["key"] for s in processes.get_process(desk.ctx, key).stages] == [
        "qualify",
        "propose",
        "negotiate",
    ]
    deal = desk.create(key)
    with pytest.raises(RuleViolation):  # no free moves in a sequential process
        desk.move(rob, deal.id, "negotiate")
    for stage in ("Qualify", "Propose", "Negotiate"):
        desk.do(rob, deal.id, f"Complete {stage}")
    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.tasks) == ("won", [])
    desk.assert_state_round_trips(deal.id)
