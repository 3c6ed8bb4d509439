"""instance journal: an instance's state is a snapshot plus the deltas of later steps (issue 17)

Each stored `state` becomes the snapshot at its row's current version, with an empty journal.
Downgrading folds every journal back into its snapshot (the delta format is
bpmn-sales-delta/1, merged here without the engine), so no step is lost.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SUBJECTS = (("lead", "leads"), ("deal", "deals"))


def upgrade() -> None:
    op.create_table(
        "instance_journal",
        sa.Column("subject_type", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", "version"),
    )
    # Only ever by ALTER (recreate="never"): a SQLite table copy would fail on a database that
    # already holds rows other tables refer to.
    for _, table in SUBJECTS:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column("state_version", sa.Integer(), nullable=False, server_default="0")
            )
            batch_op.add_column(
                sa.Column("instance_version", sa.Integer(), nullable=False, server_default="0")
            )
        op.execute(f"UPDATE {table} SET state_version = version, instance_version = version")  # noqa: S608


def _apply_part(state: dict[str, Any], part: dict[str, Any]) -> None:
    state.update(part["workflow"])
    for task_id in part["removed"]:
        del state["tasks"][task_id]
    state["tasks"].update(part["tasks"])


def _apply(state: dict[str, Any], body: dict[str, Any]) -> None:
    """engine/running/journal.py's `apply` for format bpmn-sales-delta/1."""
    if body.get("format") != "bpmn-sales-delta/1":
        raise ValueError("not a bpmn-sales state delta")
    _apply_part(state, body)
    state["bpmn_events"] = body["bpmn_events"]
    subprocesses = state["subprocesses"]
    for key in body["removed_subprocesses"]:
        del subprocesses[key]
    for key, part in body["subprocesses"].items():
        if "full" in part:
            subprocesses[key] = part["full"]
        else:
            _apply_part(subprocesses[key], part)


def downgrade() -> None:
    connection = op.get_bind()
    for kind, table in SUBJECTS:
        subjects = connection.execute(
            sa.text("SELECT DISTINCT subject_id FROM instance_journal WHERE subject_type = :k"),
            {"k": kind},
        ).scalars()
        for subject_id in list(subjects):
            row = connection.execute(
                sa.text(
                    f"SELECT state, state_version, instance_version FROM {table} WHERE id = :i"  # noqa: S608
                ),
                {"i": subject_id},
            ).one()
            bodies = connection.execute(
                sa.text(
                    "SELECT body FROM instance_journal WHERE subject_type = :k "
                    "AND subject_id = :i AND version > :s AND version <= :v ORDER BY version"
                ),
                {"k": kind, "i": subject_id, "s": row.state_version, "v": row.instance_version},
            ).scalars()
            state = json.loads(row.state)
            for body in bodies:
                _apply(state, json.loads(body))
            connection.execute(
                sa.text(f"UPDATE {table} SET state = :s WHERE id = :i"),  # noqa: S608
                {"s": json.dumps(state, separators=(",", ":")), "i": subject_id},
            )
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column("instance_version")
            batch_op.drop_column("state_version")
    op.drop_table("instance_journal")
