"""Database engines: SQLite (WAL) by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bpmn_sales.persistence.checkpoints import VALVE_PAGES, Checkpointer
from bpmn_sales.persistence.outages import storage_errors

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10000
_CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, Checkpointer] = weakref.WeakKeyDictionary()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _checkpoint_valve(dbapi_connection: Any, _record: Any) -> None:
    """Leave checkpoints to the engine's Checkpointer, short of a WAL this long."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA wal_autocheckpoint={VALVE_PAGES}")
    cursor.close()


class _Writers:
    """One writing transaction at a time among this process's SQLite connections.

    SQLite lets one transaction write at a time; the others wait in its busy handler, which
    polls with sleeps growing to 100 ms, so under a dozen concurrent requests the waits, not
    the writes, made the slow answers. Threads of one process queue here instead and start the
    moment the writer before them commits. The lock is taken by a transaction's first write
    (pysqlite begins a transaction there: reads before it hold no lock) and given back when it
    commits or rolls back. Other processes still meet at SQLite's lock, with the busy timeout.
    """

    KEY = "bpmn_sales.writing"
    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self, timeout: float, committed: Callable[[], None] | None = None) -> None:
        self.lock = threading.Lock()
        self.timeout = timeout
        self.owner: int | None = None
        self.committed = committed  # told after each write transaction commits

    def before_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(self.KEY) or not statement.lstrip()[:7].upper().startswith(self.WRITES):
            return
        # A thread writing on a second connection while its first one writes is left to
        # SQLite (as before), and so is a wait past the busy timeout: never a hang here.
        if self.owner == threading.get_ident() or not self.lock.acquire(timeout=self.timeout):
            return
        self.owner = threading.get_ident()
        info[self.KEY] = True

    def commit(self, conn: Any) -> None:
        self._end(conn, "commit")

    def rollback(self, conn: Any) -> None:
        self._end(conn, "rollback")

    def _end(self, conn: Any, how: str) -> None:
        """End the transaction on the driver's connection now (the engine's own commit or
        rollback, which follows this event, then finds none), then let the next writer in:
        released first, it would find SQLite's lock still held and sleep in the busy handler."""
        if not conn.info.get(self.KEY):
            return
        try:
            getattr(conn.connection.dbapi_connection, how)()
        finally:
            del conn.info[self.KEY]
            self.owner = None
            self.lock.release()
        if how == "commit" and self.committed is not None:
            self.committed()


class HintedSQLiteCompiler(SQLiteCompiler):
    """SQLite's compiler with table hints: `select(...).with_hint(Deal, "INDEXED BY ix", "sqlite")`
    renders `FROM deals INDEXED BY ix` (SQLAlchemy's own SQLite compiler drops every hint).
    The analytics reports name their covering index this way: SQLite's planner otherwise takes
    a narrower index and reads every row of the table (10x slower once a process has two
    versions)."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get WAL mode, foreign keys, a busy timeout, one writer
    at a time among the process's threads and checkpoints in a thread of their own."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, **_pool_options(make_url(url))
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        checkpointer = _checkpointer(engine.url)
        if checkpointer is not None:
            _CHECKPOINTERS[engine] = checkpointer
            event.listen(engine, "connect", _checkpoint_valve)
            event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())
        writers = _Writers(
            BUSY_TIMEOUT_MS / 1000, checkpointer.committed if checkpointer is not None else None
        )
        event.listen(engine, "before_cursor_execute", writers.before_execute)
        event.listen(engine, "commit", writers.commit)
        event.listen(engine, "rollback", writers.rollback)
        engine.dialect.statement_compiler = HintedSQLiteCompiler
        return engine
    return create_engine(url, pool_pre_ping=True)


def _pool_options(url: URL) -> dict[str, Any]:
    """A file's pool (a queue of connections) hands out the connection returned last: its page
    cache is current. In WAL mode SQLite drops a connection's page cache whenever another
    connection committed since its last transaction, so handing connections out in turn (the
    default) made each unit of work read its pages again (a stage move's UPDATE 281 -> 196 us).
    A database in memory has a pool of another kind, without the option."""
    dialect = cast("type[DefaultDialect]", url.get_dialect())
    pool_class = dialect.get_pool_class(url)
    return {"pool_use_lifo": True} if issubclass(pool_class, QueuePool) else {}


def _checkpointer(url: URL) -> Checkpointer | None:
    """One for a database file; none in memory (nor for a `file:` URI, left to SQLite)."""
    name = url.database
    if not name or name == ":memory:" or "uri" in url.query:
        return None
    return Checkpointer(Path(name).resolve(), BUSY_TIMEOUT_MS / 1000)


def checkpointer(engine: Engine) -> Checkpointer | None:
    """The engine's WAL checkpointer (SQLite files only): to stop it, or to count its passes."""
    return _CHECKPOINTERS.get(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """Point Alembic at the bundled migrations, run on `engine`."""
    # Imported here: Alembic loads SQLAlchemy's DDL for every dialect (about a third of a CLI
    # verb's start), and only init, tests and upgrades migrate.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def has_schema(engine: Engine) -> bool:
    """True once a migration has run here (Alembic's version table exists).

    A server that cannot be reached is `StorageUnavailable`, in one line."""
    with storage_errors():
        return inspect(engine).has_table("alembic_version")
