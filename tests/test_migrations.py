"""The migrations and the SQLModel tables describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel


def test_migrations_match_the_models(app):
    with app.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_initialising_twice_changes_nothing(settings):
    from wiring.app import init_database

    again = init_database(settings)  # the test's database is a copy of an initialised one
    assert (again.migrated, again.roster_synced) == (False, False)
    assert init_database(settings) == again
