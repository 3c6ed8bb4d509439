"""modeler drafts (issue 6)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature's commit


def downgrade() -> None:
    pass
