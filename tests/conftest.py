"""Shared fixtures. Every test gets its own database: a copy of a migrated SQLite file, or,
when DVTRACKER_TEST_PG_URL is set, a PostgreSQL database cloned from a migrated template.
`make test` runs the whole suite once on each."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

for _key in [k for k in os.environ if k.startswith("DVTRACKER_") and not k.startswith("DVTRACKER_TEST_")]:
    del os.environ[_key]
os.environ["DVTRACKER_CONFIG"] = "/nonexistent/dvtracker.toml"
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from wiring.app import App, init_database, open_app  # noqa: E402
from wiring.settings import Settings, get_settings  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("DVTRACKER_TEST_PG_URL")


def _admin_engine():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_db_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


@pytest.fixture(scope="session")
def _template(tmp_path_factory):
    """A database migrated to head with the roster loaded, copied for each test."""
    base = tmp_path_factory.mktemp("template")
    if PG_URL:
        name = f"dvt_tpl_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        init_database(Settings(var_dir=base, database_url=_pg_db_url(name), data_dir=PROJECT_DIR / "data"))
        yield name
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = base / "template.db"
        init_database(Settings(var_dir=base, database_url=f"sqlite:///{path}", data_dir=PROJECT_DIR / "data"))
        yield path


@pytest.fixture
def database_url(_template, tmp_path) -> str:
    if PG_URL:
        name = f"dvt_{uuid.uuid4().hex[:12]}"
        admin = _admin_engine()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template}"'))
        yield _pg_db_url(name)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path / "dvtracker.db"
        shutil.copy(_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(var_dir=tmp_path / "var", database_url=database_url, data_dir=PROJECT_DIR / "data")


@pytest.fixture
def app(settings) -> App:
    application = open_app(settings)
    yield application
    application.close()


@pytest.fixture
def cli(settings, monkeypatch):
    """Run a dvtracker command in-process against this test's database."""
    from typer.testing import CliRunner

    from dvtracker.cli import app as cli_app

    monkeypatch.setenv("DVTRACKER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DVTRACKER_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("DVTRACKER_ACTOR", "cli:test")
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli_app, list(args), catch_exceptions=False, prog_name="dvtracker")

    yield run
    get_settings.cache_clear()


class PrefectServer:
    """The session's local Prefect server; tests may restart it (the fault of a server restart)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.api = ""

    def start(self) -> str:
        from dvtracker.prefect_local import ensure_server

        self.api = ensure_server(self.settings, timeout=180)
        return self.api

    def stop(self) -> None:
        from dvtracker.prefect_local import stop_server

        stop_server(self.settings)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real local Prefect server for the whole session (UI, scheduler, events, automations
    running), with its own database; Prefect in this process talks to it."""
    import socket

    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_ANALYTICS_ENABLED, temporary_settings

    from dvtracker.prefect_local import prefect_env

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = PrefectServer(Settings(var_dir=tmp_path_factory.mktemp("prefect-var"), prefect_port=port))
    os.environ["PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS"] = "2"
    os.environ["PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS"] = "2"
    api = server.start()
    env = prefect_env(server.settings)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    with temporary_settings(updates={PREFECT_API_URL: api, PREFECT_SERVER_ANALYTICS_ENABLED: False}):
        yield server
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all()
        EventsWorker.drain_all()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    server.stop()


@pytest.fixture(scope="session")
def prefect_api(prefect_server) -> str:
    return prefect_server.api


@pytest.fixture
def flow_env(settings, monkeypatch, prefect_api):
    """Flows read their settings from the environment, as in production: point them at this
    test's database and folders."""
    monkeypatch.setenv("DVTRACKER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DVTRACKER_VAR_DIR", str(settings.var_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def cycle_2023(app):
    """Seed 000's 2023 cycle with the figures and texts of tests/compilation_cases.py."""
    from tests.compilation_cases import REPORTS
    from tests.helpers import open_2023_danvan, submit_seed_000

    cycle = open_2023_danvan(app)
    submit_seed_000(app, cycle, REPORTS)
    return cycle


# --- reminders: local SMTP server and chat receiver ----------------------------------------------
@pytest.fixture
def smtp_server():
    from tests.reminder_servers import SmtpServer

    with SmtpServer() as recorder:
        yield recorder


@pytest.fixture
def chat_receiver():
    from tests.reminder_servers import ChatReceiver

    with ChatReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp_app(app, smtp_server):
    """The app sending email through the test's SMTP server on loopback."""
    app.settings.smtp_host, app.settings.smtp_port, app.settings.smtp_timeout = "127.0.0.1", smtp_server.port, 5
    app.settings.smtp_from = "Vụ Công tác thanh niên <cttn@bnv.example.invalid>"
    return app
