"""The hot path's prepared writes give what SQLAlchemy's own execution gives, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import StatementError

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import HistoryEntry, WorkItem, table_of
from bpmn_sales.persistence.prepared import Prepared
from tests.statements import Statements

HISTORY = table_of(HistoryEntry)
ITEMS = table_of(WorkItem)


def test_a_prepared_insert_and_update_store_the_values_typed(ctx: Context) -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    add = Prepared(insert(HISTORY))
    move = Prepared(update(HISTORY).where(HISTORY.c.id == bindparam("_id")))
    values = {
        "subject_type": "deal",
        "subject_id": 1,
        "at": at,
        "actor_id": None,
        "action": "prepared",
        "from_stage": None,
        "to_stage": "s1",
        "from_status": "open",
        "to_status": "open",
        "detail": "{}",
    }
    counter = Statements(ctx.db)
    with ctx.db.connect() as connection, counter.counting():
        add(connection, values)
        add(connection, {**values, "to_stage": "s2"})
        [(entry_id, stored_at)] = connection.execute(
            select(HISTORY.c.id, HISTORY.c.at).where(HISTORY.c.to_stage == "s2")
        ).all()
        changed = move(connection, {"to_stage": "s3", "_id": entry_id}).rowcount
        missed = move(connection, {"to_stage": "s4", "_id": entry_id + 1000}).rowcount
        stages = connection.execute(
            select(HISTORY.c.to_stage).where(HISTORY.c.action == "prepared").order_by(HISTORY.c.id)
        ).scalars()
        assert list(stages) == ["s1", "s3"]
        connection.rollback()
    # The DateTime column's own conversion ran: the value reads back as the moment written.
    assert stored_at.replace(tzinfo=stored_at.tzinfo or UTC) == at
    assert (changed, missed) == (1, 0)
    # Compiled once per set of parameter names; every statement still passes the engine's events.
    assert len(add._plans) == 1 and all(p is not None for p in add._plans.values())
    assert counter.count == 6


def test_a_statement_needing_more_than_its_parameters_runs_the_ordinary_way(
    ctx: Context, team: Any
) -> None:
    """A column left out whose default the ORM model gives in Python: SQLAlchemy fills it."""
    add = Prepared(insert(ITEMS))
    row = {
        "task_id": "prepared-1",
        "subject_type": "deal",
        "subject_id": 1,
        "element_id": "Activity_X",
        "title": "X",
        "role": "rep",
        "created_at": datetime(2026, 3, 4, tzinfo=UTC),
    }
    with ctx.db.connect() as connection:
        add(connection, {**row, "owner_id": team.rob.id})
        waiting = connection.execute(
            select(ITEMS.c.waiting).where(ITEMS.c.task_id == "prepared-1")
        ).scalar_one()
        connection.rollback()
    assert waiting is False or waiting == 0
    [plan] = add._plans.values()
    assert plan is None


def test_many_rows_go_in_one_statement_with_their_values_typed(ctx: Context, team: Any) -> None:
    """`many` writes every row in one executemany, whatever order each row names its values
    in; a row lacking one of the first row's names gets SQLAlchemy's error naming it."""
    add = Prepared(insert(ITEMS))
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    row = {c.key: None for c in ITEMS.columns} | {
        "subject_type": "deal",
        "subject_id": 1,
        "element_id": "Activity_X",
        "role": "rep",
        "owner_id": team.rob.id,
        "created_at": at,
        "waiting": False,
    }
    rows = [{**row, "task_id": f"many-{i}", "title": f"T{i}"} for i in range(3)]
    counter = Statements(ctx.db)
    with ctx.db.connect() as connection:
        with counter.counting():
            add.many(connection, rows)
            add.many(connection, [])
        assert counter.count == 1
        later = {**row, "task_id": "many-4", "title": "T4"}
        add.many(connection, [{**rows[0], "task_id": "many-3"}, dict(reversed(later.items()))])
        lacking = {k: v for k, v in later.items() if k != "due_at"} | {"task_id": "many-5"}
        with pytest.raises(StatementError, match="due_at"):
            add.many(connection, [{**rows[0], "task_id": "many-6"}, lacking])
        stored = connection.execute(
            select(ITEMS.c.task_id, ITEMS.c.title, ITEMS.c.created_at)
            .where(ITEMS.c.task_id.like("many-%"))
            .order_by(ITEMS.c.task_id)
        ).all()
        connection.rollback()
    assert [(r.task_id, r.title) for r in stored] == [
        ("many-0", "T0"),
        ("many-1", "T1"),
        ("many-2", "T2"),
        ("many-3", "T0"),
        ("many-4", "T4"),
    ]
    assert all(r.created_at.replace(tzinfo=r.created_at.tzinfo or UTC) == at for r in stored)
