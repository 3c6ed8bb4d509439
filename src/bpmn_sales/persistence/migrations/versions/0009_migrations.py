"""migration runs of running deals to a new version (issue 6)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature's commit


def downgrade() -> None:
    pass
