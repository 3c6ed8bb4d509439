"""Instance state as snapshot + journal with two server processes on one database.

Each Context stands for a process: its own connections and its own live-instance cache. The
same deal, driven by both in turn, must never be acted on from a stale instance, and what
storage holds (snapshot plus journal) must restore to exactly the instance that wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import orjson
import pytest
from alembic import command
from sqlalchemy import inspect

from bpmn_sales.context import Context
from bpmn_sales.persistence.db import alembic_config
from bpmn_sales.persistence.models import Deal, Lead
from bpmn_sales.persistence.store import UnitOfWork
from bpmn_sales.services import common, deals, leads, worklist
from tests import helpers


class Alternating:
    """A Context that hands each use case (each unit of work) to the next of two contexts."""

    def __init__(self, first: Context, second: Context) -> None:
        self.contexts = (first, second)
        self.turn = 1
        self.uses = [0, 0]

    def uow(self) -> UnitOfWork:
        self.turn ^= 1
        self.uses[self.turn] += 1
        return self.contexts[self.turn].uow()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.contexts[self.turn], name)


@pytest.fixture
def other(ctx: Context) -> Iterator[Context]:
    """A second process on the same database: its own connections and live cache."""
    second = Context(ctx.database_url, clock=ctx.clock)
    yield second
    second.close()


def stored_matches_live(context: Context, kind: str, subject_id: int) -> bool:
    """Whether the context's live instance of the subject (if any, at the current version)
    is exactly what storage holds; False when it holds none for the current version."""
    with context.uow() as store:
        subject = store.get(Deal if kind == "deal" else Lead, subject_id, kind)
        live = context.live.take((kind, subject_id, subject.version))
        if live is None:
            return False
        stored = common.stored_state(context, store, subject)
        snapshot, journal = store.instance_state(subject)
        restored = context.engine.restore(
            store.version_digest(subject.process_version_id),
            lambda: store.spec_json(subject.process_version_id),
            snapshot,
            journal,
        )
    full = orjson.loads(context.engine.dump(live))
    assert orjson.loads(stored) == full
    assert orjson.loads(context.engine.dump(restored)) == full
    return True


def journal_rows(flow: Any, deal_id: int) -> int:
    return int(
        flow.scalar(
            "SELECT count(*) FROM instance_journal WHERE subject_type = 'deal' AND subject_id = :i",
            i=deal_id,
        )
    )


def test_one_deal_driven_by_two_processes_in_turn(
    ctx: Context, other: Context, team: Any, flow: Any
) -> None:
    both = Alternating(ctx, other)
    as_ctx = cast(Context, both)
    created = deals.create_deal(as_ctx, team.rob, "Two servers", value="10")
    won = helpers.walk_to_won(as_ctx, team.rob, team.mia, created.id)
    assert won.status == "won"
    assert min(both.uses) > 10, both.uses
    # Every step was written against the version the writer read: one history entry each,
    # and the journal holds deltas (a snapshot now and then clears it).
    actions = [h.action for h in deals.deal_history(ctx, team.admin, created.id)]
    assert actions.count("task_completed") >= 8
    # the close, then the follow-up it cancelled ("Analyse needs" made one)
    assert actions[-2:] == ["closed", "follow_ups_cancelled"]
    # The process that wrote last holds the instance; it is exactly what storage holds.
    writer = both.contexts[both.turn]
    checked = [stored_matches_live(c, "deal", created.id) for c in (writer, *both.contexts)]
    assert any(checked)
    # A cold process (nothing in memory) reads the same deal from snapshot + journal.
    cold = Context(ctx.database_url, clock=ctx.clock)
    try:
        view = deals.get_deal(cold, team.rob, created.id)
        assert (view.status, view.version) == ("won", won.version)
    finally:
        cold.close()


def test_a_process_that_missed_a_step_restores_before_acting(
    ctx: Context, other: Context, team: Any, flow: Any
) -> None:
    deal = deals.create_deal(ctx, team.rob, "Missed step", value="10")
    helpers.prepare_initial_visit(ctx, team.rob, deal.id)
    first, second = deals.get_deal(ctx, team.rob, deal.id).tasks
    worklist.complete_task(ctx, team.rob, first.task_id, note="Kim decides")
    kept = [key for key, _ in ctx.live.entries() if key[:2] == ("deal", deal.id)]
    assert kept, "the first process kept the instance it wrote"
    # The second process completes the other task; the first one's copy is now stale.
    worklist.complete_task(other, team.rob, second.task_id, note="Met Kim")
    current = deals.get_deal(other, team.rob, deal.id)
    assert all(key[2] < current.version for key in kept)
    assert journal_rows(flow, deal.id) >= 1
    # The first process acts next: from storage (the stale copy would have had `second`
    # still ready, and its write would have been refused).
    view = deals.get_deal(ctx, team.rob, deal.id)
    assert view.stage == "needs_analysis"
    assert second.task_id not in [t.task_id for t in view.tasks]
    helpers.complete_stage(ctx, team.rob, team.mia, deal.id)
    assert deals.get_deal(other, team.rob, deal.id).stage == "solution_design"
    assert stored_matches_live(ctx, "deal", deal.id)


def test_lead_created_by_one_process_and_qualified_by_the_other(
    ctx: Context, other: Context, team: Any
) -> None:
    lead = leads.create_lead(ctx, team.rob, "Jane Cooper", "Northwind")
    leads.disqualify_lead(other, team.rob, lead.id, "No budget")
    leads.renew_lead(ctx, team.rob, lead.id)
    qualified = leads.qualify_lead(other, team.rob, lead.id)
    assert qualified.status == "qualified"
    assert stored_matches_live(other, "lead", lead.id)


def test_migration_0011_folds_and_restarts_the_journal(ctx: Context, team: Any, flow: Any) -> None:
    """Downgrading folds each journal into its snapshot; upgrading makes the stored state the
    snapshot at the row's version; the deal goes on from there."""
    deal = deals.create_deal(ctx, team.rob, "Migrated", value="10")
    helpers.walk_to(ctx, team.rob, team.mia, deal.id, "solution_design")
    assert journal_rows(flow, deal.id) >= 2
    with ctx.uow() as store:
        composed = common.stored_state(ctx, store, store.get(Deal, deal.id, "deal"))
    version = deals.get_deal(ctx, team.rob, deal.id).version

    config = alembic_config(ctx.db)
    command.downgrade(config, "0010")
    assert "instance_journal" not in inspect(ctx.db).get_table_names()
    state = flow.scalar("SELECT state FROM deals WHERE id = :i", i=deal.id)
    assert orjson.loads(state) == orjson.loads(composed)

    command.upgrade(config, "head")
    row = flow.scalar(
        "SELECT version * 1000000 + state_version * 1000 + instance_version FROM deals "
        "WHERE id = :i",
        i=deal.id,
    )
    assert row == version * 1000000 + version * 1000 + version
    assert journal_rows(flow, deal.id) == 0
    ctx.live.clear()  # a process started after the upgrade
    view = helpers.complete_stage(ctx, team.rob, team.mia, deal.id)
    assert view.stage == "quote_and_bid"
    assert journal_rows(flow, deal.id) >= 1


def test_migration_0030_moves_the_snapshots_out_of_the_rows(
    ctx: Context, team: Any, flow: Any
) -> None:
    """Downgrading puts each snapshot back in its deal's or lead's row; upgrading moves it out
    again, unchanged; the deal and the lead go on from there."""
    deal = deals.create_deal(ctx, team.rob, "Moved out", value="10")
    helpers.walk_to(ctx, team.rob, team.mia, deal.id, "solution_design")
    lead = leads.create_lead(ctx, team.rob, "Moved out", "Acme")
    snapshot = "SELECT state FROM instance_snapshots WHERE subject_type = :k AND subject_id = :i"
    before = {
        "deal": flow.scalar(snapshot, k="deal", i=deal.id),
        "lead": flow.scalar(snapshot, k="lead", i=lead.id),
    }
    assert all(state.startswith("{") for state in before.values())

    config = alembic_config(ctx.db)
    command.downgrade(config, "0029")
    assert "instance_snapshots" not in inspect(ctx.db).get_table_names()
    assert flow.scalar("SELECT state FROM deals WHERE id = :i", i=deal.id) == before["deal"]
    assert flow.scalar("SELECT state FROM leads WHERE id = :i", i=lead.id) == before["lead"]

    command.upgrade(config, "head")
    assert "state" not in {c["name"] for c in inspect(ctx.db).get_columns("deals")}
    assert "state" not in {c["name"] for c in inspect(ctx.db).get_columns("leads")}
    assert flow.scalar(snapshot, k="deal", i=deal.id) == before["deal"]
    assert flow.scalar(snapshot, k="lead", i=lead.id) == before["lead"]
    ctx.live.clear()  # a process started after the upgrade restores from what was moved
    view = helpers.complete_stage(ctx, team.rob, team.mia, deal.id)
    assert view.stage == "quote_and_bid"
    assert leads.qualify_lead(ctx, team.rob, lead.id).status == "qualified"
    assert stored_matches_live(ctx, "deal", deal.id)
    assert stored_matches_live(ctx, "lead", lead.id)
