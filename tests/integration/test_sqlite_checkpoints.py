"""WAL checkpoints of a SQLite file run in the engine's own thread, not in the committing one.

Many commits leave a short WAL; a request connection leaves the WAL to grow past SQLite's
default 1000 pages; the thread exits when idle or when the engine is disposed and comes back
with the next commits; a deleted database file is not created again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bpmn_sales.persistence.checkpoints import VALVE_PAGES, Checkpointer
from bpmn_sales.persistence.db import BUSY_TIMEOUT_MS, checkpointer, make_engine

PAGE = 4096 + 24  # a WAL frame: a page and its header


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints.sqlite3"


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    made = make_engine(f"sqlite:///{path}")
    with made.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield made
    made.dispose()


def commit_notes(engine: Engine, count: int, watch: Callable[[], None] = lambda: None) -> None:
    for _ in range(count):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": "x" * 200})
        watch()


def threads_on(path: Path) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"checkpoints of {path.resolve()}"]


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wal_frames(path: Path) -> int:
    """The frames in the WAL since it last started over (a passive checkpoint's second value)."""
    with sqlite3.connect(path) as conn:
        frames: int = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    conn.close()
    return frames


def wal_restarts(path: Path) -> int:
    """How many times the WAL started over (its header's checkpoint sequence number)."""
    return int.from_bytes(Path(f"{path}-wal").read_bytes()[12:16], "big")


def settled(made: Checkpointer) -> None:
    """Wait until the thread has run its passes and waits for the next wake-up."""
    seen = -1
    while made.passes != seen:
        seen = made.passes
        time.sleep(0.05)


def test_pauses_between_commits_let_the_wal_start_over(engine: Engine, path: Path) -> None:
    made = checkpointer(engine)
    assert made is not None
    restarts = wal_restarts(path)
    for _ in range(20):
        commit_notes(engine, made.every)
        assert wait_for(lambda: made.passes > 0)
        settled(made)
    # A round writes a page or two a commit; unchecked, the WAL would hold all 20 rounds.
    assert wal_restarts(path) >= restarts + 15
    assert Path(f"{path}-wal").stat().st_size < 3 * made.every * 2 * PAGE


def test_the_valve_bounds_the_wal_under_commits_back_to_back(engine: Engine, path: Path) -> None:
    wal = Path(f"{path}-wal")
    longest = [0]

    def watch() -> None:
        longest[0] = max(longest[0], wal.stat().st_size)

    # Each commit writes some 12 pages, ~30000 in all, with no pause in which the thread could
    # copy the whole WAL: it grows to the valve, where a request's checkpoint starts it over.
    # It may pass the valve by what the commits write while the thread's pass holds the
    # checkpoint lock (1.7 times the valve once, on a loaded machine): how far depends on the
    # machine's sync, so what is checked is that it starts over and never holds every commit.
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bodies (id INTEGER PRIMARY KEY, body BLOB)"))
    restarts = wal_restarts(path)
    for _ in range(2500):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bodies (body) VALUES (zeroblob(45000))"))
        watch()
    written = 2500 * 12 * PAGE
    assert wal_restarts(path) > restarts, "the WAL never started over"
    assert longest[0] < 0.75 * written, f"the WAL grew to {longest[0] // PAGE} frames"
    assert longest[0] > VALVE_PAGES * PAGE * 0.9  # the requests left it to the valve
    made = checkpointer(engine)
    assert made is not None and made.passes > 0


def test_a_request_connection_leaves_the_wal_to_the_thread(engine: Engine, path: Path) -> None:
    made = checkpointer(engine)
    assert made is not None
    made.every = 10**9  # the thread is never woken: only a request could checkpoint
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == VALVE_PAGES
    commit_notes(engine, 1200)
    # SQLite's default would have checkpointed at 1000 frames and started the WAL over.
    assert wal_frames(path) > 1000
    assert not threads_on(path)


def test_the_thread_exits_when_idle_and_comes_back(engine: Engine, path: Path) -> None:
    made = checkpointer(engine)
    assert made is not None
    commit_notes(engine, made.every)
    assert made.running and threads_on(path)
    assert wait_for(lambda: made.passes > 0)
    assert wait_for(lambda: not made.running and not threads_on(path), made.idle + 5)
    passes = made.passes
    commit_notes(engine, made.every)
    assert wait_for(lambda: made.passes > passes)
    assert made.running


def test_dispose_stops_the_thread(engine: Engine, path: Path) -> None:
    made = checkpointer(engine)
    assert made is not None
    commit_notes(engine, made.every)
    assert threads_on(path)
    engine.dispose()
    assert not made.running and not threads_on(path)
    commit_notes(engine, made.every)  # a disposed engine still works, and checkpoints again
    assert wait_for(lambda: made.passes > 0)
    assert wal_frames(path) <= 2 * made.every * 2  # the WAL started over


def test_a_deleted_database_is_not_created_again(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sqlite3.connect(path).close()
    path.unlink()
    made = Checkpointer(path, BUSY_TIMEOUT_MS / 1000, idle=0.1)
    with caplog.at_level(logging.DEBUG, logger="bpmn_sales.persistence.checkpoints"):
        made.signal()
        assert wait_for(lambda: not made.running and not threads_on(path))
    assert not path.exists() and not list(path.parent.iterdir())
    assert made.passes == 0
    assert f"no checkpoint of {path}" in caplog.text


def test_memory_databases_have_none() -> None:
    assert checkpointer(make_engine("sqlite://")) is None
    assert checkpointer(make_engine("sqlite:///:memory:")) is None
