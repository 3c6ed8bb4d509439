"""Test databases: fresh ones on each backend, and copies of templates built once per session.

Migrating, deploying the bundled diagrams and loading the demo take seconds; copying the result
takes milliseconds. So a session builds each template (`Templates`, by label: "bundled", "demo",
...) once, the first time a test asks for it, on the fake clock's start (what every test's
database is built on), and each test gets its own copy:

- SQLite: the template is written with the sqlite3 backup API (a consistent copy, the WAL
  included) to a file nobody ever opens, and each test copies that file;
- PostgreSQL: the template is a database beside the test database (TEST_POSTGRES_URL's), and
  each test's database is dropped and created again from it (`CREATE DATABASE ... TEMPLATE`;
  the template has no connections: its engine is disposed once it is built).

Each copy is opened with a new `Context`, so nothing a Context caches (`ctx.digests`,
`ctx.live`) is shared between tests. A test whose clock has moved before its database is made
gets it built in place on that clock instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import create_engine, make_url, text

from bpmn_sales.context import Context
from bpmn_sales.services import demo, processes
from tests.fakes import FakeClock


def postgres_url() -> str:
    """The server scripts/test starts; without it, fail in CI and skip (with why) elsewhere."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return worker_database(url)
    if os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail("TEST_POSTGRES_URL is not set: run the suite through scripts/test")
    pytest.skip("no PostgreSQL server: run the suite through scripts/test to start one")


@functools.cache
def worker_database(url: str) -> str:
    """Under pytest-xdist, each worker's own database beside the server's test database (made
    empty at the worker's first use); otherwise the test database itself."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    return recreate_database(url, f"{make_url(url).database}_{worker}")


def drop_worker_database() -> None:
    """Drop the pytest-xdist worker's own database, if it made one (at the end of its session)."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url and os.environ.get("PYTEST_XDIST_WORKER") and worker_database.cache_info().currsize:
        drop_database(url, str(make_url(worker_database(url)).database))


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


Build = Callable[[Context], Any]


class Copy(NamedTuple):
    """A test's own database: a new Context on it, and what building its template returned."""

    context: Context
    made: Any


class Templates:
    """The session's templates by label, each built the first time a test asks for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite: dict[str, SqliteTemplate] = {}
        self.postgres: dict[str, PostgresTemplate] = {}

    def open(self, url: str, label: str, build: Build, clock: FakeClock) -> Copy:
        """A copy of the template `label` (made by `build`) at `url`: a SQLite file that must
        not exist yet, or the PostgreSQL test database, dropped and created again. If the
        test's clock has moved, the database is built there on that clock instead."""
        template: SqliteTemplate | PostgresTemplate
        if url.startswith("sqlite"):
            template = self.sqlite_template(label, build)
        else:
            template = self.postgres_template(url, label, build)
        if template.built_on == clock.now:
            return Copy(Context(template.copy_to(url), clock=clock), template.made)
        context = Context(template.empty(url), clock=clock)
        return Copy(context, build(context))

    def sqlite_template(self, label: str, build: Build) -> SqliteTemplate:
        if label not in self.sqlite:
            self.sqlite[label] = SqliteTemplate.build(self.folder / f"{label}.sqlite3", build)
        return self.sqlite[label]

    def postgres_template(self, url: str, label: str, build: Build) -> PostgresTemplate:
        if label not in self.postgres:
            self.postgres[label] = PostgresTemplate.build(url, label, build)
        return self.postgres[label]

    def drop(self) -> None:
        """Drop the PostgreSQL templates (the SQLite ones go with the session's tmp folder)."""
        for template in self.postgres.values():
            drop_database(template.server_url, template.name)


@dataclass
class SqliteTemplate:
    """A SQLite database built once, handed to each test as a copy of the file."""

    path: Path
    built_on: datetime  # the fake clock's time while it was built
    made: Any  # what the build returned (the demo: each demo user's API token)

    @classmethod
    def build(cls, path: Path, build: Build) -> SqliteTemplate:
        clock = FakeClock()
        work = path.with_suffix(".build.sqlite3")
        ctx = Context(f"sqlite:///{work}", clock=clock)
        try:
            made = build(ctx)
        finally:
            ctx.close()
        snapshot_sqlite(work, path)
        return cls(path, clock.now, made)

    def copy_to(self, url: str) -> str:
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

    It lives beside the test database (TEST_POSTGRES_URL's) as `<that>_<label>_template`; a copy
    replaces the test database.
    """

    server_url: str
    label: str
    built_on: datetime
    made: Any = None

    @property
    def name(self) -> str:
        return f"{make_url(self.server_url).database}_{self.label}_template"

    @classmethod
    def build(cls, server_url: str, label: str, build: Build) -> PostgresTemplate:
        clock = FakeClock()
        template = cls(server_url, label, clock.now)
        ctx = Context(recreate_database(server_url, template.name), clock=clock)
        try:
            template.made = build(ctx)
        finally:
            ctx.close()  # CREATE DATABASE ... TEMPLATE needs the template without connections
        return template

    def copy_to(self, url: str) -> str:
        return recreate_database(url, str(make_url(url).database), template=self.name)

    def empty(self, url: str) -> str:
        return recreate_database(url, str(make_url(url).database))


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
