"""OpenAPI paths and schemas for timers and messages to deals (issue 7)."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {}


def paths() -> dict[str, Any]:
    return {}
