"""JSON API routes for analytics reports and targets (issue 8)."""

from __future__ import annotations

from bpmn_sales.web.api import bp

__all__ = ["bp"]
