"""The rules of the house hold: layers that only import downwards, one clock, a project that
loads without a server, commands that need no database when they use none, and a database
that is put in place under a lock."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.errors import UserError
from tests.conftest import PG_URL, PROJECT_DIR
from tests.processes import run_together
from wiring.app import init_database, open_app
from wiring.settings import Settings

PACKAGES = ["dvtracker", "flows", "services", "tasks", "notifications", "wiring", "models"]


def _copy_project(into: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(PROJECT_DIR / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", into / "pyproject.toml")
    return into


def _lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=folder,
                          capture_output=True, text=True, env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
                          timeout=120, check=False)


def test_the_layers_hold_and_an_upward_import_breaks_the_build(tmp_path):
    project = _copy_project(tmp_path / "project")
    assert _lint_imports(project).returncode == 0
    (project / "models" / "shortcut.py").write_text("from tasks.intake import ingest  # upward\n", encoding="utf-8")
    broken = _lint_imports(project)
    assert broken.returncode == 1
    assert "Each layer imports only from the layers below it BROKEN" in broken.stdout
    assert "models.shortcut -> tasks.intake" in broken.stdout


def test_the_command_line_reaches_the_steps_only_through_the_services(tmp_path):
    project = _copy_project(tmp_path / "project")
    (project / "dvtracker" / "cli" / "shortcut.py").write_text("from tasks.intake import ingest\n", encoding="utf-8")
    broken = _lint_imports(project)
    assert broken.returncode == 1 and "dvtracker.cli.shortcut -> tasks.intake" in broken.stdout


def lines_matching(pattern: str, except_in: str) -> list[str]:
    """file:line of every line of the project's code matching ``pattern``, outside ``except_in``."""
    found = re.compile(pattern)
    return [f"{path.relative_to(PROJECT_DIR)}:{n}" for name in PACKAGES
            for path in (PROJECT_DIR / name).rglob("*.py") if path.name != except_in
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if found.search(line)]


def test_nothing_but_the_clock_asks_the_machine_for_the_time():
    assert lines_matching(r"\b(date\.today|datetime\.(now|utcnow|today)|time\.time)\(", "clock.py") == []


def test_dates_shown_to_people_are_written_by_one_formatter():
    """dd/mm/yyyy is written in models/vnformat.py only: one way to show a date."""
    assert lines_matching(r"%d/%m/%Y", "vnformat.py") == []


def test_the_whole_project_loads_without_a_prefect_server(monkeypatch):
    """Every entrypoint of prefect.yaml imports and builds its deployment, every template renders,
    every command answers --help: what a broken import or a typo would break, found in seconds."""
    from typer.testing import CliRunner

    from dvtracker.cli import app as cli_app
    from flows.deployments import flow_name, load_project, runner_deployments
    from services.tick import TICK_HOUR

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens there: no call may be made
    specs = load_project(collector="bnv")
    deployments = runner_deployments("bnv")
    assert [(d.flow_name, d.name) for d in deployments] == [(flow_name(s), "bnv") for s in specs]
    tick = next(s for s in specs if flow_name(s) == "daily-tick")
    assert tick["schedules"][0]["cron"].split()[:2] == ["0", str(TICK_HOUR)]  # replays use the schedule's hour

    runner = CliRunner()
    commands = _commands(cli_app)
    assert {"init", "cycle open", "status", "remind", "compile", "tick", "calendar deadline"} <= set(commands)
    for command in commands:
        result = runner.invoke(cli_app, [*command.split(), "--help"], catch_exceptions=False)
        assert result.exit_code == 0, command


def _commands(typer_app) -> list[str]:
    import typer.main

    group = typer.main.get_command(typer_app)

    def walk(command, prefix: str) -> list[str]:
        subs = getattr(command, "commands", None)
        if not subs:
            return [prefix.strip()]
        return [name for key, sub in subs.items() for name in walk(sub, f"{prefix} {key}")]

    return walk(group, "")


def test_every_template_renders_with_the_context_it_is_given(app, tmp_path):
    """The templates render with the contexts the code builds (a strict renderer: an unknown
    variable is an error) — through the real paths, on a cycle with a reminder due."""
    from services.tick import run_daily_tick
    from tests.helpers import add_contacts, open_2023_danvan

    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", "ag@angiang.example.invalid"))
    result = run_daily_tick(app, date(2024, 6, 4), cycle_id=cycle.id)
    (day,) = result.cycles
    assert day.reminders.sent and day.digest.status == "written" and day.summary.startswith("## ")


def test_the_calendar_commands_need_no_database(cli, monkeypatch):
    monkeypatch.setenv("DVTRACKER_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("DVTRACKER_DB_CONNECT_TIMEOUT", "1")
    from wiring.settings import get_settings

    get_settings.cache_clear()
    assert "ngày làm việc" in cli("calendar", "day", "2026-11-23").stdout
    assert cli("calendar", "deadline", "trước ngày 15/6/2024", "--issued", "2024-05-17").exit_code == 0
    assert cli("cycles").exit_code == 2  # the database is really out of reach


def _empty_database(tmp_path) -> str:
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'empty.db'}"
    name = f"dvt_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _init(barrier, settings: dict) -> tuple:
    from wiring.app import init_database
    from wiring.settings import Settings

    barrier.wait(timeout=60)
    result = init_database(Settings(**settings))
    return result.migrated, result.roster_synced, result.units


def test_three_inits_at_once_on_an_empty_database_all_succeed(tmp_path):
    settings = Settings(var_dir=tmp_path / "var", database_url=_empty_database(tmp_path), data_dir=PROJECT_DIR / "data")
    results = run_together(_init, [(settings.model_dump(),)] * 3)
    assert sorted(r[:2] for r in results) == [(False, False), (False, False), (True, True)]  # one did the work
    units = sum(1 for _ in (PROJECT_DIR / "data" / "roster" / "units.csv").open(encoding="utf-8")) - 1
    assert {r[2] for r in results} == {units}
    app = open_app(settings)
    assert len(app.roster.units) == units
    app.close()


def test_an_uninitialised_database_is_refused_with_what_to_do(tmp_path):
    app = open_app(Settings(var_dir=tmp_path / "var", database_url=_empty_database(tmp_path),
                            data_dir=PROJECT_DIR / "data"))
    with pytest.raises(UserError, match="chưa được khởi tạo: hãy chạy 'dvtracker init'"):
        _ = app.roster


def test_a_changed_roster_asks_for_init(tmp_path, settings):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_DIR / "data", data)
    with (data / "roster" / "aliases.csv").open("a", encoding="utf-8") as f:
        f.write("p2004-89,AG\n")
    changed = Settings(var_dir=settings.var_dir, database_url=settings.database_url, data_dir=data)
    with pytest.raises(UserError, match="đã thay đổi từ lần khởi tạo cơ sở dữ liệu: hãy chạy 'dvtracker init'"):
        _ = open_app(changed).roster
    assert init_database(changed).roster_synced
    app = open_app(changed)
    assert app.roster.find("AG", date(2024, 1, 1)).id == "p2004-89"  # the new alias is in use
    app.close()
