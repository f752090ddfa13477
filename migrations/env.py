"""Alembic environment: runs on a connection handed over by models.db.migrate, or on the
database named by the settings when called as `alembic upgrade head`."""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

from models import tables  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    if not config.get_main_option("sqlalchemy.url"):
        from wiring.settings import get_settings

        config.set_main_option("sqlalchemy.url", get_settings().database_url)
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
