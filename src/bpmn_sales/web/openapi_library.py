"""OpenAPI paths and schemas for the process library (issue 6)."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {}


def paths() -> dict[str, Any]:
    return {}
