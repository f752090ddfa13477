"""Wiring: from settings to a ready application (database migrated, roster synced, calendar
and streams loaded). The CLI and the flows both start here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dvtracker.settings import Settings, get_settings
from models.catalogue import Indicator, load_catalogue
from models.db import DB_ERRORS, make_engine, migrate, session_scope, unavailable
from models.roster import Roster, load_roster
from models.roster_store import load_roster_from_db, sync_roster
from models.streams import CalendarConfig, load_calendar
from models.workdays import WorkCalendar, load_overrides


@dataclass
class App:
    settings: Settings
    engine: Engine
    config: CalendarConfig
    calendar: WorkCalendar
    _catalogues: dict[str, list[Indicator]] = field(default_factory=dict)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.engine) as session:
            yield session

    @cached_property
    def roster(self) -> Roster:
        with self.session() as session:
            return load_roster_from_db(session)

    def catalogue(self, stream_id: str) -> list[Indicator]:
        if stream_id not in self._catalogues:
            stream = self.config.stream(stream_id)
            self._catalogues[stream_id] = load_catalogue(self.settings.data_dir / stream.indicators)
        return self._catalogues[stream_id]


def open_app(settings: Settings | None = None) -> App:
    """Migrate the database to the latest schema and sync the roster from the data files
    (both idempotent and quick when nothing changed)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url, connect_timeout=settings.db_connect_timeout)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            sync_roster(session, load_roster(settings.roster_dir))
    except DB_ERRORS as exc:
        engine.dispose()
        raise unavailable(settings.database_url, exc) from exc
    return App(
        settings=settings,
        engine=engine,
        config=load_calendar(settings.calendar_file),
        calendar=WorkCalendar(load_overrides(settings.day_overrides_file)),
    )
