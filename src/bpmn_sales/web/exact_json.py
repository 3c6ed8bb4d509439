"""The API's JSON: Flask's provider, with money (Decimal) written as exact JSON numbers.

Flask's default writes a Decimal as a string; see `bpmn_sales.domain.exact_json`. The OpenAPI
document says so on every money field (`format: decimal`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from bpmn_sales.domain import exact_json


class ExactJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with Decimals written as exact JSON numbers."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        kwargs.pop("default", None)
        return exact_json.dumps(obj, DefaultJSONProvider.default, **kwargs)


def init_app(app: Flask) -> None:
    provider = ExactJSONProvider(app)
    provider.sort_keys = app.json.sort_keys  # type: ignore[attr-defined]
    provider.ensure_ascii = app.json.ensure_ascii  # type: ignore[attr-defined]
    app.json = provider
