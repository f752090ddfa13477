"""the công văn đôn đốc of an escalation stage

Revision ID: i15
Revises: i13
Create Date: 2026-12-01
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'i15'
down_revision = 'i13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminder_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('drafted_on', sa.Date(), nullable=False),
    sa.Column('resend_by', sa.Date(), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('draft_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], ),
    sa.ForeignKeyConstraint(['draft_sha256'], ['blob.sha256'], ),
    sa.ForeignKeyConstraint(['request_id'], ['request_document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id', 'stage')
    )


def downgrade() -> None:
    op.drop_table('reminder_letter')
