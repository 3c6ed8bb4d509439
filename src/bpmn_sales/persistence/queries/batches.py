"""Rows of many records written together: an import's batch inserts its leads (or its deals and
their customers), and then their work items, timers, stage visits and history entries, each
kind with one statement for the whole batch
(an executemany, which SQLAlchemy sends as multi-row INSERTs), never one statement per row.

While `Store.batched()` is open, `record`, `replace_work_items` and `replace_timers` of records
nothing was stored for yet keep their new rows here; they are written when it closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session

from bpmn_sales.persistence.models import (
    Customer,
    Deal,
    HistoryEntry,
    InstanceSnapshot,
    Lead,
    SearchTerm,
    StageVisit,
    Timer,
    WorkItem,
    table_of,
)
from bpmn_sales.persistence.queries.delivery import NewHistory
from bpmn_sales.persistence.search_terms import subject_terms

LEADS = table_of(Lead)
ADD_LEADS = insert(LEADS).returning(LEADS.c.id)
DEALS = table_of(Deal)
ADD_DEALS = insert(DEALS).returning(DEALS.c.id)
CUSTOMERS = table_of(Customer)
ADD_CUSTOMERS = insert(CUSTOMERS).returning(CUSTOMERS.c.id)
ADD_TERMS = insert(table_of(SearchTerm))
ADD_SNAPSHOTS = insert(table_of(InstanceSnapshot))
TABLES = {
    "work_items": table_of(WorkItem),
    "timers": table_of(Timer),
    "stage_visits": table_of(StageVisit),
}


@dataclass
class Pending:
    """New rows by table, in the order they were made."""

    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.rows.setdefault(table, []).extend(rows)

    def write(self, connection: Connection) -> list[NewHistory]:
        """Insert every table's rows (one executemany each); the history entries written."""
        for table, rows in self.rows.items():
            if rows:
                connection.execute(insert(table), rows)
        if self.history:
            connection.execute(insert(table_of(HistoryEntry)), self.history)
        return [NewHistory(**values) for values in self.history]


def _inserted(session: Session, statement: Any, rows: list[dict[str, Any]]) -> list[int]:
    """The ids of rows inserted by one multi-row INSERT ... RETURNING, in the order of `rows`
    (SQLite and PostgreSQL number the rows of one statement in the order of its VALUES, so
    the ids sorted are the rows' ids in order)."""
    ids = sorted(session.connection().execute(statement, rows).scalars())
    if len(ids) != len(rows):  # pragma: no cover - the database inserts every row or fails
        raise RuntimeError("the rows inserted do not match the rows given")
    return ids


def _add_terms(session: Session, kind: str, ids: list[int], texts: list[tuple[Any, ...]]) -> None:
    terms = [
        term
        for record_id, searched in zip(ids, texts, strict=True)
        for term in subject_terms(kind, record_id, *searched)
    ]
    if terms:
        session.connection().execute(ADD_TERMS, terms)


def insert_leads(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert whole lead rows (each with its instance's snapshot as "state"), their snapshots
    and search terms; the new ids, in the order of `rows`."""
    if not rows:
        return []
    states = [row["state"] for row in rows]
    ids = _inserted(session, ADD_LEADS, _without_state(rows))
    _add_snapshots(session, "lead", ids, states)
    _add_terms(session, "lead", ids, [(row["name"], row.get("company")) for row in rows])
    return ids


def insert_deals(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert whole deal rows (each with its instance's snapshot as "state"), their snapshots
    and search terms; the new ids, in the order of `rows`."""
    if not rows:
        return []
    states = [row["state"] for row in rows]
    ids = _inserted(session, ADD_DEALS, _without_state(rows))
    _add_snapshots(session, "deal", ids, states)
    _add_terms(session, "deal", ids, [(row["name"], row.get("customer")) for row in rows])
    return ids


def _without_state(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{name: value for name, value in row.items() if name != "state"} for row in rows]


def _add_snapshots(session: Session, kind: str, ids: list[int], states: list[str]) -> None:
    snapshots = [
        {"subject_type": kind, "subject_id": record_id, "state": state}
        for record_id, state in zip(ids, states, strict=True)
    ]
    session.connection().execute(ADD_SNAPSHOTS, snapshots)


def customer_ids(session: Session, names: set[str], now: Any) -> dict[str, int]:
    """The id of the customer of each name (the first of that name), the missing ones created
    (with one statement for all)."""
    if not names:
        return {}
    found: dict[str, int] = {}
    query = select(CUSTOMERS.c.name, CUSTOMERS.c.id).where(CUSTOMERS.c.name.in_(sorted(names)))
    for name, customer_id in session.connection().execute(query.order_by(CUSTOMERS.c.id)):
        found.setdefault(name, customer_id)
    missing = sorted(names - set(found))
    if missing:
        rows = [{"name": n, "fields": {}, "created_at": now, "updated_at": now} for n in missing]
        found.update(zip(missing, _inserted(session, ADD_CUSTOMERS, rows), strict=True))
    return found
