"""The composition root: one Context wires storage, the engine, service tasks and the clock."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bpmn_sales.engine import Instance, ProcessEngine
from bpmn_sales.errors import NoDatabase
from bpmn_sales.i18n import _
from bpmn_sales.persistence.db import has_schema, make_engine, session_factory, upgrade
from bpmn_sales.persistence.store import UnitOfWork
from bpmn_sales.settings import Settings, sqlite_file, without_password
from bpmn_sales.tasks import SERVICE_TASKS

# The diagrams `init` deploys. In a checkout `bundled` links to the top-level bpmn/ folder, their
# one source; a wheel carries copies made when it is built (pyproject.toml, package-data).
BUNDLED_DIAGRAMS = Path(__file__).resolve().parent / "bundled"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


_shared_engine: ProcessEngine | None = None


def shared_process_engine() -> ProcessEngine:
    """One ProcessEngine (and spec cache) per OS process; spec cache keys are content digests."""
    global _shared_engine
    if _shared_engine is None:
        _shared_engine = ProcessEngine(SERVICE_TASKS)
    return _shared_engine


class LiveInstances:
    """Instances kept in memory after a commit, keyed by (kind, id, row version).

    A hit skips restoring the instance from its stored state. The row version changes on every
    write, so an entry is only ever used while nobody (in any process) has changed the row since.
    An instance is taken out while a use case works on it and put back only after a commit.
    The instances held together stay within `budget` bytes (each one's size estimated when it is
    put back); the least recently written go first.
    """

    def __init__(self, budget: int = 64 * 1024 * 1024) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[tuple[str, int, int], tuple[Instance, int]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: tuple[str, int, int]) -> Instance | None:
        with self._lock:
            found = self._items.pop(key, None)
            if found is None:
                return None
            self.used -= found[1]
            return found[0]

    def put(self, key: tuple[str, int, int], instance: Instance) -> None:
        size = instance.memory_estimate()
        if size > self.budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (instance, size)
            self.used += size
            while self.used > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def entries(self) -> list[tuple[tuple[str, int, int], Instance]]:
        """The instances held now, with their keys (for checks against storage)."""
        with self._lock:
            return [(key, instance) for key, (instance, _) in self._items.items()]


@dataclass
class Context:
    """Everything a use case needs from the outside world."""

    database_url: str
    clock: Clock = utcnow
    engine: ProcessEngine = field(default_factory=shared_process_engine)
    # The entry points pass Settings.from_env(); tests and benchmarks get the defaults.
    settings: Settings = field(default_factory=Settings)
    # From the settings, and settable one by one (tests point mail at their own SMTP server):
    # the largest file a deal may carry; the mail server (None: mail waits in the outbox), the
    # sender, and the app's address for links in mail and webhooks (services/delivery/).
    max_upload_bytes: int = field(init=False)
    smtp_url: str | None = field(init=False)
    mail_from: str = field(init=False)
    base_url: str = field(init=False)
    # Non-public hosts and networks webhooks may post to (OUTBOUND_ALLOW).
    outbound_allow: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.max_upload_bytes = self.settings.max_upload_bytes
        self.smtp_url = self.settings.smtp_url
        self.mail_from = self.settings.mail_from
        self.base_url = self.settings.base_url
        self.outbound_allow = self.settings.outbound_allow
        self.db = make_engine(self.database_url)
        self.sessions = session_factory(self.db)
        self.live = LiveInstances(self.settings.instance_cache_bytes)
        # Version id -> spec digest; a version id is never reused, even after a delete
        # (LibraryQueries.next_version_id), so an entry never goes stale.
        self.digests: dict[int, str] = {}

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def migrate(self) -> None:
        """Create (with its folder, for SQLite) or upgrade the database."""
        path = sqlite_file(self.database_url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        upgrade(self.db)

    def close(self) -> None:
        self.db.dispose()


def open_existing(database_url: str, settings: Settings) -> Context:
    """A Context on a database `bpmn-sales init` made; NoDatabase, creating nothing, when the
    SQLite file is missing or the database has no tables yet."""
    path = sqlite_file(database_url)
    where = str(path.resolve()) if path is not None else without_password(database_url)
    if path is not None and not path.is_file():
        raise NoDatabase(_("no database at %(where)s; run 'bpmn-sales init'", where=where))
    ctx = Context(database_url, settings=settings)
    try:
        if not has_schema(ctx.db):
            raise NoDatabase(
                _("no database at %(where)s (it has no tables); run 'bpmn-sales init'", where=where)
            )
    except BaseException:
        ctx.close()
        raise
    return ctx
