"""JSON API routes for the outbox and webhooks (issue 7)."""

from __future__ import annotations

from bpmn_sales.web.api import bp

__all__ = ["bp"]
