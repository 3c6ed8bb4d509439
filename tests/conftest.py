"""Shared fixtures: real databases (SQLite file, PostgreSQL server), a context, the team, the demo,
and the local mail and webhook servers.

The databases most tests start from (migrated with the bundled diagrams deployed; the same with
the demo loaded) are built once per session and each test gets its own copy, opened with its own
`Context` on the test's clock (tests/databases.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmn_sales import i18n
from bpmn_sales.context import Context
from tests.databases import (
    Templates,
    drop_worker_database,
    initialise,
    initialise_with_demo,
    postgres_url,
    reset_postgres,
)
from tests.fakes import FakeClock
from tests.local_servers import SmtpServer, WebhookReceiver, start_smtp
from tests.team import Team, make_team


def pytest_sessionfinish(session: pytest.Session) -> None:
    drop_worker_database()


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Each test starts in English and UTC, and a language a request or a CLI call put in force
    (a context variable of this thread) does not outlive the test."""
    with i18n.use_language(i18n.DEFAULT_LANGUAGE), i18n.use_time_zone(None):
        yield


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
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The databases tests start from, each built once per session (tests/databases.py)."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.drop()


@pytest.fixture
def ctx(database_url: str, clock: FakeClock, templates: Templates) -> Iterator[Context]:
    """A migrated database on each backend with the bundled diagrams deployed."""
    context = templates.open(database_url, "bundled", initialise, clock).context
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(sqlite_url: str, clock: FakeClock, templates: Templates) -> Iterator[Context]:
    """The same, on SQLite only (for tests whose subject is not storage)."""
    context = templates.open(sqlite_url, "bundled", initialise, clock).context
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
    demo_backend: str, sqlite_url: str, clock: FakeClock, templates: Templates
) -> Iterator[Context]:
    """The bundled diagrams and the demo team, leads and deals."""
    url = sqlite_url if demo_backend == "sqlite" else postgres_url()
    context = templates.open(url, "demo", initialise_with_demo, clock).context
    yield context
    context.close()


@pytest.fixture
def demo_tokens(templates: Templates) -> dict[str, str]:
    """Each demo user's API token (valid on every copy of the SQLite demo)."""
    return dict(templates.sqlite_template("demo", initialise_with_demo).made)


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


LOCAL_RECEIVER = ("127.0.0.1",)


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[WebhookReceiver]:
    """A real HTTP server on localhost that keeps the webhooks posted to it.

    Outbound requests refuse loopback addresses unless OUTBOUND_ALLOW names them, so the test's
    contexts allow 127.0.0.1, as an operator would for an internal receiver (CLI tests pass
    OUTBOUND_ALLOW in their environment).
    """
    for name in ("ctx", "sqlite_ctx", "demo_ctx"):
        if name in request.fixturenames:
            request.getfixturevalue(name).outbound_allow = LOCAL_RECEIVER
    server = WebhookReceiver()
    yield server
    server.stop()
