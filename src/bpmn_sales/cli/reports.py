"""Analytics reports and targets (issue 8)."""

from __future__ import annotations

from bpmn_sales.cli.base import main

__all__ = ["main"]
