"""Time the analytics queries on a large, realistic data set: 100k and 1M deals.

    python bench/analytics.py [--sizes 100000,1000000] [--database-url URL] [--repeat 3]

Each size gets a fresh SQLite file (WAL, the product's migrations and indexes) in a temporary
directory, or, with --database-url (e.g. PostgreSQL), that database emptied first. Deals are
bulk-inserted with raw SQL (executemany): 60 owners in 6 teams and 2 departments, created
over three years, each walking the sales process's stages with 1-15 days per stage and
ending open (30%), lost at some stage (45%, with a reason) or won (25%, then post-sale);
every stage change also gets its history row and stage visit, as the product writes them;
about 2% of lost deals are reopened. After ANALYZE, the funnel, losses (with win rate),
forecast and win-rate calibration reports run through the real use cases (services.analytics*)
as an admin, all deals, no filters (the heaviest case), plus one team and one quarter; each
timed as the median of --repeat warm runs. The deals have no stored instance snapshot (the
reports never read one). The last line is `funnel_ms=X losses_ms=Y forecast_ms=Z deals=N`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.services import analytics, processes
from bpmn_sales.services.analytics import calibration
from bpmn_sales.services.analytics.scope import Filters

STAGES = ["initial_visit", "needs_analysis", "solution_design", "quote_and_bid"]
NAMES = ["Initial visit", "Needs analysis", "Solution design", "Quote and bid"]
PROBABILITY = [10, 30, 50, 80]
REASONS = ["Too expensive", "Lost to a competitor", "No budget", "No decision", "Other"]
START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 31, tzinfo=UTC)
BATCH = 20_000


def _users(conn: Any) -> None:
    conn.execute(
        text(
            "INSERT INTO departments (id, name, created_at) "
            "VALUES (1, 'Sales', :t), (2, 'Field', :t)"
        ),
        {"t": START},
    )
    rows = [{"id": 1, "u": "admin", "r": "admin", "m": None, "d": 1}]
    for team in range(6):
        boss = 2 + team * 10
        rows.append(
            {"id": boss, "u": f"manager{team}", "r": "manager", "m": None, "d": 1 + team % 2}
        )
        rows += [
            {"id": boss + i, "u": f"rep{team}_{i}", "r": "rep", "m": boss, "d": 1 + team % 2}
            for i in range(1, 10)
        ]
    conn.execute(
        text(
            "INSERT INTO users (id, username, full_name, role, manager_id, department_id, "
            "created_at) VALUES (:id, :u, :u, :r, :m, :d, :t)"
        ),
        [{**r, "t": START} for r in rows],
    )


def _deal(
    i: int, rng: random.Random, version_id: int
) -> tuple[dict[str, Any], list[Any], list[Any]]:
    owner = 2 + rng.randrange(6) * 10 + rng.randrange(10)
    created = START + timedelta(
        seconds=rng.randrange(int((NOW - START).total_seconds()) - 86400 * 60)
    )
    roll = rng.random()
    last = rng.choices(range(4), weights=[35, 30, 20, 15])[0]
    status = "open" if roll < 0.30 else ("lost" if roll < 0.75 else "won")
    if status == "won":
        last = 3
    at, visits, history = created, [], [(created, "created", None, STAGES[0], None, "open")]
    for n in range(last + 1):
        stay = timedelta(days=rng.randint(1, 15), hours=rng.randrange(24))
        left = None if (n == last and status == "open") else at + stay
        visits.append((STAGES[n], at, left, int(stay.total_seconds() // 3600) if left else None))
        if left and n < last:
            history.append((left, "task_completed", STAGES[n], STAGES[n + 1], "open", "open"))
        at = left or at
    stage = STAGES[last]
    closed = None
    if status != "open":
        closed = at
        to_stage = "installation" if status == "won" else stage
        history.append(
            (closed, "closed", stage if status == "won" else None, to_stage, "open", status)
        )
        if status == "won":
            visits.append(("installation", closed, None, None))
            stage = "installation"
    reached = "|".join(sorted({v[0] for v in visits}))
    expected = (at + timedelta(days=rng.randint(10, 120))).date() if status == "open" else None
    deal = {
        "id": i,
        "name": f"Deal {i}",
        "value": rng.randrange(1000, 100000, 500),
        "currency": "USD",
        "status": status,
        "stage_key": stage,
        "stage_name": stage,
        "probability": PROBABILITY[last] if status == "open" else (100 if status == "won" else 0),
        "owner_id": owner,
        "lost_reason": rng.choice(REASONS) if status == "lost" else None,
        "closed_at": closed,
        "process_version_id": version_id,
        "fields": "{}",
        "stage_fields": "{}",
        "activities_done": "[]",
        "expected_close_date": expected,
        "stage_entered_at": visits[-1][1],
        "outcome_label": None if status == "open" else status,
        "version": len(history),
        "created_at": created,
        "updated_at": at,
        "stages_reached": reached,
    }
    return deal, visits, history


def load(ctx: Context, deals: int, seed: int = 8) -> None:
    rng = random.Random(seed)
    with ctx.db.begin() as conn:
        _users(conn)
        version_id, process_id = conn.execute(
            text(
                "SELECT v.id, v.process_id FROM process_versions v JOIN processes p "
                "ON p.id = v.process_id WHERE p.key = 'sales_process'"
            )
        ).one()
    columns = list(_deal(1, random.Random(0), version_id)[0])
    insert_deal = text(
        f"INSERT INTO deals ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    insert_visit = text(
        "INSERT INTO stage_visits (deal_id, process_id, stage_key, owner_id, entered_at, left_at, "
        "hours) VALUES (:d, :p, :s, :o, :e, :l, :n)"
    )
    insert_history = text(
        "INSERT INTO history (subject_type, subject_id, at, action, from_stage, to_stage, "
        "from_status, to_status, detail) VALUES ('deal', :d, :at, :a, :fs, :ts, :fx, :tx, '{}')"
    )
    lost: list[int] = []
    for first in range(1, deals + 1, BATCH):
        rows, visits, history = [], [], []
        for i in range(first, min(first + BATCH, deals + 1)):
            deal, stays, entries = _deal(i, rng, version_id)
            rows.append(deal)
            if deal["status"] == "lost":
                lost.append(i)
            visits += [
                {"d": i, "p": process_id, "s": s, "o": deal["owner_id"], "e": e, "l": lft, "n": n}
                for s, e, lft, n in stays
            ]
            history += [
                {"d": i, "at": at, "a": a, "fs": fs, "ts": ts, "fx": fx, "tx": tx}
                for at, a, fs, ts, fx, tx in entries
            ]
        with ctx.db.begin() as conn:
            conn.execute(insert_deal, rows)
            conn.execute(insert_visit, visits)
            conn.execute(insert_history, history)
    with ctx.db.begin() as conn:  # ~2% of lost deals reopened: the link on the new deal
        reopened = rng.sample(lost, len(lost) // 50)
        conn.execute(
            text("UPDATE deals SET reopened_from_id = :old WHERE id = :new"),
            [
                {"old": old, "new": new}
                for old, new in zip(
                    reopened, rng.sample(range(1, deals + 1), len(reopened)), strict=True
                )
                if old != new
            ],
        )
        conn.execute(text("ANALYZE"))


def timed(run: Callable[[], Any], repeat: int) -> float:
    run()  # warm: spec cache, page cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(ctx: Context, repeat: int) -> dict[str, float]:
    admin = Actor(1, "admin", Role.ADMIN)
    everyone = Filters()
    team_quarter = Filters(team="manager0", start="2026-07-01", end="2026-09-30")
    return {
        "funnel": timed(lambda: analytics.funnel(ctx, admin, everyone), repeat),
        "losses": timed(lambda: analytics.losses(ctx, admin, everyone), repeat),
        "forecast": timed(lambda: analytics.forecast(ctx, admin, everyone), repeat),
        "time_in_stage": timed(lambda: analytics.time_in_stage(ctx, admin, everyone), repeat),
        "calibration": timed(lambda: calibration.calibration(ctx, admin, everyone), repeat),
        "funnel_team_quarter": timed(lambda: analytics.funnel(ctx, admin, team_quarter), repeat),
        "losses_team_quarter": timed(lambda: analytics.losses(ctx, admin, team_quarter), repeat),
    }


def fresh(url: str) -> Context:
    """An empty database at `url` (PostgreSQL: its public schema dropped), migrated, with the
    bundled processes deployed, on the bench's fixed clock."""
    ctx = Context(url, clock=lambda: NOW)
    if not url.startswith("sqlite"):
        with ctx.db.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    ctx.migrate()
    processes.deploy_bundled(ctx)
    return ctx


def run_size(url: str, deals: int, repeat: int) -> dict[str, float]:
    ctx = fresh(url)
    started = time.perf_counter()
    load(ctx, deals)
    load_s = time.perf_counter() - started
    figures = measure(ctx, repeat)
    ctx.close()
    print(
        f"deals={deals} load_s={load_s:.0f} "
        + " ".join(f"{k}_ms={v:.0f}" for k, v in figures.items()),
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            url = args.database_url or f"sqlite:///{Path(tmp) / f'bench-{size}.sqlite3'}"
            results[size] = run_size(url, size, args.repeat)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print("growth " + " ".join(f"{k}=x{large[k] / max(small[k], 0.01):.1f}" for k in small))
    last = results[sizes[-1]]
    print(
        f"funnel_ms={last['funnel']:.0f} losses_ms={last['losses']:.0f} "
        f"forecast_ms={last['forecast']:.0f} deals={sizes[-1]}"
    )


if __name__ == "__main__":
    main()
