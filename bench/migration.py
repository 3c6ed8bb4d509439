"""Time moving running deals to a new version against a plain restore + dump of the same deal.

    python bench/migration.py [--deals 500] [--database-url URL]

A fresh SQLite file (or the given database, emptied first) gets the bundled diagrams and N
deals of the B2B sales process started through the real use case; every fourth one is walked
through its first stage (contacts, industry, both activities), so it waits in the second. A
new version adds a stage after the first (services.stages.add, as the board does). Then, per
deal, the engine part is timed on the stored state: plan the move (restore on the old spec,
SpecDiff/migrate_workflow, save/restore on the new spec, engine steps) plus the dump of the
result, against restore + dump on the deal's own version; the median of each and their ratio
are printed. Last, the whole apply (migration.apply_all: one transaction per deal, work items,
timers, history) is timed per deal. The last line is
`plan_ms=X restore_dump_ms=Y ratio=Z apply_ms_per_deal=W deals=N`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.engine.running.migration import VersionMove
from bpmn_sales.services import common, deals, processes, worklist
from bpmn_sales.services.deals import records
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import migration, stages


def _walk_first_stage(ctx: Context, rep: Actor, deal_id: int) -> None:
    records.add_contact(ctx, rep, deal_id, "Pat Direct")
    records.add_contact(ctx, rep, deal_id, "Kim Boss")
    deals.update_deal(ctx, rep, deal_id, {"customer_fields": {"industry": "Retail"}})
    for task in deals.deal_tasks(ctx, rep, deal_id):
        worklist.complete_task(ctx, rep, task.task_id, note="done")


def setup(ctx: Context, count: int) -> None:
    ctx.migrate()
    processes.deploy_bundled(ctx)
    users.create_user(ctx, None, "admin", "Admin", "admin", None)
    users.create_user(ctx, None, "rob", "Rob", "rep", None)
    rob = users.actor_for_username(ctx, "rob")
    for n in range(count):
        deal_id = deals.create_deal(ctx, rob, f"Deal {n}", f"Customer {n}", "1000", "USD").id
        if n % 4 == 0:
            _walk_first_stage(ctx, rob, deal_id)
    admin = users.actor_for_username(ctx, "admin")
    stages.add(ctx, admin, "sales_process", "initial_visit", "Site survey", activity="Survey")


def time_engine(ctx: Context) -> tuple[float, float]:
    """Median ms per deal: plan + dump of the moved instance; restore + dump as it is."""
    with ctx.uow() as store:
        process = store.process_by_key("sales_process")
        assert process is not None
        old, new = process.versions[0], process.versions[-1]
        old_source = common.spec_loader(store, old)
        move = VersionMove(ctx.engine, old_source, common.spec_loader(store, new), "version 2")
        on_old = store.deals_on_versions([old.id])
        stored = store.instance_states(on_old)
        states = [ctx.engine.compose(*stored[d.id]) for d in on_old]
    plans, plains = [], []
    for state in states:
        start = time.perf_counter()
        plan = move.plan(state)
        assert plan.instance is not None, plan.reasons
        ctx.engine.dump(plan.instance)
        plans.append(time.perf_counter() - start)
        start = time.perf_counter()
        ctx.engine.dump(ctx.engine.restore(*old_source, state))
        plains.append(time.perf_counter() - start)
    return statistics.median(plans) * 1000, statistics.median(plains) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        ctx = Context(url)
        if args.database_url:
            with ctx.db.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        started = time.perf_counter()
        setup(ctx, args.deals)
        print(f"set up {args.deals} deals in {time.perf_counter() - started:.1f}s")
        plan_ms, plain_ms = time_engine(ctx)
        print(f"per deal: plan + dump {plan_ms:.2f} ms, restore + dump {plain_ms:.2f} ms")
        admin = users.actor_for_username(ctx, "admin")
        ctx.live.clear()
        started = time.perf_counter()
        result = migration.apply_all(ctx, admin, "sales_process", batch=50)
        apply_ms = (time.perf_counter() - started) * 1000 / max(result.moved, 1)
        assert (result.moved, result.refused) == (args.deals, 0), result
        with ctx.uow() as store:
            process = store.process_by_key("sales_process")
            newest = store.latest_version(process.id) if process else None
            moved = store.count_on_versions([newest.id]) if newest else 0
        print(f"apply_all: {result.moved} moved, {moved} on the new version")
        print(
            f"plan_ms={plan_ms:.2f} restore_dump_ms={plain_ms:.2f} "
            f"ratio={plan_ms / plain_ms:.1f} apply_ms_per_deal={apply_ms:.1f} deals={args.deals}"
        )
        ctx.close()


if __name__ == "__main__":
    main()
