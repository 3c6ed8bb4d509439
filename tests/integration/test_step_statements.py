"""Completing a task runs a fixed, small number of SQL statements on both databases.

The hot path of the product (issue 17): one lookup of the task with its deal, its owner and
whether any webhook is on; the deal row with its version check; the journal delta; the ready
tasks that changed; the history entry; and, on a stage change, one UPDATE closing the stay and
one INSERT opening the next. Each completion below is counted on its own, statement by statement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.services import deals, processes, worklist
from bpmn_sales.services.delivery import webhooks
from tests.statements import Statements

RATED = Path(__file__).resolve().parents[1] / "data" / "rules" / "rated.bpmn"
# Two rated stages with two activities each: the first and third completions stay in their
# stage, the second moves the deal on.
IN_STAGE = 5  # lookup, deal row, journal, work items out, history
STAGE_CHANGE = 8  # ... and the stay closed, the next stay opened, the new work items in


def completions(ctx: Context, team: Any, deal_id: int, count: int) -> list[tuple[int, str, str]]:
    """(statements, stage after, SQL) of completing the deal's first ready task `count` times."""
    counter = Statements(ctx.db)
    found = []
    for _ in range(count):
        task = deals.get_deal(ctx, team.rob, deal_id).tasks[0]
        with counter.counting():
            worklist.complete_task(ctx, team.rob, task.task_id)
        stage = deals.get_deal(ctx, team.rob, deal_id).stage or ""
        found.append((counter.count, stage, counter.summary()))
    return found


def rated_deal(ctx: Context, team: Any, name: str) -> int:
    processes.deploy_process(ctx, team.admin, {RATED.name: RATED.read_bytes()})
    return deals.create_deal(ctx, team.rob, name, "Acme", "100", process="rated").id


def test_a_completed_task_costs_a_fixed_number_of_statements(ctx: Context, team: Any) -> None:
    deal_id = rated_deal(ctx, team, "Counted")
    first, second, third = completions(ctx, team, deal_id, 3)
    # PostgreSQL writes the deal row and appends the delta in one statement (a data-modifying
    # WITH), SQLite in two.
    merged = 1 if ctx.database_url.startswith("postgresql") else 0
    assert first[0] <= IN_STAGE - merged, first[2]
    assert second[1] != first[1], "the second completion leaves the first stage"
    assert second[0] <= STAGE_CHANGE - merged, second[2]
    assert third[0] <= IN_STAGE - merged, third[2]
    # Nothing on the hot path asks for webhooks or the actor's groups on its own.
    for _, _, sql in (first, second, third):
        assert "FROM webhooks" not in sql.split("\n", 1)[1]
        assert "group_members" not in sql
    # One UPDATE closes the stay the deal left; no stay is read first.
    assert "SELECT stage_visits" not in second[2]
    assert second[2].count("UPDATE stage_visits") == 1


def test_the_count_is_the_same_from_storage_as_from_memory(ctx: Context, team: Any) -> None:
    """With no live instance (another process wrote last), restoring adds the row and journal
    reads, nothing that grows with the deal's history."""
    ctx.live.budget = 0
    deal_id = rated_deal(ctx, team, "Cold")
    counts = [c for c, _, _ in completions(ctx, team, deal_id, 3)]
    assert counts[0] <= IN_STAGE + 2 and counts[2] <= IN_STAGE + 2, counts
    assert counts[1] <= STAGE_CHANGE + 2, counts


def test_a_webhook_switched_on_still_gets_the_event(ctx: Context, team: Any, flow: Any) -> None:
    """The lookup's answer about webhooks is the one the history hook uses: with one on, the
    completion queues its event in the same transaction."""
    deal_id = rated_deal(ctx, team, "Watched")
    webhooks.add_webhook(ctx, team.admin, "https://crm.example.test/hook", ["deal.task_completed"])
    before = flow.count("outbox", channel="webhook")
    completions(ctx, team, deal_id, 1)
    assert flow.count("outbox", channel="webhook") == before + 1


def test_the_live_instances_stay_within_their_memory_budget(ctx: Context, team: Any) -> None:
    """Each instance kept counts with its estimated size; past the budget the least recently
    written go, and an estimate is near what the instance really takes."""
    ids = [rated_deal(ctx, team, f"Kept {n}") for n in range(4)]
    held = [(key, instance) for key, instance in ctx.live.entries() if key[1] in ids]
    assert len(held) == 4
    one = held[0][1].memory_estimate()
    assert 10_000 < one < 120_000, one  # tens of KB, as bench/roundtrip.py measures them
    assert ctx.live.used == sum(i.memory_estimate() for _, i in ctx.live.entries())
    ctx.live.clear()
    ctx.live.budget = 2 * one + one // 2  # room for two
    for deal_id in ids:
        completions(ctx, team, deal_id, 1)
    kept = [key[1] for key, _ in ctx.live.entries()]
    assert kept == ids[2:], kept
    assert ctx.live.used <= ctx.live.budget
    ctx.live.budget = 0
    completions(ctx, team, ids[0], 1)
    assert ids[0] not in [key[1] for key, _ in ctx.live.entries()]


def _deal_update(sql: str) -> str:
    """The SET clause of the step's UPDATE of the deal row (or of its WITH on PostgreSQL)."""
    line = next(s for s in sql.split("\n") if "UPDATE deals SET" in s)
    return line.split("UPDATE deals SET", 1)[1].split("WHERE", 1)[0]


def test_the_deal_row_update_sets_only_what_changed(ctx: Context, team: Any) -> None:
    """An UPDATE rewrites an entry in every index holding a column it sets, whatever the value:
    a step in its stage sets neither the status nor the stage, a stage change sets the stage,
    and every column still reads what the step left (the activity done, the new probability)."""
    deal_id = rated_deal(ctx, team, "Narrow")
    before = deals.get_deal(ctx, team.rob, deal_id)
    first, second = completions(ctx, team, deal_id, 2)
    in_stage, moved = _deal_update(first[2]), _deal_update(second[2])
    for column in ("status", "stage_key", "stage_name", "lost_reason", "closed_at"):
        assert f"{column}=" not in in_stage.replace(" ", ""), in_stage
    assert "activities_done" in in_stage and "version" in in_stage
    assert "stage_key" in moved and "status=" not in moved.replace(" ", ""), moved
    after = deals.get_deal(ctx, team.rob, deal_id)
    assert after.status == before.status == "open"
    assert after.stage != before.stage
    assert after.probability != before.probability
