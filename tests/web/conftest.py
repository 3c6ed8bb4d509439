"""Web fixtures: the app and its test client, the demo site, signed-in visitors, the JSON API.

- `app`/`client`: the app on a database with the bundled diagrams only (`sqlite_ctx`);
- `site`/`visitor`: the app on a copy of the demo (`demo_ctx`), a signed-in page client;
- `api`: the demo site's JSON API as a demo user (`api_user`, "rob" unless a module overrides
  it). A module on another database builds its own from `Api` (tests/web/api.py);
- `statements`: counts the SQL statements the demo site runs (tests/statements.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bpmn_sales.context import Context
from bpmn_sales.web import create_app
from tests.statements import Statements
from tests.web.api import Api
from tests.web.pages import Pages


@pytest.fixture
def app(sqlite_ctx: Context) -> Flask:
    return create_app({"CONTEXT": sqlite_ctx, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def site(demo_ctx: Context) -> Flask:
    return create_app({"CONTEXT": demo_ctx, "TESTING": True, "SECRET_KEY": "test-secret"})


@pytest.fixture
def visitor(site: Flask) -> Callable[[str | None], Pages]:
    """`visitor("rob")`: a browser session signed in as rob (None: not signed in)."""

    def make(username: str | None) -> Pages:
        pages = Pages(site)
        if username:
            pages.sign_in(username)
        return pages

    return make


@pytest.fixture
def api_user() -> str:
    """Who calls the API when a test names nobody."""
    return "rob"


@pytest.fixture
def api(site: Flask, demo_tokens: dict[str, str], api_user: str) -> Api:
    """`api(method, path, user=..., **kwargs)` on the demo site, with the demo users' tokens."""
    return Api(site.test_client(), demo_tokens, api_user)


@pytest.fixture
def statements(demo_ctx: Context) -> Statements:
    """Counts the SQL statements the demo site runs (`with statements.counting():`)."""
    return Statements(demo_ctx.db)
