"""Page-test fixtures: the app on a copy of the demo (`demo_ctx`, tests/conftest.py), signed-in
visitors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from bpmn_sales.context import Context
from bpmn_sales.web import create_app
from tests.web.pages import Pages


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
