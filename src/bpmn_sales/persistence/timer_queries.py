"""Queries for timer (part of the Store; see store.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class TimerQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
