"""initiative.carried_from_id: the initiative a carried-over one continues; decision.outcome and
decision.closeout_key: a quarter's close-out of an initiative, recorded once

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_initiative_carried_from_id'), ['carried_from_id'], unique=False)
        batch_op.create_foreign_key('fk_initiative_carried_from_id', 'initiative', ['carried_from_id'], ['id'])

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('closeout_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_unique_constraint('uq_decision_closeout_key', ['closeout_key'])


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint('uq_decision_closeout_key', type_='unique')
        batch_op.drop_column('closeout_key')
        batch_op.drop_column('outcome')

    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_constraint('fk_initiative_carried_from_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_initiative_carried_from_id'))
        batch_op.drop_column('carried_from_id')
