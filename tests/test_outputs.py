"""Every file written for people is in the database: a worker's disk holds nothing that matters.
A compilation made on one machine (its var folder) is fetched, byte for byte, on another that
shares only the database."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from models.tables import OutputRow
from services.tick import run_daily_tick
from tasks.compile import compile_cycle
from tests.compilation_cases import V1_DAY, V2_DAY, late_reports
from tests.helpers import add_contacts, open_2023_danvan
from wiring.app import open_app
from wiring.settings import Settings, get_settings


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_compilation_made_on_worker_a_is_fetched_on_worker_b(app, cycle_2023, cli, settings, tmp_path,
                                                               monkeypatch):
    first = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)  # worker A: var folder A
    late_reports(app, cycle_2023)
    second = compile_cycle(app, cycle_2023.id, as_of=V2_DAY)
    assert (first.version, second.version) == (1, 2)

    # Worker B: its own var folder, the same database; nothing of A's folder is reachable.
    var_b = tmp_path / "worker-b" / "var"
    monkeypatch.setenv("DVTRACKER_VAR_DIR", str(var_b))
    get_settings.cache_clear()
    listed = cli("outputs", "list", "--cycle", cycle_2023.id, "--version", "1", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert sorted(r["name"] for r in rows) == sorted(
        f"exports/{cycle_2023.id}/v1/{path.name}" for path in first.files.values())
    assert len(rows) == 5  # the draft, Tư liệu tổng hợp, Cần kiểm tra, the annex, the summary
    assert {(r["kind"], r["version"]) for r in rows} == {("compilation", 1)}

    fetched = cli("outputs", "get", "--cycle", cycle_2023.id, "--version", "1", "-o", str(var_b))
    assert fetched.exit_code == 0, fetched.output
    for kind, path in first.files.items():
        copy = var_b / path.relative_to(settings.var_dir)
        assert copy.read_bytes() == path.read_bytes(), kind
    assert not (var_b / "exports" / cycle_2023.id / "v2").exists()

    # Without --version: the newest file of each name, both versions; --kind narrows.
    everything = tmp_path / "all"
    assert cli("outputs", "get", "--cycle", cycle_2023.id, "--kind", "compilation", "-o", str(everything)).exit_code == 0
    for result in (first, second):
        for path in result.files.values():
            assert sha(everything / path.relative_to(settings.var_dir)) == sha(path)

    table = cli("outputs", "list", "--cycle", cycle_2023.id)
    assert table.exit_code == 0 and f"Các tệp đã tạo của kỳ {cycle_2023.id}" in table.stdout


def test_the_daily_tick_keeps_its_status_reminders_and_digest_in_the_database(app, tmp_path):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", "ag@angiang.example.invalid"))
    run_daily_tick(app, date(2024, 6, 4), cycle_id=cycle.id)  # two working days late: reminders, status

    other = open_app(Settings(var_dir=tmp_path / "elsewhere", database_url=app.settings.database_url,
                              data_dir=app.settings.data_dir))
    try:
        from tasks.outputs import fetch_outputs, list_outputs

        kinds = {o.kind for o in list_outputs(other, cycle.id)}
        assert {"status", "reminder", "digest"} <= kinds
        written = fetch_outputs(other, cycle.id, tmp_path / "fetched")
    finally:
        other.close()
    for path in written:
        original = app.settings.var_dir / path.relative_to(tmp_path / "fetched")
        assert path.read_bytes() == original.read_bytes()
    assert any(p.suffix == ".eml" and "reminders" in p.parts for p in written)
    assert any(p.name == "tinh-hinh-20240604.xlsx" for p in written)


def test_a_name_that_would_leave_the_folder_is_refused(app, cycle_2023, tmp_path):
    from models.blobs import store_blob
    from models.errors import UserError
    from tasks.outputs import fetch_outputs

    with app.session() as session:
        digest = store_blob(session, b"x", "x")
        session.add(OutputRow(cycle_id=cycle_2023.id, kind="status", name="../../evil.txt", sha256=digest, size=1))
    try:
        fetch_outputs(app, cycle_2023.id, tmp_path / "out")
    except UserError as exc:
        assert "không hợp lệ" in exc.message
    else:
        raise AssertionError("a name leaving the folder was written")
    assert not (tmp_path.parent / "evil.txt").exists()
