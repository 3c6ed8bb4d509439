"""each user's language and time zone (issue 18); the company's defaults live in `settings`

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=20), nullable=True))
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # A native DROP COLUMN: recreating the table would drop the ones other tables refer to.
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("language")
