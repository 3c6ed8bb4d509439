"""Migrating running deals to a newer version: the preview page and the batched apply (admins)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("migrations", __name__)
