"""Rows per second of a CSV lead import against creating the same leads one by one, and the
import's peak memory at two file sizes (it must not grow with the file).

    python bench/imports.py [--rows 2000] [--big 100000] [--database-url URL]

A fresh SQLite file (or the given database, which must have no user `bench-admin`) gets the
bundled diagrams and that user. Side by side in one run: `--rows` leads created one at a
time through `leads.create_lead` (one transaction each, what a script calling the API or the
CLI per row does), then a file of `--rows` other leads imported with `importing.import_leads` (one
transaction). Then the import's Python heap peak (tracemalloc) is measured on a file of
`--rows` and of `--big` rows (`--big 0` skips it). The last line is
`import_rows_per_s=X one_by_one_rows_per_s=Y ratio=Z peak_mb_small=A peak_mb_big=B`.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bpmn_sales.context import Context
from bpmn_sales.services import importing, leads, processes
from bpmn_sales.services.importing import ImportOptions
from bpmn_sales.services.people import users


def csv_file(first: int, count: int) -> io.BytesIO:
    lines = ["name,company,email,estimated_value"]
    lines += [
        f"Lead {n},Company {n % 97},lead{n}@bench.test,{n % 5000}"
        for n in range(first, first + count)
    ]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def one_by_one(ctx: Context, rows: int) -> float:
    admin = users.actor_for_username(ctx, "bench-admin")
    started = time.perf_counter()
    for n in range(rows):
        leads.create_lead(
            ctx, admin, f"Hand {n}", f"Company {n % 97}", f"hand{n}@bench.test", None, n % 5000
        )
    return rows / (time.perf_counter() - started)


def imported(
    ctx: Context, first: int, rows: int, measure_memory: bool = False
) -> tuple[float, float]:
    """(rows per second, heap peak in MB or 0) of one import of `rows` new leads."""
    admin = users.actor_for_username(ctx, "bench-admin")
    stream = csv_file(first, rows)
    if measure_memory:
        tracemalloc.start()
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int | None) -> None:
        if done % 10_000 == 0:
            print(f"  {phase} {done}/{total or '?'}", file=sys.stderr)

    report = importing.import_leads(ctx, admin, stream, ImportOptions(), progress)
    elapsed = time.perf_counter() - started
    peak = 0.0
    if measure_memory:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    assert report.created == rows, report.to_dict()
    return rows / elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        ctx = Context(url)
        ctx.migrate()
        processes.deploy_bundled(ctx)
        users.create_user(ctx, None, "bench-admin", "Bench", "admin", None)
        imported(ctx, 10_000_000, 20)  # warm-up: imports, caches, the spec parsed once
        hand = one_by_one(ctx, args.rows)
        rate, small = imported(ctx, 0, args.rows, measure_memory=True)
        rate_again, _ = imported(ctx, 20_000_000, args.rows)
        print(f"one by one: {hand:.0f} rows/s; import: {rate:.0f} and {rate_again:.0f} rows/s")
        big = 0.0
        if args.big:
            started = time.perf_counter()
            _, big = imported(ctx, 1_000_000, args.big, measure_memory=True)
            print(f"{args.big} rows imported in {time.perf_counter() - started:.0f} s (traced)")
        ctx.close()
    print(
        f"import_rows_per_s={rate_again:.0f} one_by_one_rows_per_s={hand:.0f} "
        f"ratio={rate_again / hand:.2f} peak_mb_small={small:.1f} peak_mb_big={big:.1f}"
    )


if __name__ == "__main__":
    main()
