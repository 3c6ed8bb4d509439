"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bpmn_sales.context import Context
from bpmn_sales.persistence.db import alembic_config, make_engine
from bpmn_sales.persistence.models import (
    Base,
    Customer,
    Deal,
    Group,
    User,
    UTCDateTime,
    WorkItem,
)


def test_migrated_schema_matches_the_models(ctx: Context) -> None:
    with ctx.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrating_twice_is_a_no_op(ctx: Context) -> None:
    before = sorted(inspect(ctx.db).get_table_names())
    ctx.migrate()
    assert sorted(inspect(ctx.db).get_table_names()) == before
    assert {"deals", "leads", "process_versions", "work_items", "history"} <= set(before)


def test_downgrade_to_base_and_back(ctx: Context) -> None:
    command.downgrade(alembic_config(ctx.db), "base")
    assert "deals" not in inspect(ctx.db).get_table_names()
    ctx.migrate()
    with ctx.db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def insert(conn: Connection, table: str, **values: Any) -> None:
    """Insert a row by SQL: the models already describe columns an older schema lacks."""
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    statement = text(f"INSERT INTO {table} ({names}) VALUES ({marks})")  # noqa: S608 - fixed names
    stamps = [
        bindparam(k, type_=UTCDateTime()) for k, v in values.items() if isinstance(v, datetime)
    ]
    conn.execute(statement.bindparams(*stamps), values)


def fill_0001(engine: Engine) -> None:
    """A user owning a deal, its lead, a work item: rows the 0002 tables must be added around."""
    with engine.begin() as conn:
        insert(conn, "users", id=1, username="rob", full_name="Rob", role="rep", created_at=AT)
        insert(conn, "processes", id=1, key="sales", name="Sales", created_at=AT)
        insert(
            conn,
            "process_versions",
            id=1,
            process_id=1,
            version=1,
            filename="sales.bpmn",
            bpmn_xml="<x/>",
            spec_json="{}",
            digest="0" * 64,
            enabled=True,
            deployed_at=AT,
        )
        insert(
            conn,
            "deals",
            id=1,
            name="Big deal",
            value=1000,
            currency="EUR",
            status="open",
            probability=10,
            owner_id=1,
            process_version_id=1,
            state="{}",
            version=1,
            created_at=AT,
            updated_at=AT,
        )
        insert(
            conn,
            "leads",
            id=1,
            name="Lead",
            status="converted",
            owner_id=1,
            process_version_id=1,
            state="{}",
            deal_id=1,
            version=1,
            created_at=AT,
            updated_at=AT,
        )
        insert(
            conn,
            "work_items",
            task_id="t-1",
            subject_type="deal",
            subject_id=1,
            element_id="Activity_Call",
            title="Call",
            role="rep",
            owner_id=1,
            created_at=AT,
        )


def test_upgrade_keeps_rows_and_gives_old_deals_empty_custom_fields(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0001")
    fill_0001(engine)

    command.upgrade(config, "head")

    with Session(engine) as session:
        deal = session.get_one(Deal, 1)
        assert (deal.fields, deal.stage_fields, deal.activities_done) == ({}, {}, [])
        assert deal.customer_id is None
        customer = Customer(name="ACME", created_at=AT, updated_at=AT)
        group = Group(name="Inside sales", created_at=AT, members=[session.get_one(User, 1)])
        session.add_all([customer, group])
        session.flush()
        deal.customer_id = customer.id
        deal.fields = {"segment": "SMB"}
        session.get_one(WorkItem, "t-1").group_id = group.id
        session.commit()
    with Session(engine) as session:
        assert session.get_one(Deal, 1).fields == {"segment": "SMB"}
        assert [g.name for g in session.get_one(User, 1).groups] == ["Inside sales"]
    # The columns added to existing tables are real references on both backends.
    for update in (
        "UPDATE deals SET customer_id = 999",
        "UPDATE users SET department_id = 999",
        "UPDATE work_items SET assignee_id = 999",
        "UPDATE work_items SET group_id = 999",
    ):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(update))

    command.downgrade(config, "0001")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT customer FROM deals")).scalars().all() == [None]
    assert "customers" not in inspect(engine).get_table_names()
    command.upgrade(config, "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    engine.dispose()
