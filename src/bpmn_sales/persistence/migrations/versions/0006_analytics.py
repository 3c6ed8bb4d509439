"""analytics: targets, stage visits, deals.stages_reached and reporting indexes (issue 8)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DEAL_INDEXES: dict[str, list[str]] = {
    "ix_deals_funnel": [
        "process_version_id",
        "stages_reached",
        "status",
        "currency",
        "value",
        "created_at",
        "owner_id",
    ],
    "ix_deals_closed": [
        "status",
        "process_version_id",
        "stage_key",
        "lost_reason",
        "currency",
        "value",
        "closed_at",
        "owner_id",
        "created_at",
    ],
    "ix_deals_forecast": [
        "status",
        "process_version_id",
        "expected_close_date",
        "currency",
        "value",
        "probability",
        "owner_id",
    ],
    "ix_deals_closed_at": [
        "status",
        "closed_at",
        "process_version_id",
        "owner_id",
        "currency",
        "value",
    ],
    "ix_deals_stuck": [
        "status",
        "stage_key",
        "stage_entered_at",
        "process_version_id",
        "owner_id",
    ],
}
CLOSED = ("won", "lost", "invalid")


def upgrade() -> None:
    op.create_table(
        "stage_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"]),
        sa.ForeignKeyConstraint(["process_id"], ["processes.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stage_visits", schema=None) as batch_op:
        batch_op.create_index("ix_stage_visits_deal_open", ["deal_id", "left_at"])
        batch_op.create_index(
            "ix_stage_visits_report", ["process_id", "stage_key", "hours", "left_at", "owner_id"]
        )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "scope", "scope_id", "currency"),
    )
    # Existing tables gain columns by ALTER only (see 0002 for why).
    with op.batch_alter_table("deals", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("stages_reached", sa.String(length=1000), nullable=True))
    _backfill()
    for name, columns in DEAL_INDEXES.items():
        op.create_index(name, "deals", columns)


def downgrade() -> None:
    for name in DEAL_INDEXES:
        op.drop_index(name, table_name="deals")
    with op.batch_alter_table("deals", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("stages_reached")
    op.drop_table("targets")
    with op.batch_alter_table("stage_visits", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_visits_report")
        batch_op.drop_index("ix_stage_visits_deal_open")
    op.drop_table("stage_visits")


# -- backfill: replay each deal's recorded history into stays -------------------------------
STAMP = sa.DateTime(timezone=True)
deals_t = sa.table(
    "deals",
    sa.column("id", sa.Integer),
    sa.column("process_version_id", sa.Integer),
    sa.column("owner_id", sa.Integer),
    sa.column("stage_key", sa.String),
    sa.column("status", sa.String),
    sa.column("created_at", STAMP),
    sa.column("closed_at", STAMP),
    sa.column("stages_reached", sa.String),
)
history_t = sa.table(
    "history",
    sa.column("id", sa.Integer),
    sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("at", STAMP),
    sa.column("action", sa.String),
    sa.column("from_stage", sa.String),
    sa.column("to_stage", sa.String),
    sa.column("from_status", sa.String),
    sa.column("to_status", sa.String),
)
versions_t = sa.table(
    "process_versions", sa.column("id", sa.Integer), sa.column("process_id", sa.Integer)
)
visits_t = sa.table(
    "stage_visits",
    sa.column("deal_id", sa.Integer),
    sa.column("process_id", sa.Integer),
    sa.column("stage_key", sa.String),
    sa.column("owner_id", sa.Integer),
    sa.column("entered_at", STAMP),
    sa.column("left_at", STAMP),
    sa.column("hours", sa.Integer),
)


def _stays(deal: Any, entries: list[Any]) -> list[dict[str, Any]]:
    stays: list[dict[str, Any]] = []

    def leave(at: datetime) -> None:
        if stays and stays[-1]["left_at"] is None:
            stays[-1]["left_at"] = at
            seconds = (at - stays[-1]["entered_at"]).total_seconds()
            stays[-1]["hours"] = max(0, int(seconds // 3600))

    def enter(stage: str, at: datetime) -> None:
        leave(at)
        stays.append({"stage_key": stage, "entered_at": at, "left_at": None, "hours": None})

    for e in entries:
        moved = e.to_stage and (
            e.action == "created" or (e.from_stage and e.from_stage != e.to_stage)
        )
        if moved and (not stays or stays[-1]["stage_key"] != e.to_stage):
            enter(e.to_stage, e.at)
        elif e.from_status == "open" and e.to_status in CLOSED:
            leave(e.at)
    if not stays and deal.stage_key:
        enter(deal.stage_key, deal.created_at)
        if deal.status in CLOSED and deal.closed_at is not None:
            leave(deal.closed_at)
    return stays


def _backfill() -> None:
    conn = op.get_bind()
    process_of = dict(conn.execute(sa.select(versions_t.c.id, versions_t.c.process_id)).all())
    history: dict[int, list[Any]] = {}
    rows = conn.execute(
        sa.select(history_t)
        .where(history_t.c.subject_type == "deal")
        .order_by(history_t.c.subject_id, history_t.c.id)
    )
    for row in rows:
        history.setdefault(row.subject_id, []).append(row)
    for deal in conn.execute(sa.select(deals_t)).all():
        stays = _stays(deal, history.get(deal.id, []))
        if not stays:
            continue
        base = {
            "deal_id": deal.id,
            "process_id": process_of[deal.process_version_id],
            "owner_id": deal.owner_id,
        }
        conn.execute(sa.insert(visits_t), [{**base, **stay} for stay in stays])
        reached = "|".join(sorted({stay["stage_key"] for stay in stays}))
        conn.execute(
            sa.update(deals_t).where(deals_t.c.id == deal.id).values(stages_reached=reached)
        )
