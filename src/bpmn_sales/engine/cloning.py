"""Diagram surgery for clones (new process ids and keys) and the sales diff of two diagrams."""

from __future__ import annotations
