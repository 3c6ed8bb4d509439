"""leads have a currency, carried to the deal they become (issue 18)

Existing leads take the company's currency (the `company.currency` setting), else USD.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "leads", sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False)
    )
    op.execute(
        "UPDATE leads SET currency = (SELECT upper(value) FROM settings"
        " WHERE key = 'company.currency') WHERE EXISTS (SELECT 1 FROM settings"
        " WHERE key = 'company.currency' AND length(value) = 3)"
    )


def downgrade() -> None:
    # A native DROP COLUMN: recreating the table would drop one other tables refer to.
    with op.batch_alter_table("leads", recreate="never") as batch:
        batch.drop_column("currency")
