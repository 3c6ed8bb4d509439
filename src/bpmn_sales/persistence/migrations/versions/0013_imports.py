"""imported leads and deals remember the id they had in their file (issue 22)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("leads", "deals"):
        op.add_column(table, sa.Column("external_id", sa.String(length=200), nullable=True))
        op.create_index(f"ix_{table}_external_id", table, ["external_id"], unique=True)


def downgrade() -> None:
    for table in ("deals", "leads"):
        op.drop_index(f"ix_{table}_external_id", table_name=table)
        # A native DROP COLUMN: recreating the table would drop one other tables refer to.
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column("external_id")
