"""The in-browser modeler: open a version, edit, save a draft, lint, deploy (admins)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("modeler", __name__)
