"""`bpmn-sales migrate`: preview and apply moving running deals to a newer version."""

from __future__ import annotations

from bpmn_sales.cli.base import main

__all__ = ["main"]
