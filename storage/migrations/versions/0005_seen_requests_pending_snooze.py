"""seenrequest: the requests acted on, so a replay or a retry does nothing; snooze.pending_key: one
pending snooze per owner and cycle

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('seenrequest',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('seen_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('seenrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seenrequest_seen_at'), ['seen_at'], unique=False)

    # Existing snoozes keep no key: they were made before this rule, and their reminders stay as they are.
    with op.batch_alter_table('snooze', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_unique_constraint('uq_snooze_pending_key', ['pending_key'])


def downgrade() -> None:
    with op.batch_alter_table('snooze', schema=None) as batch_op:
        batch_op.drop_constraint('uq_snooze_pending_key', type_='unique')
        batch_op.drop_column('pending_key')

    with op.batch_alter_table('seenrequest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seenrequest_seen_at'))

    op.drop_table('seenrequest')
