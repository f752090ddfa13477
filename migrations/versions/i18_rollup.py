"""roll-up: a report that is a lower collector's compilation keeps where it came from

Revision ID: i18r
Revises: i19
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = 'i18r'
down_revision = 'i19'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('compiled_from', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('compiled_from')
