"""approval tasks wait, out of every task list, until their stage's requirements are met

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Approval tasks ready before this revision stay offered (waiting false) until the deal's
    # next step or edit checks them again.
    op.add_column(
        "work_items",
        sa.Column("waiting", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("work_items", recreate="never") as batch:
        batch.drop_column("waiting")
