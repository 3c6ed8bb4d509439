"""ready tasks have a due time; follow-ups remember being cancelled by a close (issue "the
rep's and the manager's day")

Existing ready tasks take the due time of the earliest timer their lead or deal waits for (a
stage's reminder, mostly), else none; the next step of the record projects them afresh.

Revision ID: 0021
Revises: 0023
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = sa.DateTime(timezone=True)
    op.add_column("work_items", sa.Column("due_at", moment, nullable=True))
    op.add_column("follow_ups", sa.Column("cancelled_at", moment, nullable=True))
    op.execute(
        "UPDATE work_items SET due_at = (SELECT min(timers.due_at) FROM timers"
        " WHERE timers.subject_type = work_items.subject_type"
        " AND timers.subject_id = work_items.subject_id)"
    )
    op.create_index("ix_work_items_due", "work_items", ["due_at", "task_id"])
    op.create_index(
        "ix_work_items_subject_due", "work_items", ["subject_type", "subject_id", "due_at"]
    )
    op.create_index("ix_follow_ups_deal_open", "follow_ups", ["deal_id", "done_at", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_follow_ups_deal_open", table_name="follow_ups")
    op.drop_index("ix_work_items_subject_due", table_name="work_items")
    op.drop_index("ix_work_items_due", table_name="work_items")
    # Native DROP COLUMN: recreating the tables would drop what refers to them.
    with op.batch_alter_table("follow_ups", recreate="never") as batch:
        batch.drop_column("cancelled_at")
    with op.batch_alter_table("work_items", recreate="never") as batch:
        batch.drop_column("due_at")
