"""scale-out: workers, shared call budget, queue uniqueness (issue 6) - reserved for that work

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:30:00.000000

Reserved so that work done side by side keeps one linear chain; until it is filled it changes nothing.
"""

from __future__ import annotations

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
