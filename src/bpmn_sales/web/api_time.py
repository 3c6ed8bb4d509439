"""JSON API routes for timers and messages to deals (issue 7)."""

from __future__ import annotations

from bpmn_sales.web.api import bp

__all__ = ["bp"]
