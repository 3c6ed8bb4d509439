"""notifications keep their message and its values, translated for each reader (issue 18)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows written before keep no phrase: they show their English `message`.
    op.add_column("notifications", sa.Column("phrase", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications", recreate="never") as batch:
        batch.drop_column("phrase")
