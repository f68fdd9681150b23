"""delivery.parent_id: a delivery that waits for another's message

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_delivery_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key('fk_delivery_parent_id_delivery', 'delivery', ['parent_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint('fk_delivery_parent_id_delivery', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_delivery_parent_id'))
        batch_op.drop_column('parent_id')
