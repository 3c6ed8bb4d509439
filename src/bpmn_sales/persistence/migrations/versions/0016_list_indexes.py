"""indexes that keep three lists' cost flat as the deals grow (issue 16)

- a user's approvals and assigned tasks oldest first: `assignee_id` then the task lists' order,
  so the page is an index range instead of a scan of every work item in order;
- a team's group tasks counted from an index holding owner, group and assignee (and the task
  id, so the count never reads a row);
- deals of a status by value (a manager's open deals by value): the order is the index's.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_work_items_assignee_order",
        "work_items",
        ["assignee_id", "created_at", "title", "task_id"],
    ),
    ("ix_work_items_owner_group", "work_items", ["owner_id", "group_id", "assignee_id", "task_id"]),
    ("ix_deals_status_value", "deals", ["status", "value", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
