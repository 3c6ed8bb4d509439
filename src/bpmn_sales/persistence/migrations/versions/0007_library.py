"""process library: template links of clones (issue 6)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FK = "fk_processes_template_id_processes"


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # An existing table gains columns by ALTER only; on SQLite the reference goes into the
    # ADD COLUMN itself (SQLite cannot add a constraint to an existing table). No ON DELETE:
    # SQLite does not report it for such a reference; deleting a template empties the link.
    with op.batch_alter_table("processes", schema=None, recreate="never") as batch_op:
        if _is_sqlite():
            reference = sa.ForeignKey("processes.id", name=FK)
            column = sa.Column("template_id", sa.Integer(), reference, nullable=True)
            batch_op.add_column(column, inline_references=True)
        else:
            batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(FK, "processes", ["template_id"], ["id"])
        batch_op.add_column(sa.Column("template_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processes", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("template_version")
        if not _is_sqlite():
            batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("template_id")
