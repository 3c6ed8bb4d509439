"""Outbox, webhooks and messages to deals (issue 7)."""

from __future__ import annotations

from bpmn_sales.cli.base import main

__all__ = ["main"]
