"""A JSON API client for Flask test-client tests: Bearer tokens, every response checked."""

from __future__ import annotations

from collections.abc import Mapping
from types import EllipsisType
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


class Api:
    """`api(method, path, user=..., **kwargs)`: one call to /api/v1 as `user` (its Bearer token).

    Without `user`, the client's default user calls; `user=None` sends no token. Every response
    is checked: never a 5xx, no traceback in it, and JSON unless it has no body (204, 304) or is a
    download.
    """

    def __init__(self, client: FlaskClient, tokens: Mapping[str, str], user: str = "rob") -> None:
        self.client = client
        self.tokens = dict(tokens)
        self.user = user

    def __call__(
        self, method: str, path: str, user: str | EllipsisType | None = ..., **kwargs: Any
    ) -> TestResponse:
        if isinstance(user, EllipsisType):
            user = self.user
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        response = self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        assert response.status_code < 500, response.get_data(as_text=True)
        assert b"Traceback" not in response.get_data(), response.get_data(as_text=True)
        if response.status_code not in (204, 304) and not is_download(response):
            assert response.is_json, (response.status_code, response.get_data(as_text=True))
        return response


def is_download(response: TestResponse) -> bool:
    return response.headers.get("Content-Disposition", "").startswith("attachment")
