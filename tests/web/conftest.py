"""Page-test fixtures: the app on a database holding the demo data, signed-in visitors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from bpmn_sales.context import Context
from bpmn_sales.services import demo
from bpmn_sales.web import create_app
from tests.web.pages import Pages


@pytest.fixture
def demo_ctx(sqlite_ctx: Context) -> Context:
    """The bundled diagrams and the demo team, leads and deals (SQLite: the pages are the
    subject here; storage is tested on both backends elsewhere)."""
    demo.load_demo(sqlite_ctx)
    return sqlite_ctx


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
