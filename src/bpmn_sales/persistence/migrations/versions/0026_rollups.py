"""analytics rollups: running totals of deals, stays and leads, kept by triggers (issue 16)

The analytics reports read these few hundred rows instead of scanning every deal and stage
visit, so they do not grow with the number of deals. The triggers (persistence/rollups.py)
keep them in the writer's transaction whichever path writes; this migration fills them from
the rows there are with one grouped INSERT ... SELECT each (seconds at 100k deals).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bpmn_sales.persistence import rollups

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# The rollups this migration makes (later ones make their own).
ROLLUPS = (
    "rollup_funnel",
    "rollup_closed",
    "rollup_forecast",
    "rollup_stays",
    "rollup_leads",
    "rollup_history",
    "rollup_won",
    "rollup_reopened",
)


def _owned() -> list[sa.Column[int]]:
    return [
        sa.Column("process_version_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
    ]


def _money() -> list[sa.Column[int]]:
    return [
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "rollup_funnel",
        *_owned(),
        sa.Column("stages_reached", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_money(),
        sa.PrimaryKeyConstraint(
            "process_version_id", "owner_id", "stages_reached", "status", "currency"
        ),
    )
    op.create_table(
        "rollup_closed",
        *_owned(),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage_key", sa.String(100), nullable=False),
        sa.Column("lost_reason", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_money(),
        sa.Column("cycle_seconds", sa.Float(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "process_version_id", "owner_id", "status", "stage_key", "lost_reason", "currency"
        ),
    )
    op.create_table(
        "rollup_forecast",
        *_owned(),
        sa.Column("close_month", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_money(),
        sa.Column("weighted", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("process_version_id", "owner_id", "close_month", "currency"),
    )
    op.create_table(
        "rollup_stays",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(100), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("process_id", "owner_id", "stage_key", "hours"),
    )
    op.create_table(
        "rollup_leads",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "status"),
    )
    op.create_table(
        "rollup_history",
        sa.Column("close_month", sa.String(7), nullable=False),
        *_owned(),
        sa.Column("stage_key", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_money(),
        sa.PrimaryKeyConstraint(
            "close_month", "process_version_id", "owner_id", "stage_key", "currency"
        ),
    )
    op.create_table(
        "rollup_won",
        *_owned(),
        sa.Column("close_month", sa.String(7), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        *_money(),
        sa.PrimaryKeyConstraint("process_version_id", "owner_id", "close_month", "currency"),
    )
    op.create_table(
        "rollup_reopened",
        *_owned(),
        sa.Column("stages_reached", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage_key", sa.String(100), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "process_version_id", "owner_id", "stages_reached", "status", "stage_key"
        ),
    )
    connection = op.get_bind()
    rollups.backfill(connection, ROLLUPS)
    rollups.create_triggers(connection, ROLLUPS)


def downgrade() -> None:
    rollups.drop_triggers(op.get_bind(), ROLLUPS)
    for table in reversed(ROLLUPS):
        op.drop_table(table)
