"""OpenAPI paths and schemas for the outbox and webhooks (issue 7)."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {}


def paths() -> dict[str, Any]:
    return {}
