"""escalations, decisions, digest settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:46:04.329849
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Columns added NOT NULL to tables that may hold rows get a server default for those rows.
    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('open_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('more_reasons', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('cycle', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('opened_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('opened_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sla_deadline', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('acknowledged_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scheduled_for', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('closed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('message_ts', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key')
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=True),
    sa.Column('committee', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rationale', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('decided_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('follow_up_owner', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('follow_up_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id'], ),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_escalation_id'), ['escalation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_initiative_id'), ['initiative_id'], unique=False)

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_options', sqlmodel.sql.sqltypes.AutoString(), nullable=True))

    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('depends_on', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_email'), ['email'], unique=False)

    with op.batch_alter_table('workspacesettings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leadership_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('team_channels', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('escalation_rules', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('escalation_sla_hours', sa.Integer(), nullable=False, server_default='48'))
        batch_op.add_column(sa.Column('escalation_contact', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('committee_weekday', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('committee_week', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('committee_hour', sa.Integer(), nullable=False, server_default='10'))

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('workspacesettings', schema=None) as batch_op:
        batch_op.drop_column('committee_hour')
        batch_op.drop_column('committee_week')
        batch_op.drop_column('committee_weekday')
        batch_op.drop_column('escalation_contact')
        batch_op.drop_column('escalation_sla_hours')
        batch_op.drop_column('escalation_rules')
        batch_op.drop_column('team_channels')
        batch_op.drop_column('leadership_channel')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_email'))
        batch_op.drop_column('email')

    with op.batch_alter_table('initiative', schema=None) as batch_op:
        batch_op.drop_column('depends_on')
        batch_op.drop_column('planned')

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_column('decision_options')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_decision_escalation_id'))
        batch_op.drop_index(batch_op.f('ix_decision_decided_at'))

    op.drop_table('decision')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_initiative_id'))

    op.drop_table('escalation')
    # ### end Alembic commands ###
