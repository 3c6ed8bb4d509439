"""Rows of many records written together: an import's batch inserts its leads, and then their
work items, timers and history entries, each kind with one statement for the whole batch
(an executemany, which SQLAlchemy sends as multi-row INSERTs), never one statement per row.

While `Store.batched()` is open, `record`, `replace_work_items` and `replace_timers` of records
nothing was stored for yet keep their new rows here; they are written when it closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import HistoryEntry, Lead, SearchTerm, table_of
from bpmn_sales.persistence.search_terms import subject_terms

LEADS = table_of(Lead)
ADD_LEADS = insert(LEADS).returning(LEADS.c.id)
ADD_TERMS = insert(table_of(SearchTerm))


@dataclass
class Pending:
    """New rows by table, in the order they were made."""

    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.rows.setdefault(table, []).extend(rows)

    def write(self, connection: Connection) -> list[HistoryEntry]:
        """Insert every table's rows (one executemany each); the history entries written."""
        for table, rows in self.rows.items():
            if rows:
                connection.execute(insert(table), rows)
        if self.history:
            connection.execute(insert(table_of(HistoryEntry)), self.history)
        return [HistoryEntry(**values) for values in self.history]


def insert_leads(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert whole lead rows and their search terms; the new ids, in the order of `rows`.

    One multi-row INSERT ... RETURNING (SQLite and PostgreSQL number the rows of one
    statement in the order of its VALUES, so the ids sorted are the rows' ids in order).
    """
    if not rows:
        return []
    connection = session.connection()
    ids = sorted(connection.execute(ADD_LEADS, rows).scalars())
    if len(ids) != len(rows):  # pragma: no cover - the database inserts every row or fails
        raise RuntimeError("the leads inserted do not match the rows given")
    terms = [
        term
        for lead_id, row in zip(ids, rows, strict=True)
        for term in subject_terms("lead", lead_id, row["name"], row.get("company"))
    ]
    if terms:
        connection.execute(ADD_TERMS, terms)
    return ids
