"""request deadline detail: the clause used, its basis and assumption, receipt date, addition window

Revision ID: i13
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "i13"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_clause", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column("deadline_basis", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column("deadline_assumption", sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=True))
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("addition_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("addition_clause", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.add_column(sa.Column("addition_rule", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request_document", schema=None) as batch_op:
        for column in ("addition_rule", "addition_clause", "addition_deadline", "received_on", "deadline_assumption",
                       "deadline_basis", "deadline_clause"):
            batch_op.drop_column(column)
