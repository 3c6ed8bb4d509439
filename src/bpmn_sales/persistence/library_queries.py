"""Queries for the process library: clones, versions in use, deletes (part of the Store)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class LibraryQueries:
    """Mixed into Store: methods here run on the Store's session."""

    session: Session
