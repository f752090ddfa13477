"""Database engine, sessions and migrations. SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Executable, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlmodel import Session, create_engine
from sqlmodel.sql.expression import Select, SelectOfScalar

from models import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.errors import UserError
from models.limits import guard_session

T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


guard_session()  # every text written by the application's sessions is checked before the database sees it

DB_ERRORS = (OperationalError, InterfaceError)  # the server is down, unreachable, or refuses us


class DatabaseUnavailable(UserError):
    """The database cannot be reached: nothing was read or written."""


def unavailable(url: str, exc: BaseException, *, started: bool = False) -> DatabaseUnavailable:
    """A one-line Vietnamese message naming the database (without its password) and the driver's
    reason; ``started``: the connection was lost in the middle of the work."""
    shown = make_url(url).render_as_string(hide_password=True)
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    if started:
        return DatabaseUnavailable(f"Mất kết nối cơ sở dữ liệu {shown}: {reason}. Những gì đã ghi trước đó được giữ "
                                   "nguyên; hãy chạy lại lệnh khi cơ sở dữ liệu sẵn sàng.")
    return DatabaseUnavailable(f"Không kết nối được cơ sở dữ liệu {shown}: {reason}. Chưa có gì được đọc hay ghi; "
                               "hãy kiểm tra máy chủ cơ sở dữ liệu (DVTRACKER_DATABASE_URL) rồi chạy lại.")


def make_engine(url: str, *, connect_timeout: int = 10) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise unavailable(url, exc) from exc
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout})


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_savepoint(conn, _name) -> None:
    """Python's sqlite3 starts a transaction only at the first write. A SAVEPOINT issued before
    any write would start one of its own, and releasing it would commit: a crash right after
    would keep half of what should be one transaction (a report without its figures). So a
    savepoint outside a transaction first begins one, taking the write lock (waiting for it up to
    busy_timeout, as a first write would)."""
    dbapi_conn = conn.connection.dbapi_connection
    if not dbapi_conn.in_transaction:
        dbapi_conn.execute("BEGIN IMMEDIATE")


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def migrate(conn: Connection) -> None:
    """Bring the schema to the latest migration, on ``conn`` and in its transaction."""
    cfg = alembic_config(conn.engine)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at (None: never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error, so that a
    failed command leaves nothing half-written."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_once(session: Session, row: T, existing: Select | SelectOfScalar | None = None) -> tuple[bool, T | None]:
    """Insert ``row``, unless a unique key says another run inserted it first: the one way to
    "insert, and if another run won, take its row". Returns (whether this call inserted it, the
    row now in the database: ``row``, or the first row of ``existing`` when another run won)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False, session.exec(existing).first() if existing is not None else None  # type: ignore[return-value]
    return True, row


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while hundreds of thousands of rows are built: each pass
    walks every tuple made so far, which costs more than reading the rows (none of them forms a
    cycle)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_frame(session: Session, stmt: Executable, columns: list[str], *, plain: bool = False) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame with ``columns``. Built column by column: given the
    row objects, pandas inspects each one, which costs more than the query itself when a
    compilation reads hundreds of thousands of figures.

    ``plain``: take the driver's own tuples, without SQLAlchemy's row objects (a third of the
    time for 10^5 rows), transposed by numpy; numbers come back as numbers, text as text. Only
    for columns SQLAlchemy would not convert: text and numbers (on SQLite, dates would stay text
    and booleans integers)."""
    result = session.connection().execute(stmt)
    with gc_paused():
        if plain:
            rows = result.cursor.fetchall()
            result.close()
        else:
            rows = result.all()
        if not rows:
            return pd.DataFrame(columns=columns)
        if plain:
            table = np.empty((len(rows), len(columns)), dtype=object)
            table[:] = rows
            return pd.DataFrame({c: table[:, n] for n, c in enumerate(columns)}).infer_objects()
        return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True)))
