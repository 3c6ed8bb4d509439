"""Shared values of the browser tests (importable, unlike conftest)."""

from __future__ import annotations

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
