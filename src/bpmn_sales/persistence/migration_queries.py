"""Queries for migrating running deals between versions (part of the Store; see store.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class MigrationQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
