"""API routes for modeler drafts (issue 6), on the API blueprint."""

from __future__ import annotations

from bpmn_sales.web.api import bp

__all__ = ["bp"]
