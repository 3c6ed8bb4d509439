"""process library: template links of clones (issue 6)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the feature's commit


def downgrade() -> None:
    pass
