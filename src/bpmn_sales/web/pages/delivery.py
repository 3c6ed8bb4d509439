"""Delivery admin: the outbox (failed messages, retry) and webhooks (issue 7)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("delivery", __name__)
