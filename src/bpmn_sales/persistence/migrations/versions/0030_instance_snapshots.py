"""instance snapshots move out of the leads' and deals' rows into a table of their own (issue 17)

A snapshot is ~13 KB: in the row, every UPDATE a step makes (the probability, the stage, the
version) rewrote a row spanning four overflow pages in SQLite, and the columns stored after it
(the versions, the dates, `stages_reached`) were read by walking those pages. Now a row is a few
hundred bytes, and the snapshot, written once in up to 16 steps, is read only to restore an
instance. Existing snapshots are copied as they are.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

SUBJECTS = (("lead", "leads"), ("deal", "deals"))


def upgrade() -> None:
    op.create_table(
        "instance_snapshots",
        sa.Column("subject_type", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id"),
    )
    for kind, table in SUBJECTS:
        op.execute(
            f"INSERT INTO instance_snapshots (subject_type, subject_id, state) "  # noqa: S608
            f"SELECT '{kind}', id, state FROM {table}"
        )
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column("state")


def downgrade() -> None:
    for kind, table in SUBJECTS:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("state", sa.Text(), nullable=False, server_default=""))
        op.execute(
            f"UPDATE {table} SET state = COALESCE((SELECT s.state FROM instance_snapshots s "  # noqa: S608
            f"WHERE s.subject_type = '{kind}' AND s.subject_id = {table}.id), '')"
        )
    op.drop_table("instance_snapshots")
