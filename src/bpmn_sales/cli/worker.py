"""The worker: fire due timers and deliver the outbox (issue 7)."""

from __future__ import annotations

from bpmn_sales.cli.base import main

__all__ = ["main"]
