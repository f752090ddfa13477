"""The benchmark cannot rot silently: its generator is deterministic and writes data the product
reads, and one tiny round of every phase runs (no timing is asserted: figures are the benchmark's
job, not the tests')."""

from __future__ import annotations

import csv
import filecmp
import uuid
from collections import Counter

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import bench.measure
from bench.baselines import TickAnswer, stored_reports
from bench.generate import CATALOGUE, COMMUNE_KINDS, COMMUNES, CURRENT, STREAM, generate, parse_size
from bench.measure import Workspace, phase_compile, phase_documents, phase_setup, phase_tick, same_reports
from models.catalogue import load_catalogue
from models.data_folder import check_data
from models.report_form import read_form
from models.roster import load_roster
from models.streams import load_calendar
from models.tables import SubmissionRow
from tests.conftest import PG_URL, PROJECT_DIR


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own: the benchmark's collector has its own roster, not the project's."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    name = f"dvt_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_generator_is_deterministic_and_writes_what_the_product_reads(tmp_path):
    a, b = generate(tmp_path / "a", 120), generate(tmp_path / "b", 120)
    files = [p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()]
    assert files and all(filecmp.cmp(tmp_path / "a" / f, tmp_path / "b" / f, shallow=False) for f in files)
    assert [(s.unit_id, s.received_at, s.form) for s in a.current.submissions] == \
           [(s.unit_id, s.received_at, s.form) for s in b.current.submissions]

    roster = load_roster(tmp_path / "a" / "roster")
    assert len(roster.on(CURRENT.deadline)) == 120
    assert len(a.roster.merged) == 2 and all(roster.successor_on(p, CURRENT.deadline) == s
                                             for p, s in a.roster.merged.items())
    stream = load_calendar(tmp_path / "a" / "calendar.yaml").stream(STREAM)
    catalogue = load_catalogue(tmp_path / "a" / stream.indicators)
    assert len(catalogue) == len(CATALOGUE) == 45
    assert {i.aggregation for i in catalogue} == {"sum", "rate", "score", "rank", "context"}
    assert any(i.part_of for i in catalogue) and any("sum_of_parts" in i.checks for i in catalogue)

    for plan in (a.previous, a.current):
        for sub in plan.submissions:
            result = read_form(sub.form, sections=stream.sections, indicators=catalogue)
            assert not result.errors, (sub.unit_id, result.errors)
            assert result.report.is_draft == sub.is_draft
    statuses = {s.unit_id for s in a.current.submissions}
    assert 0.85 * 120 < len(statuses) < 120  # most units report, some never do
    assert any(s.is_draft for s in a.current.submissions)


def test_the_commune_size_is_the_real_national_commune_level(tmp_path):
    pytest.importorskip("vietnam_provinces")
    assert parse_size(" communes ") == COMMUNES and parse_size("93") == 93
    collector = generate(tmp_path, COMMUNES)
    assert check_data(tmp_path) == []  # what `dvtracker data check` reports: nothing
    assert collector.n_units == 3321 and not collector.roster.central and not collector.roster.merged

    roster = load_roster(tmp_path / "roster")
    units = roster.on(CURRENT.deadline)
    assert len(units) == 3321 and {u.group for u in units} == {"commune"}
    assert Counter(u.kind for u in units) == COMMUNE_KINDS == {"XA": 2621, "PHUONG": 687, "DACKHU": 13}
    by_code = {u.code: u.name for u in units}
    assert len(by_code) == 3321 and all(len(c) == 5 and c.isdigit() for c in by_code)
    # the official codes and names, as `dvtracker data communes --province 22` wrote them for Quảng Ninh
    with (PROJECT_DIR / "data" / "provinces" / "quang-ninh" / "roster" / "units.csv").open(encoding="utf-8") as fh:
        quang_ninh = {r["code"]: r["name"] for r in csv.DictReader(fh) if r["group"] == "commune"}
    assert len(quang_ninh) == 54 and all(by_code[c] == n for c, n in quang_ninh.items())

    calendar = load_calendar(tmp_path / "calendar.yaml")
    assert list(calendar.groups) == ["commune"]
    stream = calendar.stream(STREAM)
    catalogue = load_catalogue(tmp_path / stream.indicators)
    assert len(catalogue) == 45
    reports = collector.current.submissions
    assert {s.form["unit"] for s in reports} <= set(by_code) and len({s.unit_id for s in reports}) > 0.85 * 3321
    for sub in reports[::100]:
        assert not read_form(sub.form, sections=stream.sections, indicators=catalogue).errors


def test_one_tiny_round_of_every_phase(tmp_path, empty_database_url):
    ws = Workspace(tmp_path / "bench", empty_database_url, 20)
    setup = phase_setup(ws)
    assert setup["stored"] == setup["reports"]
    assert setup["intake_json"]["files"] + setup["intake_workbook"]["files"] + setup["bulk_reports"] == setup["reports"]
    assert setup["intake_workbook"]["files"] > 0 and "rejected" not in setup["intake_json"]["outcomes"]
    assert setup["intake_floor"]["files"] == setup["intake_json"]["files"]  # the floor stored the same reports
    assert setup["intake_sweep"]["files"] == setup["intake_json"]["files"]  # and so did the inbox sweep
    assert set(setup["intake_sweep"]["outcomes"]) <= {"accepted", "draft"}

    tick = phase_tick(ws, repeat=2)  # raises when the baseline disagrees with the tool
    assert sum(tick["statuses"].values()) == 20
    assert tick["reminders_due"] == sum(n for s, n in tick["statuses"].items() if s in ("not_due", "draft_only"))
    assert tick["messages"] == tick["reminders_due"] > 0 and len(tick["baseline_runs"]) == len(tick["daily_runs"]) == 2

    compiled = phase_compile(ws, repeat=2)  # idem
    assert 0 < compiled["reports_compiled"] <= 20 and compiled["figures"] > 0 and compiled["totals_compared"] > 0

    documents = phase_documents(ws)
    assert documents["created"] and set(documents["files"]) == {"docx", "materials", "review", "xlsx", "md"}


def test_a_baseline_that_gives_another_answer_stops_the_benchmark(tmp_path, empty_database_url, monkeypatch):
    ws = Workspace(tmp_path / "bench", empty_database_url, 20)
    phase_setup(ws)
    app = ws.open()
    stored = stored_reports(app, SubmissionRow.source == "file")
    same_reports(dict(stored), stored, len(stored))
    key = next(iter(stored))
    with pytest.raises(RuntimeError, match="floor"):
        same_reports({**stored, key: ("another hash", *stored[key][1:])}, stored, len(stored))
    app.engine.dispose()

    real_tick, real_totals = bench.measure.baseline_tick, bench.measure.baseline_totals

    def wrong_message(*args) -> TickAnswer:
        answer = real_tick(*args)
        first = next(iter(answer.messages))
        answer.messages[first] = (answer.messages[first][0], answer.messages[first][1] + "?")
        return answer

    monkeypatch.setattr(bench.measure, "baseline_tick", wrong_message)
    with pytest.raises(RuntimeError, match="messages"):
        phase_tick(ws, repeat=1)

    def wrong_total(*args) -> dict:
        totals = real_totals(*args)
        first = next(iter(totals))
        return {**totals, first: (totals[first][0] + 1, totals[first][1])}

    monkeypatch.setattr(bench.measure, "baseline_totals", wrong_total)
    with pytest.raises(RuntimeError, match="totals"):
        phase_compile(ws, repeat=1)
