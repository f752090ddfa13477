"""prose reports: units' electronic ids, figures proposed for review

Revision ID: i17
Revises: i13
Create Date: 2026-12-01
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = 'i17'
down_revision = 'i15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organ_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_unit_organ_id'), ['organ_id'], unique=False)

    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures_pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('review_of', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_submission_review_of', 'submission', ['review_of'], ['id'])
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.alter_column('figures_pending', server_default=None)

    op.create_table('figure_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('of_value', sa.Float(), nullable=True),
    sa.Column('approximate', sa.Boolean(), nullable=False),
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('sentence', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('section_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_id', 'number')
    )
    with op.batch_alter_table('figure_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_figure_proposal_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('figure_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_proposal_submission_id'))
    op.drop_table('figure_proposal')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint('fk_submission_review_of', type_='foreignkey')
        batch_op.drop_column('review_of')
        batch_op.drop_column('figures_pending')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_organ_id'))
        batch_op.drop_column('organ_id')
