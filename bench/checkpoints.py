"""Time SQLite commits with WAL checkpoints in the committing thread vs in the engine's own thread.

    python bench/checkpoints.py [--commits N] [--pages P] [--work-ms W] [--runs R]

Each commit writes about P pages (a task's completion writes ~27) after W ms of CPU work (a
request's work between two commits; the CPU is held, as Python code holds the GIL). Each run
makes two fresh files with the product's `make_engine`, in turn:
  request: SQLite's default, `wal_autocheckpoint=1000` and the checkpoint thread never woken
           (the engine before the thread);
  thread:  the product's setting (the checkpoint thread, the valve at VALVE_PAGES).
Reports per run the commit's mean, p50, p95, p99 and max in ms, the longest WAL in frames and
the thread's checkpoint passes. The last line is
`request_mean_ms=A thread_mean_ms=B request_p99_ms=C thread_p99_ms=D` (medians over the runs):
a default checkpoint comes every ~37 commits of 27 pages, so it shows in the mean and the p99,
not in the p95.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from bpmn_sales.persistence.db import checkpointer, make_engine

FRAME = 4096 + 24


def _default_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=1000")


def engine_for(path: Path, how: str) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    if how == "request":
        made = checkpointer(engine)
        assert made is not None
        made.every = 10**9
        event.listen(engine, "connect", _default_checkpoints)  # after the product's valve
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB)"))
    return engine


def run(path: Path, how: str, commits: int, pages: int, work_ms: float) -> list[float]:
    engine = engine_for(path, how)
    wal = Path(f"{path}-wal")
    times: list[float] = []
    longest = 0
    body = 3900 if pages > 1 else 100  # about one page a row
    for _ in range(commits):
        start = time.perf_counter()
        while time.perf_counter() - start < work_ms / 1000:
            pass
        with engine.connect() as conn:
            for _ in range(pages // 2):  # a row's table page and its rowid index page
                conn.execute(text("INSERT INTO rows (body) VALUES (zeroblob(:n))"), {"n": body})
            start = time.perf_counter()
            conn.commit()
            times.append((time.perf_counter() - start) * 1000)
        longest = max(longest, wal.stat().st_size // FRAME)
    made = checkpointer(engine)
    passes = made.passes if made is not None and how == "thread" else 0
    engine.dispose()
    times.sort()
    print(
        f"{how:8} mean {statistics.mean(times):6.3f}  p50 {pct(times, 0.5):6.3f}  "
        f"p95 {pct(times, 0.95):6.3f}  p99 {pct(times, 0.99):6.3f}  max {times[-1]:6.2f}  "
        f"WAL up to {longest} frames, {passes} passes"
    )
    return times


def pct(ordered: list[float], share: float) -> float:
    return ordered[max(0, round(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1500)
    parser.add_argument("--pages", type=int, default=27, help="pages a commit writes")
    parser.add_argument("--work-ms", type=float, default=1.5, help="CPU work between commits")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    print(f"{args.commits} commits of ~{args.pages} pages, {args.work_ms} ms of work between")
    figures: dict[str, list[tuple[float, float]]] = {"request": [], "thread": []}
    with tempfile.TemporaryDirectory(prefix="bpmn-sales-bench-") as folder:
        for number in range(args.runs):
            for how, seen in figures.items():
                times = run(Path(folder) / f"{how}{number}.sqlite3", how, **_sizes(args))
                seen.append((statistics.mean(times), pct(times, 0.99)))
    means = {how: statistics.median(m for m, _ in seen) for how, seen in figures.items()}
    p99s = {how: statistics.median(p for _, p in seen) for how, seen in figures.items()}
    print(
        f"request_mean_ms={means['request']:.3f} thread_mean_ms={means['thread']:.3f} "
        f"request_p99_ms={p99s['request']:.3f} thread_p99_ms={p99s['thread']:.3f}"
    )


def _sizes(args: argparse.Namespace) -> dict[str, Any]:
    return {"commits": args.commits, "pages": args.pages, "work_ms": args.work_ms}


if __name__ == "__main__":
    main()
