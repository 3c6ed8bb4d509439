"""Analytics for managers: funnel, losses, time in stage, forecast and targets (issue 8)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("analytics", __name__)
