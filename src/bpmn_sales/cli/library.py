"""Process library verbs: versions, clone, diff, export, import, delete."""

from __future__ import annotations

from bpmn_sales.cli.base import main

__all__ = ["main"]
