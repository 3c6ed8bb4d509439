"""Time the worker's due-timer lookup and one firing pass as the number of waiting deals grows.

    python bench/timers.py [--sizes 100000,1000000] [--due 1000] [--database-url URL]

For each size N: a fresh database holds N open deals of the bundled sales process, each
waiting at two stage timers (reminder and escalation), so 2N rows in `timers`. `--due` of
them (real deals, started through `create_deal` with SpiffWorkflow's clock moved 8 days
back) have their reminder due now; the other N - due are bulk copies of one real deal whose
timers are due next week (see bench/README.md for what a copy holds).

Measured, side by side on the same table:
  (a) index:  the worker's lookup, `store.due_subjects(now, due)`: a range scan on
              ix_timers_due_at (median of 7 runs).
  (b) scan:   the same query forced to read the whole table (SQLite NOT INDEXED,
              PostgreSQL with index scans off): what a lookup without the index costs.
  pass:       one `Worker.run_pass()` with batch = due: finds, fires and commits every due
              deal (restore, fire, save, re-project, history, notice).
The last line is `due_lookup_ms=X fire_rate_per_s=Y` for the largest size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import Engine, create_engine, insert, select, text

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Deal, Timer
from bpmn_sales.services import deals, processes
from bpmn_sales.services.people import users
from bpmn_sales.services.worker.loop import Worker

CHUNK = 20_000


def reset(url: str) -> None:
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def fill(ctx: Context, size: int, due: int) -> None:
    """`due` real deals with a reminder due now, then filler copies up to `size` deals."""
    ctx.migrate()
    processes.deploy_bundled(ctx)
    users.create_user(ctx, None, "admin", "Admin", "admin")
    users.create_user(ctx, None, "rep", "Rep", "rep")
    rep = users.actor_for_username(ctx, "rep")
    with time_machine.travel(datetime.now(UTC) - timedelta(days=8), tick=False):
        for i in range(due):
            deals.create_deal(ctx, rep, f"Due {i}", "Acme", 1000)
    template = deals.create_deal(ctx, rep, "Template", "Acme", 1000).id
    table = Deal.__table__
    now = datetime.now(UTC)
    with ctx.db.begin() as conn:
        row = dict(conn.execute(select(table).where(table.c.id == template)).mappings().one())
        row.pop("id")
        made = due + 1
        while made < size:
            batch = min(CHUNK, size - made)
            copies = [{**row, "name": f"Filler {made + i}"} for i in range(batch)]
            first = conn.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1))
            start_id = first.scalar_one() + 1
            conn.execute(insert(table), [{**c, "id": start_id + i} for i, c in enumerate(copies)])
            timers = []
            for i in range(batch):
                later = now + timedelta(days=7, minutes=(made + i) % 10_000)
                for element, offset in (("Reminder", 0), ("Escalation", 3)):
                    timers.append(
                        {
                            "task_id": str(uuid.uuid4()),
                            "subject_type": "deal",
                            "subject_id": start_id + i,
                            "element_id": f"Event_InitialVisit{element}",
                            "name": element,
                            "due_at": later + timedelta(days=offset),
                            "created_at": now,
                        }
                    )
            conn.execute(insert(Timer.__table__), timers)
            made += batch


def analyse(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def lookup_ms(ctx: Context, due: int, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        with ctx.uow() as store:
            start = time.perf_counter()
            found = store.due_subjects(datetime.now(UTC), due)
            times.append(time.perf_counter() - start)
        assert len(found) == due, (len(found), due)
    return 1000 * statistics.median(times)


def scan_ms(engine: Engine, due: int, runs: int = 3) -> float:
    sqlite = engine.dialect.name == "sqlite"
    source = "timers NOT INDEXED" if sqlite else "timers"
    sql = text(
        f"SELECT subject_type, subject_id FROM {source} WHERE due_at <= :now "
        "ORDER BY due_at LIMIT :n"
    )
    times = []
    for _ in range(runs):
        with engine.begin() as conn:
            if not sqlite:
                conn.execute(text("SET LOCAL enable_indexscan = off"))
                conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            start = time.perf_counter()
            rows = conn.execute(sql, {"now": datetime.now(UTC), "n": due}).all()
            times.append(time.perf_counter() - start)
        assert len({tuple(r) for r in rows}) == due
    return 1000 * statistics.median(times)


def plan(engine: Engine, due: int) -> str:
    """The database's plan for the worker's query (the nodes, without costs)."""
    params = {"now": datetime.now(UTC), "n": due}
    query = (
        "SELECT subject_type, subject_id FROM timers WHERE due_at <= :now ORDER BY due_at LIMIT :n"
    )
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {query}"), params).all()
            return "; ".join(str(r[-1]) for r in rows)
        rows = conn.execute(text(f"EXPLAIN (COSTS OFF) {query}"), params).all()
        return "; ".join(str(r[0]).strip(" ->") for r in rows)


def measure(url: str, size: int, due: int) -> dict[str, Any]:
    reset(url)
    ctx = Context(url)
    try:
        started = time.perf_counter()
        fill(ctx, size, due)
        analyse(ctx.db)
        filled = time.perf_counter() - started
        with ctx.db.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM timers")).scalar_one()
        index = lookup_ms(ctx, due)
        scan = scan_ms(ctx.db, due)
        how = plan(ctx.db, due)
        ctx.live.clear()  # the pass restores every instance from its stored state
        worker = Worker(ctx, batch=due)
        start = time.perf_counter()
        result = worker.run_pass()
        elapsed = time.perf_counter() - start
        fired = len(result.fired)
        assert fired == due, (fired, due)
    finally:
        ctx.close()
    print(
        f"{size:>9,} deals, {rows:>9,} timer rows (filled in {filled:.0f} s): "
        f"lookup (a) index {index:8.2f} ms, (b) scan {scan:9.2f} ms, "
        f"scan/index {scan / index:7.1f}x; pass fired {fired} deals in {elapsed:.2f} s "
        f"= {fired / elapsed:.0f}/s"
    )
    print(f"    plan: {how}")
    return {"lookup": index, "rate": fired / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="Deal counts, comma-separated.")
    parser.add_argument("--due", type=int, default=1000, help="Deals with a due timer.")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL; its public schema is dropped and recreated."
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = args.database_url or f"sqlite:///{Path(tmp) / f'timers_{size}.sqlite3'}"
            results.append(measure(url, size, args.due))
    if len(results) > 1:
        growth = sizes[-1] / sizes[0]
        ratio = results[-1]["lookup"] / results[0]["lookup"]
        print(f"deals x{growth:.0f}: lookup x{ratio:.2f}")
    last = results[-1]
    print(f"due_lookup_ms={last['lookup']:.2f} fire_rate_per_s={last['rate']:.1f}")


if __name__ == "__main__":
    main()
