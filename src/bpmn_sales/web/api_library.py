"""API routes for the process library: versions, clone, diff, export, import, delete."""

from __future__ import annotations

from bpmn_sales.web.api import bp

__all__ = ["bp"]
