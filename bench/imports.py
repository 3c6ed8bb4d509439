"""Rows per second of a CSV lead import against creating the same leads one by one, and the
import's peak memory at two file sizes (it must not grow with the file).

    python bench/imports.py [--rows 2000] [--big 100000] [--database-url URL] [--kind deals]

A fresh SQLite file (or the given database, which must have no user `bench-admin`) gets the
bundled diagrams and that user. Side by side in one run: `--rows` leads created one at a
time through `leads.create_lead` (one transaction each, what a script calling the API or the
CLI per row does), then a file of `--rows` other leads imported with `importing.import_leads` (one
transaction), twice. Then a file of `--big` rows is imported (`--big 0` skips it) and the
process's peak resident memory is printed before and after it (getrusage's high-water mark:
it must barely move if the import streams). The last line is
`import_rows_per_s=X one_by_one_rows_per_s=Y ratio=Z rss_mb_before_big=A rss_mb_after_big=B
big_rows_per_s=C statements_per_batch=D transactions=E` (the big import's rows per second, the
SQL statements it sent per batch of `importing.run.BATCH` rows, and the transactions it
committed: one per batch, so an interrupted import keeps its whole batches).

`--kind deals` imports deals instead (no one-by-one side): a file on the bundled sales process
where, row by row, a deal is open at one of its stages, won there or lost there with a reason,
created and closed on days in the past.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bpmn_sales.context import Context
from bpmn_sales.services import importing, leads, processes
from bpmn_sales.services.importing import ImportOptions
from bpmn_sales.services.importing import run as import_run
from bpmn_sales.services.people import users


def csv_file(first: int, count: int) -> io.BytesIO:
    lines = ["name,company,email,estimated_value"]
    lines += [
        f"Lead {n},Company {n % 97},lead{n}@bench.test,{n % 5000}"
        for n in range(first, first + count)
    ]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


STAGES = ("initial_visit", "needs_analysis", "solution_design", "quote_and_bid")


def deals_file(first: int, count: int, every_stage: bool) -> io.BytesIO:
    """Deals on the sales process: open, won and lost (with a reason) at each of its stages,
    created and closed on days in the past; or, unless `every_stage`, all at its first stage
    and without the day created (the file imports took before they placed deals at any
    stage)."""
    stages = STAGES if every_stage else STAGES[:1]
    lines = ["name,customer,value,stage,status,reason,closed on" + (",created on" * every_stage)]
    for n in range(first, first + count):
        stage = stages[n % len(stages)]
        status = ("open", "open", "lost", "won")[n // len(stages) % 4]
        reason = "No budget" if status == "lost" else ""
        closed = f"2026-03-{1 + n % 28:02d}" if status != "open" else ""
        created = f",2026-01-{1 + n % 28:02d}" if every_stage else ""
        lines.append(
            f"Deal {n},Customer {n % 97},{n % 5000},{stage},{status},{reason},{closed}{created}"
        )
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def one_by_one(ctx: Context, rows: int) -> float:
    admin = users.actor_for_username(ctx, "bench-admin")
    started = time.perf_counter()
    for n in range(rows):
        leads.create_lead(
            ctx, admin, f"Hand {n}", f"Company {n % 97}", f"hand{n}@bench.test", None, n % 5000
        )
    return rows / (time.perf_counter() - started)


def imported(ctx: Context, first: int, rows: int, kind: str = "leads", every: bool = True) -> float:
    """Rows per second of one import of `rows` new leads (or deals)."""
    admin = users.actor_for_username(ctx, "bench-admin")
    stream = csv_file(first, rows) if kind == "leads" else deals_file(first, rows, every)
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int | None) -> None:
        if done % 10_000 == 0:
            print(f"  {phase} {done}/{total or '?'}", file=sys.stderr)

    run = importing.import_leads if kind == "leads" else importing.import_deals
    report = run(ctx, admin, stream, ImportOptions(), progress)
    elapsed = time.perf_counter() - started
    assert report.created == rows, report.to_dict()
    return rows / elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--kind", choices=("leads", "deals"), default="leads")
    parser.add_argument(
        "--first-stage-only",
        action="store_true",
        help="deals: every row at the first stage, no day created (the file imports took before)",
    )
    args = parser.parse_args()
    kind, every = args.kind, not args.first_stage_only
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        ctx = Context(url)
        ctx.migrate()
        processes.deploy_bundled(ctx)
        users.create_user(ctx, None, "bench-admin", "Bench", "admin", None)
        imported(ctx, 10_000_000, 20, kind, every)  # warm-up: imports, caches, the spec parsed once
        hand = one_by_one(ctx, args.rows) if kind == "leads" else float("nan")
        rate = imported(ctx, 0, args.rows, kind, every)
        rate_again = imported(ctx, 20_000_000, args.rows, kind, every)
        print(f"one by one: {hand:.0f} rows/s; import: {rate:.0f} and {rate_again:.0f} rows/s")
        before = after = peak_rss_mb()
        big_rate = per_batch = 0.0
        counts = {"statements": 0, "commits": 0}

        def statement(*_args: object) -> None:
            counts["statements"] += 1

        def commit(*_args: object) -> None:
            counts["commits"] += 1

        if args.big:
            event.listen(ctx.db, "before_cursor_execute", statement)
            event.listen(ctx.db, "commit", commit)
            started, cpu = time.perf_counter(), time.process_time()
            big_rate = imported(ctx, 1_000_000, args.big, kind, every)
            cpu = time.process_time() - cpu
            after = peak_rss_mb()
            took = time.perf_counter() - started
            event.remove(ctx.db, "before_cursor_execute", statement)
            event.remove(ctx.db, "commit", commit)
            batches = -(-args.big // import_run.BATCH)
            per_batch = counts["statements"] / batches
            print(
                f"{args.big} rows imported in {took:.0f} s: {big_rate:.0f} rows/s "
                f"({cpu:.0f} s of this process's CPU: {args.big / cpu:.0f} rows per CPU second)"
            )
            print(
                f"{counts['statements']} statements in {batches} batches of {import_run.BATCH} "
                f"rows, {counts['commits']} transactions"
            )
        ctx.close()
    print(
        f"import_rows_per_s={rate_again:.0f} one_by_one_rows_per_s={hand:.0f} "
        f"ratio={rate_again / hand:.2f} rss_mb_before_big={before:.0f} "
        f"rss_mb_after_big={after:.0f} big_rows_per_s={big_rate:.0f} "
        f"statements_per_batch={per_batch:.0f} transactions={counts['commits']}"
    )


if __name__ == "__main__":
    main()
