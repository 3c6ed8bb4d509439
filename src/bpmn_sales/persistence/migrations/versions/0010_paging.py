"""paged lists: keyset and covering indexes, search terms of leads and deals (issue 16)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Each list's order and filters is an index range (persistence/queries/).
INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_deals_owner_id": ("deals", ["owner_id", "id"]),
    "ix_deals_value": ("deals", ["value", "id"]),
    "ix_deals_close": ("deals", ["expected_close_date", "id"]),
    "ix_deals_name": ("deals", ["name", "id"]),
    "ix_deals_version_status": ("deals", ["process_version_id", "status"]),
    "ix_deals_version_stage": ("deals", ["process_version_id", "stage_key"]),
    # The board: every column's count and value sum read from the index alone.
    "ix_deals_board": (
        "deals",
        ["status", "process_version_id", "owner_id", "stage_key", "currency", "value"],
    ),
    # The board's cards, longest in the stage first.
    "ix_deals_column": (
        "deals",
        ["status", "stage_key", "stage_entered_at", "id", "process_version_id", "owner_id"],
    ),
    "ix_leads_owner_id": ("leads", ["owner_id", "id"]),
    "ix_leads_value": ("leads", ["estimated_value", "id"]),
    "ix_leads_name": ("leads", ["name", "id"]),
    "ix_leads_version_status": ("leads", ["process_version_id", "status"]),
    "ix_work_items_order": ("work_items", ["created_at", "title", "task_id"]),
    "ix_follow_ups_open": ("follow_ups", ["done_at", "due_on", "id"]),
    "ix_notifications_user": ("notifications", ["user_id", "id"]),
    "ix_outbox_status_id": ("outbox", ["status", "id"]),
}
WORD = re.compile(r"\w+")
BATCH = 5000


def _terms(*texts: Any) -> set[str]:
    # The same words as bpmn_sales.domain.search.terms, kept here as this migration's own copy.
    return {w.casefold()[:40] for text in texts for w in WORD.findall(text or "") if w.casefold()}


def _fill_terms(kind: str, table: str, company: str) -> None:
    bind = op.get_bind()
    terms = sa.table(
        "search_terms", sa.column("subject_type"), sa.column("term"), sa.column("subject_id")
    )
    source = sa.table(table, sa.column("id"), sa.column("name"), sa.column(company))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(source.c.id, source.c.name, source.c[company])
            .where(source.c.id > last)
            .order_by(source.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = [
            {"subject_type": kind, "term": term, "subject_id": row[0]}
            for row in rows
            for term in _terms(row[1], row[2])
        ]
        if values:
            bind.execute(sa.insert(terms), values)
        last = rows[-1][0]


def upgrade() -> None:
    term = sa.String(40).with_variant(sa.String(40, collation="C"), "postgresql")
    op.create_table(
        "search_terms",
        sa.Column("subject_type", sa.String(10), nullable=False),
        sa.Column("term", term, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "term", "subject_id"),
    )
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)
    op.create_index(
        "ix_search_terms_subject", "search_terms", ["subject_type", "subject_id", "term"]
    )
    _fill_terms("deal", "deals", "customer")
    _fill_terms("lead", "leads", "company")


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_table("search_terms")
