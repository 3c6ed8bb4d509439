"""Test databases: fresh ones on each backend, and copies of templates built once per session.

Migrating, deploying the bundled diagrams and loading the demo take seconds; copying the result
takes milliseconds. So a session builds each template once, on the fake clock's start (what every
test's database is built on), and each test gets its own copy:

- SQLite: the template is written with the sqlite3 backup API (a consistent copy, the WAL
  included) to a file nobody ever opens, and each test copies that file;
- PostgreSQL: `CREATE DATABASE <test> TEMPLATE <template>` (the template has no connections:
  its engine is disposed once it is built).

Each copy is opened with a new `Context`, so nothing a Context caches (`ctx.digests`,
`ctx.live`) is shared between tests.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import create_engine, make_url, text

from bpmn_sales.context import Context
from bpmn_sales.services import demo, processes
from tests.fakes import FakeClock


def postgres_url() -> str:
    """The server scripts/test starts; without it, fail in CI and skip (with why) elsewhere."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail("TEST_POSTGRES_URL is not set: run the suite through scripts/test")
    pytest.skip("no PostgreSQL server: run the suite through scripts/test to start one")


def reset_postgres(url: str) -> None:
    """Empty the database: drop and recreate the public schema."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def initialise(ctx: Context) -> None:
    """Migrate the database and deploy the bundled diagrams, as `bpmn-sales init` does."""
    ctx.migrate()
    processes.deploy_bundled(ctx)


def initialise_with_demo(ctx: Context) -> dict[str, str]:
    """The same, then the demo team, leads and deals; each demo user's API token."""
    initialise(ctx)
    return demo.load_demo(ctx)


Build = Callable[[Context], "dict[str, str] | None"]


class Template(Protocol):
    def fits(self, clock: FakeClock) -> bool: ...
    def copy_to(self, target: str) -> str: ...
    def empty(self, target: str) -> str: ...


def open_copy(template: Template, target: str, clock: FakeClock, build: Build) -> Context:
    """A new Context on a copy of the template (`target`: a SQLite URL or a PostgreSQL database
    name). If the test's clock has moved, the database is built here on that clock instead."""
    if template.fits(clock):
        return Context(template.copy_to(target), clock=clock)
    context = Context(template.empty(target), clock=clock)
    build(context)
    return context


@dataclass
class SqliteTemplate:
    """A SQLite database built once (on `clock`), handed to each test as a copy of the file."""

    path: Path
    built_on: datetime  # the fake clock's time while it was built
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, path: Path, build: Build) -> SqliteTemplate:
        clock = FakeClock()
        work = path.with_suffix(".build.sqlite3")
        ctx = Context(f"sqlite:///{work}", clock=clock)
        try:
            tokens = build(ctx) or {}
        finally:
            ctx.close()
        snapshot_sqlite(work, path)
        return cls(path, clock.now, tokens)

    def fits(self, clock: FakeClock) -> bool:
        """Whether a test on `clock` would have built this same database (its clock unmoved)."""
        return clock.now == self.built_on

    def copy_to(self, url: str) -> str:
        """The template copied to the file of `url` (which must not exist yet); the URL."""
        target = sqlite_path(url)
        assert not target.exists(), f"{target} exists: one database per test"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, target)
        return url

    def empty(self, url: str) -> str:
        return url


def snapshot_sqlite(source: Path, target: Path) -> None:
    """Write a consistent copy of the SQLite database at `source` (WAL included) to `target`."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    sidecars = [p for p in (Path(f"{target}-wal"), Path(f"{target}-shm")) if p.exists()]
    assert not sidecars, f"the template {target} must be one closed file, found {sidecars}"


@dataclass
class PostgresTemplate:
    """A PostgreSQL database built once, handed to each test through CREATE DATABASE TEMPLATE.

    It lives beside the server's test database (TEST_POSTGRES_URL's) as `<that>_<label>_template`.
    """

    server_url: str
    label: str
    built_on: datetime
    tokens: dict[str, str] = field(default_factory=dict)
    copies: set[str] = field(default_factory=set)

    @property
    def own(self) -> str:
        """The server's test database: the one `database_url` empties for each test."""
        return str(make_url(self.server_url).database)

    @property
    def name(self) -> str:
        return f"{self.own}_{self.label}_template"

    @classmethod
    def build(cls, server_url: str, label: str, build: Build) -> PostgresTemplate:
        clock = FakeClock()
        template = cls(server_url, label, clock.now)
        ctx = Context(recreate_database(server_url, template.name), clock=clock)
        try:
            template.tokens = build(ctx) or {}
        finally:
            ctx.close()  # CREATE DATABASE ... TEMPLATE needs the template without connections
        return template

    def fits(self, clock: FakeClock) -> bool:
        return clock.now == self.built_on

    def copy_to(self, name: str) -> str:
        """The database `name` dropped and created again as a copy of the template; its URL."""
        self.copies.add(name)
        return recreate_database(self.server_url, name, template=self.name)

    def empty(self, name: str) -> str:
        """The database `name` dropped and created again, empty; its URL."""
        self.copies.add(name)
        return recreate_database(self.server_url, name)

    def drop(self) -> None:
        """Drop the template and its copies (at the end of the session); the server's own
        test database, when it was a copy, stays for the next session to empty."""
        for name in (*sorted(self.copies - {self.own}), self.name):
            drop_database(self.server_url, name)


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def recreate_database(server_url: str, name: str, template: str | None = None) -> str:
    """Drop the database `name` if it exists, create it (empty, or from `template`); its URL."""
    source = f' TEMPLATE "{template}"' if template else ""
    maintenance(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    maintenance(server_url, f'CREATE DATABASE "{name}"{source}')
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    maintenance(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def maintenance(server_url: str, statement: str) -> None:
    """Run one statement outside a transaction, connected to the server's `postgres` database."""
    engine = create_engine(database_url(server_url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()
