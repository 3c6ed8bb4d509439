"""OpenAPI paths and schemas for analytics reports and targets (issue 8)."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {}


def paths() -> dict[str, Any]:
    return {}
