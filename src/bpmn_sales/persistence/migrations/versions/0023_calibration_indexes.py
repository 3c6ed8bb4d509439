"""indexes of the win-rate calibration's past forecasts (stage visits joined with deals)

- deals by expected close date, holding what the forecast of a month's start reads (version,
  closed at, currency, value, owner, id), so the months' deals are an index range without rows;
- a deal's stage visits by when they began, holding when they ended and the stage, so the visit
  open at a month's start is found in the index.

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0020"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_deals_expected_history",
        "deals",
        [
            "expected_close_date",
            "process_version_id",
            "closed_at",
            "currency",
            "value",
            "owner_id",
            "id",
        ],
    ),
    (
        "ix_stage_visits_deal_span",
        "stage_visits",
        ["deal_id", "entered_at", "left_at", "stage_key"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
