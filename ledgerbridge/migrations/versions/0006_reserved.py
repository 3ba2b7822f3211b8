"""payments, prepayments and allocations out (issue 5: R-E6, R-X1) - reserved for that work

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 00:30:00.000000

Reserved so that work done side by side keeps one linear chain; until it is filled it changes nothing.
"""

from __future__ import annotations

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
