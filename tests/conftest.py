"""Shared fixtures: real databases (SQLite file, PostgreSQL server), a context, demo actors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bpmn_sales.context import Context
from bpmn_sales.services import processes
from tests.fakes import FakeClock
from tests.team import Team, make_team

REPO = Path(__file__).resolve().parents[1]
BPMN = REPO / "bpmn"


def postgres_url() -> str:
    """The server scripts/test starts; without it, fail in CI and skip (with why) elsewhere."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail("TEST_POSTGRES_URL is not set: run the suite through scripts/test")
    pytest.skip("no PostgreSQL server: run the suite through scripts/test to start one")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each real backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_context(url: str, clock: FakeClock) -> Context:
    ctx = Context(url, clock=clock)
    ctx.migrate()
    processes.deploy_bundled(ctx)
    return ctx


@pytest.fixture
def ctx(database_url: str, clock: FakeClock) -> Iterator[Context]:
    """A migrated database on each backend with the bundled diagrams deployed."""
    context = make_context(database_url, clock)
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(sqlite_url: str, clock: FakeClock) -> Iterator[Context]:
    """The same, on SQLite only (for tests whose subject is not storage)."""
    context = make_context(sqlite_url, clock)
    yield context
    context.close()


@pytest.fixture
def team(ctx: Context) -> Team:
    return make_team(ctx)


@pytest.fixture
def sqlite_team(sqlite_ctx: Context) -> Team:
    return make_team(sqlite_ctx)
