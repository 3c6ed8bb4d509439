"""The worker: several workers on PostgreSQL fire each timer exactly once; a killed worker
loses and repeats nothing; SIGTERM ends it cleanly; a database outage does not kill it.

These tests use the wall clock: deals are created with SpiffWorkflow's clock moved back
(time-machine), so their timers are due now for a worker that runs on real time.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import create_engine, text

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.worker import timers
from bpmn_sales.services.worker.loop import Worker
from tests.team import Team

CLI = str(Path(sys.executable).with_name("bpmn-sales"))


def deals_created_ago(ctx: Context, team: Team, count: int, days: float) -> list[int]:
    """`count` deals whose stage timers started `days` ago."""
    with time_machine.travel(datetime.now(UTC) - timedelta(days=days), tick=False):
        return [
            deals.create_deal(ctx, team.rob, f"Deal {i}", "Acme", 1000).id for i in range(count)
        ]


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            "fired": conn.execute(
                text("SELECT count(*) FROM history WHERE action = 'timer_fired'")
            ).scalar_one(),
            "reminders": conn.execute(
                text("SELECT count(*) FROM notifications WHERE kind = 'reminder'")
            ).scalar_one(),
            "escalations": conn.execute(
                text("SELECT count(*) FROM notifications WHERE kind = 'escalation'")
            ).scalar_one(),
            "timers": conn.execute(text("SELECT count(*) FROM timers")).scalar_one(),
        }
    engine.dispose()
    return found


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_fire_each_timer_once(ctx: Context, team: Team) -> None:
    # PostgreSQL only: on SQLite one worker runs (no row locks to share the load; see README).
    ids = deals_created_ago(ctx, team, 200, days=8)  # reminders due, escalations not yet
    assert counts(ctx.database_url)["timers"] == 400
    results: dict[int, list[timers.Fired]] = {}
    gate = threading.Barrier(2)

    def work(n: int) -> None:
        worker_ctx = Context(ctx.database_url)
        gate.wait()
        results[n] = timers.fire_due(worker_ctx, limit=1000)
        worker_ctx.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    fired = [f.subject_id for n in (1, 2) for f in results[n]]
    assert sorted(fired) == sorted(ids)  # every deal once, by one worker or the other
    assert counts(ctx.database_url) == {
        "fired": 200,
        "reminders": 200,
        "escalations": 0,
        "timers": 200,
    }


def start_worker(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CLI, "--database-url", url, "worker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_killed_worker_loses_and_repeats_nothing(sqlite_ctx: Context, sqlite_team: Team) -> None:
    url = sqlite_ctx.database_url
    count = 40
    deals_created_ago(sqlite_ctx, sqlite_team, count, days=11)  # reminder and escalation due
    worker = start_worker(url, "--once", "--batch", "1000")
    deadline = time.monotonic() + 60
    while counts(url)["fired"] < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.kill()  # SIGKILL, mid-pass: no clean-up runs
    worker.communicate(timeout=10)
    midway = counts(url)
    assert 3 <= midway["fired"] < count, midway
    assert midway["reminders"] == midway["escalations"] == midway["fired"]

    again = start_worker(url, "--once", "--batch", "1000")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert counts(url) == {"fired": count, "reminders": count, "escalations": count, "timers": 0}
    assert "fired Event_InitialVisitReminder, Event_InitialVisitEscalation" in err


def test_sigterm_finishes_cleanly(sqlite_ctx: Context, sqlite_team: Team) -> None:
    url = sqlite_ctx.database_url
    deals_created_ago(sqlite_ctx, sqlite_team, 2, days=8)
    worker = start_worker(url, "--interval", "0.2")
    lines = []
    assert worker.stderr is not None
    for line in worker.stderr:
        lines.append(line)
        if "pass done" in line:
            break
    worker.send_signal(signal.SIGTERM)
    rest, _ = worker.communicate(timeout=30)[1], None
    log = "".join(lines) + (rest or "")
    assert worker.returncode == 0, log
    assert "pass done: 2 timer firing(s) on 2 record(s)" in log
    assert "SIGTERM received" in log and "worker stopped" in log
    assert "Traceback" not in log
    assert counts(url)["reminders"] == 2


def test_database_outage_is_logged_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    down = Context("postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=1")
    worker = Worker(down, interval=0.01)
    attempts = []

    def stop_after_three(*_: Any) -> None:
        attempts.append(1)
        if len(attempts) >= 3:
            worker.stop()

    caplog.set_level(logging.WARNING, logger="bpmn_sales.worker")
    original = worker.run_pass

    def counted() -> Any:
        stop_after_three()
        return original()

    worker.run_pass = counted  # type: ignore[method-assign]
    assert worker.run() == 0  # it kept going until asked to stop
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) >= 2
    assert all("database is unavailable" in w and "retrying in" in w for w in warnings)
    assert Worker(down).run(once=True) == 1
    down.close()
