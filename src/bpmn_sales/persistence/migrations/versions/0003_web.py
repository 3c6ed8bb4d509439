"""web: passwords, sign-in failures, settings, process departments/enabled, forms, board columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_failures_username_at", ["username", "at"])
        batch_op.create_index("ix_sign_in_failures_remote_addr_at", ["remote_addr", "at"])

    op.create_table(
        "process_departments",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["process_id"], ["processes.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("process_id", "department_id"),
    )
    with op.batch_alter_table("process_departments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_departments_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "board_columns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["process_id"], ["processes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_id", "stage_key"),
    )

    # Existing tables gain columns by ALTER only (see 0002 for why).
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=300), nullable=True))
    with op.batch_alter_table("processes", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("process_versions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("forms", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("process_versions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("forms")
    with op.batch_alter_table("processes", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("enabled")
        batch_op.drop_column("description")
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("password_hash")
    op.drop_table("board_columns")
    with op.batch_alter_table("process_departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_departments_department_id"))
    op.drop_table("process_departments")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_remote_addr_at")
        batch_op.drop_index("ix_sign_in_failures_username_at")
    op.drop_table("sign_in_failures")
    op.drop_table("settings")
