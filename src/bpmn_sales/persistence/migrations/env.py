"""Alembic environment: the engine comes from the caller (bpmn_sales.persistence.db.upgrade)."""

from __future__ import annotations

from alembic import context

from bpmn_sales.persistence.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
