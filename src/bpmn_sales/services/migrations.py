"""Use cases for moving running deals to a newer process version: preview, then apply."""

from __future__ import annotations
