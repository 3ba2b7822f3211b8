"""purchase approval workflow on by default (issue 5: R-P1)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 04:00:00.000000

R-P1: a purchase invoice goes to the package only once accepted. Organisations with no
``purchase_rules`` row now have the workflow on (``approvals.rules_of``), and a row written
without naming ``approval_required`` gets it on (this server default).

Existing rows are kept as they are: a row exists only because an administrator saved the
rules (``approvals.set_rules``, audited with "approval workflow: on/off"), so its value is
what they chose, and switching their workflow on behind their back would hold every
purchase invoice of an organisation that may have no Procurement user. Downgrade drops the
server default (the model of 0004-0006 had none).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('purchase_rules') as batch_op:
        batch_op.alter_column('approval_required', existing_type=sa.Boolean(), existing_nullable=False,
                              server_default=sa.true())


def downgrade() -> None:
    with op.batch_alter_table('purchase_rules') as batch_op:
        batch_op.alter_column('approval_required', existing_type=sa.Boolean(), existing_nullable=False,
                              server_default=None)
