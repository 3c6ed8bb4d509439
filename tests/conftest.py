"""Shared fixtures: real databases (SQLite file, PostgreSQL server), a context, the team, the demo.

The databases most tests start from (migrated with the bundled diagrams deployed; the same with
the demo loaded) are built once per session and each test gets its own copy, opened with its own
`Context` on the test's clock (tests/databases.py). A test whose clock was moved before its
database was made gets one built in the test, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmn_sales.context import Context
from tests.databases import (
    PostgresTemplate,
    SqliteTemplate,
    initialise,
    initialise_with_demo,
    open_copy,
    postgres_url,
    reset_postgres,
)
from tests.fakes import FakeClock
from tests.local_servers import SmtpServer, WebhookReceiver, start_smtp
from tests.team import Team, make_team


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


@pytest.fixture(scope="session")
def bundled_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    """SQLite, migrated, with the bundled diagrams deployed on the fake clock's start."""
    folder = tmp_path_factory.mktemp("templates")
    return SqliteTemplate.build(folder / "bundled.sqlite3", initialise)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    """The same with the demo team, leads and deals (`demo.load_demo`)."""
    folder = tmp_path_factory.mktemp("templates")
    return SqliteTemplate.build(folder / "demo.sqlite3", initialise_with_demo)


@pytest.fixture(scope="session")
def postgres_bundled_template() -> Iterator[PostgresTemplate]:
    """PostgreSQL, migrated, the bundled diagrams deployed: a database beside the test one."""
    server = postgres_url()
    template = PostgresTemplate.build(server, "bundled", initialise)
    yield template
    template.drop()


@pytest.fixture(scope="session")
def postgres_demo_template() -> Iterator[PostgresTemplate]:
    """The same with the demo."""
    server = postgres_url()
    template = PostgresTemplate.build(server, "demo", initialise_with_demo)
    yield template
    template.drop()


@pytest.fixture
def ctx(
    request: pytest.FixtureRequest,
    database_url: str,
    clock: FakeClock,
    bundled_template: SqliteTemplate,
) -> Iterator[Context]:
    """A migrated database on each backend with the bundled diagrams deployed: a copy of the
    session's template (on PostgreSQL, the test database is recreated from it)."""
    if database_url.startswith("sqlite"):
        context = open_copy(bundled_template, database_url, clock, initialise)
    else:
        pg: PostgresTemplate = request.getfixturevalue("postgres_bundled_template")
        context = open_copy(pg, pg.own, clock, initialise)
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(
    sqlite_url: str, clock: FakeClock, bundled_template: SqliteTemplate
) -> Iterator[Context]:
    """The same, on SQLite only (for tests whose subject is not storage)."""
    context = open_copy(bundled_template, sqlite_url, clock, initialise)
    yield context
    context.close()


@pytest.fixture
def demo_backend() -> str:
    """Where `demo_ctx` lives: SQLite (the pages are the subject there; storage is tested on both
    backends elsewhere). A module runs on both with
    `pytestmark = pytest.mark.parametrize("demo_backend", ["sqlite", "postgres"])`."""
    return "sqlite"


@pytest.fixture
def demo_ctx(
    request: pytest.FixtureRequest,
    demo_backend: str,
    sqlite_url: str,
    clock: FakeClock,
    demo_template: SqliteTemplate,
) -> Iterator[Context]:
    """The bundled diagrams and the demo team, leads and deals: a copy of the session's demo."""
    if demo_backend == "sqlite":
        context = open_copy(demo_template, sqlite_url, clock, initialise_with_demo)
    else:
        pg: PostgresTemplate = request.getfixturevalue("postgres_demo_template")
        context = open_copy(pg, f"{pg.own}_demo", clock, initialise_with_demo)
    yield context
    context.close()


@pytest.fixture
def demo_tokens(demo_template: SqliteTemplate) -> dict[str, str]:
    """Each demo user's API token (valid on every copy of the SQLite demo)."""
    return dict(demo_template.tokens)


@pytest.fixture
def team(ctx: Context) -> Team:
    return make_team(ctx)


@pytest.fixture
def sqlite_team(sqlite_ctx: Context) -> Team:
    return make_team(sqlite_ctx)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on localhost that keeps what it receives (tests/local_servers.py)."""
    server = start_smtp()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP server on localhost that keeps the webhooks posted to it."""
    server = WebhookReceiver()
    yield server
    server.stop()
