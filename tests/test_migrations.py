"""The migrations and the SQLModel tables describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel


def test_migrations_match_the_models(app):
    with app.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(app):
    from models.db import migrate

    migrate(app.engine)
    migrate(app.engine)
