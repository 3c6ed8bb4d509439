"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Base


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
    from alembic import command

    from bpmn_sales.persistence.db import alembic_config

    command.downgrade(alembic_config(ctx.db), "base")
    assert "deals" not in inspect(ctx.db).get_table_names()
    ctx.migrate()
    with ctx.db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
