"""work items lose the four indexes that a wider one already serves (issue 17)

Completing a task deletes its work item and often inserts the next ones; every index on the
table costs each of those rows a page written. `ix_work_items_subject`, `ix_work_items_owner_id`
and `ix_work_items_assignee_id` are the leading columns of `ix_work_items_subject_due`,
`ix_work_items_owner_group` and `ix_work_items_assignee_order`, which answer the same lookups
(the foreign keys' checks among them); no query filters on `lane`. Eight indexes stay.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

DROPPED = {
    "ix_work_items_subject": ["subject_type", "subject_id"],
    "ix_work_items_owner_id": ["owner_id"],
    "ix_work_items_assignee_id": ["assignee_id"],
    "ix_work_items_lane": ["lane"],
}


def upgrade() -> None:
    for name in DROPPED:
        op.drop_index(name, table_name="work_items")


def downgrade() -> None:
    for name, columns in DROPPED.items():
        op.create_index(name, "work_items", columns)
