"""The composition root: from settings to an application (database, roster, calendar, streams,
clock), handed to the services and the steps. Opening the application reads nothing: the
database is reached the first time it is used, so that the pure commands (`calendar …`) need
none. The schema and the roster are put in place by `init_database` (`dvtracker init`, and
`serve` and every flow run at their start), under a lock so that several at once are safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from filelock import FileLock
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, select

from models.catalogue import Indicator, load_catalogue
from models.clock import SYSTEM, Clock
from models.data_folder import require_valid
from models.db import (
    DB_ERRORS,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    session_scope,
    unavailable,
)
from models.errors import UserError
from models.roster import Roster, load_roster
from models.roster_store import load_roster_from_db, sync_roster
from models.streams import CalendarConfig, load_calendar
from models.tables import MetaRow
from models.workdays import WorkCalendar, load_overrides
from wiring.settings import Settings, get_settings

ROSTER_FILES_KEY = "roster_files"
COLLECTOR_KEY = "collector"
_ADVISORY_LOCK = 0x64767472  # "dvtr": one lock for every dvtracker init on a PostgreSQL server


@dataclass
class App:
    settings: Settings
    clock: Clock = SYSTEM
    _catalogues: dict[str, list[Indicator]] = field(default_factory=dict)

    @cached_property
    def engine(self) -> Engine:
        """The application's database, checked to be initialised for these data files."""
        engine = make_engine(self.settings.database_url, connect_timeout=self.settings.db_connect_timeout)
        try:
            problem = readiness_problem(engine, self.settings)
        except DB_ERRORS as exc:
            engine.dispose()
            raise unavailable(self.settings.database_url, exc) from exc
        if problem:
            engine.dispose()
            raise UserError(problem)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.engine) as session:
            yield session

    @cached_property
    def config(self) -> CalendarConfig:
        return load_calendar(self.settings.calendar_file)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar(load_overrides(self.settings.day_overrides_file))

    @cached_property
    def roster(self) -> Roster:
        with self.session() as session:
            return load_roster_from_db(session, self.config.groups)

    def catalogue(self, stream_id: str) -> list[Indicator]:
        if stream_id not in self._catalogues:
            stream = self.config.stream(stream_id)
            self._catalogues[stream_id] = load_catalogue(self.settings.data_dir / stream.indicators)
        return self._catalogues[stream_id]

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def open_app(settings: Settings | None = None, *, clock: Clock = SYSTEM) -> App:
    return App(settings=settings or get_settings(), clock=clock)


# --- initialisation -------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitResult:
    database: str  # the URL without its password
    migrated: bool  # the schema was behind (or absent) and is now at the latest migration
    roster_synced: bool  # the roster of the data files was written to the database
    units: int


def init_database(settings: Settings | None = None) -> InitResult:
    """Bring the schema to the latest migration and the roster to that of the data files.
    Idempotent and quick when nothing changed; several processes at once are serialised by a
    lock (a PostgreSQL advisory lock, or a lock file beside a SQLite database)."""
    settings = settings or get_settings()
    require_valid(settings.data_dir)
    config = load_calendar(settings.calendar_file)
    collector = config.collector.id
    roster = load_roster(settings.roster_dir, config.groups)
    files_hash = roster_files_hash(settings.roster_dir)
    engine = make_engine(settings.database_url, connect_timeout=settings.db_connect_timeout)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        with _init_lock(engine), engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
            migrated = current_revision(conn) != head_revision()
            if migrated:
                migrate(conn)
            with Session(bind=conn, expire_on_commit=False) as session:
                owner = session.get(MetaRow, COLLECTOR_KEY)
                if owner is not None and owner.value != collector:
                    raise UserError(_not_yours(shown, owner.value, collector, settings))
                session.add(owner or MetaRow(key=COLLECTOR_KEY, value=collector))
                synced = sync_roster(session, roster)
                meta = session.get(MetaRow, ROSTER_FILES_KEY) or MetaRow(key=ROSTER_FILES_KEY, value="")
                meta.value = files_hash
                session.add(meta)
                session.flush()
    except DB_ERRORS as exc:
        raise unavailable(settings.database_url, exc) from exc
    finally:
        engine.dispose()
    return InitResult(shown, migrated, synced, len(roster.units))


@contextmanager
def _init_lock(engine: Engine) -> Iterator[None]:
    """SQLite has no advisory lock: a lock file beside the database serialises the inits."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with FileLock(f"{database}.init.lock", timeout=120):
        yield


def roster_files_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def readiness_problem(engine: Engine, settings: Settings) -> str | None:
    """Why the database cannot be used as it is (Vietnamese), or None."""
    with engine.connect() as conn:
        revision = current_revision(conn)
        if revision is None:
            return (f"Cơ sở dữ liệu {_shown(engine)} chưa được khởi tạo: hãy chạy 'dvtracker init'.")
        if revision != head_revision():
            return (f"Cơ sở dữ liệu {_shown(engine)} chưa được cập nhật lên phiên bản mới nhất: "
                    "hãy chạy 'dvtracker init'.")
        stored, owner = _meta(conn, ROSTER_FILES_KEY), _meta(conn, COLLECTOR_KEY)
    collector = load_calendar(settings.calendar_file).collector.id
    if owner is not None and owner != collector:
        return _not_yours(_shown(engine), owner, collector, settings)
    if stored != roster_files_hash(settings.roster_dir):
        return (f"Danh mục đơn vị trong {settings.roster_dir} đã thay đổi từ lần khởi tạo cơ sở dữ liệu: "
                "hãy chạy 'dvtracker init' để cập nhật.")
    return None


def _not_yours(database: str, owner: str, collector: str, settings: Settings) -> str:
    return (f"Cơ sở dữ liệu {database} thuộc đơn vị thu thập '{owner}', không phải '{collector}' của thư mục dữ liệu "
            f"{settings.data_dir}: mỗi đơn vị thu thập dùng một cơ sở dữ liệu riêng (DVTRACKER_DATABASE_URL).")


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(MetaRow.value).where(MetaRow.key == key)).scalar()


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
