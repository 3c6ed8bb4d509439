"""SQLite writers of one process take turns on a lock instead of SQLite's busy polling.

Threads that read, then write, then commit all land their writes, none sees "database is
locked", a rolled-back or failed transaction lets the next writer in, and reads never wait.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from bpmn_sales.persistence.db import make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    made = make_engine(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with made.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    return made


def test_concurrent_read_then_write_transactions_all_land(engine: Engine) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(40):
                with engine.connect() as conn:
                    conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
                    conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
                    conn.commit()
                with engine.connect() as conn:  # a write rolled back lets the next one in
                    conn.execute(text("UPDATE counter SET n = n + 100 WHERE id = 1"))
                    conn.rollback()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 8 * 40
    engine.dispose()


def test_a_failed_write_does_not_keep_others_out(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(text("INSERT INTO counter VALUES (1, 5)"))
    done = threading.Event()

    def other() -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 7 WHERE id = 1"))
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(timeout=5)  # a lock left taken would keep it out for the 10 s busy timeout
    assert done.is_set(), "the next writer was kept waiting"
    engine.dispose()


def test_reads_do_not_wait_for_a_writer(engine: Engine) -> None:
    with engine.connect() as writer:
        writer.execute(text("UPDATE counter SET n = 3 WHERE id = 1"))
        seen: list[int] = []
        thread = threading.Thread(
            target=lambda: seen.append(
                engine.connect().execute(text("SELECT n FROM counter")).scalar_one()
            )
        )
        thread.start()
        thread.join(timeout=5)
        assert seen == [0], "a reader waited for the writer or saw its uncommitted write"
        writer.commit()
    engine.dispose()


def test_the_connection_used_last_is_used_next(engine: Engine) -> None:
    """The pool hands out the connection returned last. In WAL mode SQLite drops a
    connection's whole page cache when another connection committed since its last
    transaction: taking connections in turn (the pool's default) made every unit of work start
    cold, even one after another in a single thread."""
    first, second = engine.connect(), engine.connect()  # the pool now holds two
    first_driver = first.connection.dbapi_connection
    second.close()
    first.close()  # returned last
    for _ in range(3):
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
            assert conn.connection.dbapi_connection is first_driver
