"""A signed-in page client for Flask test-client tests: CSRF tokens sent like a browser would."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bpmn_sales.services.demo.data import DEMO_PASSWORD

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class Pages:
    """One visitor's browser session against the app: get pages, post their forms."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.csrf = ""

    def get(self, path: str, status: int = 200, **kwargs: Any) -> TestResponse:
        response = self.client.get(path, **kwargs)
        assert response.status_code == status, (path, response.status_code, self.text(response))
        self._remember_csrf(response)
        return response

    def post(
        self, path: str, data: dict[str, Any] | None = None, status: int | None = None, **kw: Any
    ) -> TestResponse:
        """Post a form with the session's CSRF token (as a page's form would carry it)."""
        if not self.csrf:
            self.get("/sign-in")
        form = {"csrf_token": self.csrf, **(data or {})}
        response = self.client.post(path, data=form, **kw)
        if status is not None:
            assert response.status_code == status, (path, response.status_code, self.text(response))
        self._remember_csrf(response)
        return response

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> TestResponse:
        self.get("/sign-in")
        response = self.post("/sign-in", {"username": username, "password": password})
        assert response.status_code == 302, self.text(response)
        self.get("/notifications")  # a signed-in page: picks up the session's new CSRF token
        return response

    def follow(self, response: TestResponse, status: int = 200) -> TestResponse:
        assert response.status_code in (302, 303), (response.status_code, self.text(response))
        return self.get(response.headers["Location"], status)

    @staticmethod
    def text(response: TestResponse) -> str:
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        return body

    def _remember_csrf(self, response: TestResponse) -> None:
        if response.mimetype == "text/html":
            found = CSRF_INPUT.search(response.get_data(as_text=True))
            if found:
                self.csrf = found[1]
