"""The measurements of one size on one database, each phase in its own process (``bench/run.py``
starts them), so that the peak memory of a phase is that phase's own.

- ``setup``: generate the collector, open its cycles, load last year's reports and most of this
  year's in bulk, then take in a sample through the real intake path (JSON files, then filled
  workbooks) and time it.
- ``tick``: the daily tick without network, as ``flows/daily_tick.py`` runs it for each open
  cycle: every unit's status, the reminders due (rendered, not sent: ``dry_run``), the quorum;
  and the baseline: the same status and group counts by one SQL query and one pandas groupby.
- ``compile``: the compilation without files (figures, checks, footnote, inputs hash, summary);
  and the baseline: the same totals by one SQL query and one pandas groupby.
- ``documents``: ``compile_cycle`` itself, Word draft, Excel annex and Markdown written.
"""

from __future__ import annotations

import itertools
import json
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, text

from bench.generate import CURRENT, PREVIOUS, Collector, Submission, generate
from bench.load import (
    bench_settings,
    bulk_store,
    clean_environment,
    close_previous,
    load_contacts,
    open_cycles,
    record_earlier_reminders,
)
from models.catalogue import load_catalogue
from models.checks import run_checks
from models.compilation import build_compilation
from models.compilation_summary import inputs_hash, summarise
from models.cycles import get_cycle
from models.footnote import build_footnote
from models.report_form import DOC_STATES
from models.reports import SECTION_STATUSES
from services.cycles import open_cycle_ids
from tasks.compile import compile_cycle
from tasks.intake import submit_files
from tasks.reminders import send_due_reminders
from tasks.summary import summary_markdown
from tasks.tracking import check_quorum, cycle_status
from tasks.workbook import fill_form
from wiring.app import App, init_database, open_app

JSON_SAMPLE, WORKBOOK_SAMPLE = 500, 50  # units whose reports go through the real intake path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


@dataclass
class Workspace:
    folder: Path  # the size's work folder: data/, var/, intake/, out/
    database_url: str
    size: int

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def var_dir(self) -> Path:
        return self.folder / "var"

    def open(self) -> App:
        settings = bench_settings(self.data_dir, self.var_dir, self.database_url)
        init_database(settings)
        return open_app(settings)


def fresh(app: App) -> App:
    """The same database, with nothing cached: the roster, the calendar and the catalogue are read
    again, as a new daily run reads them."""
    new = open_app(app.settings)
    new.__dict__["engine"] = app.engine  # the same connection pool: only what a new run reads again is measured
    return new


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


# --- setup and intake ----------------------------------------------------------------------------
def sample_units(collector: Collector) -> tuple[list[str], list[str]]:
    """(units sent as JSON files, units sent as workbooks): spread over the whole roster."""
    reporting = sorted({s.unit_id for s in collector.current.submissions})
    n_wb = min(WORKBOOK_SAMPLE, len(reporting) // 3)
    n_json = min(JSON_SAMPLE, len(reporting) - n_wb)
    step = max(1, len(reporting) // (n_json + n_wb))
    picked = reporting[::step][: n_json + n_wb]
    return picked[n_wb:], picked[:n_wb]


def workbook_values(form: dict) -> dict:
    """A report form as a unit types it into the workbook's three sheets."""
    meta = {k: form[k] for k in ("cycle", "unit", "number", "signer", "answers_request")}
    meta["date"] = date.fromisoformat(form["date"]).strftime("%d/%m/%Y")
    meta["state"] = DOC_STATES[form["state"]]
    sections = {}
    for sid, entry in form["sections"].items():
        if isinstance(entry, dict):
            sections[sid] = (SECTION_STATUSES[entry["status"]], entry.get("text"))
        else:
            sections[sid] = (SECTION_STATUSES["reported"], entry)
    return dict(meta=meta, sections=sections, values=dict(form["indicators"]))


def intake(app: App, files: list[tuple[Path, Submission]]) -> dict:
    """Receive ``files`` one by one at their planned time, through ``submit_files``."""
    outcomes = Counter()
    start = time.perf_counter()
    for path, sub in files:
        for o in submit_files(app, [path], received_at=sub.received_at):
            outcomes[o.outcome] += 1
            if o.rejected:
                raise RuntimeError(f"{path.name}: {[str(e) for e in o.errors]}")
    seconds = time.perf_counter() - start
    return dict(files=len(files), seconds=round(seconds, 3), per_second=round(len(files) / seconds, 1),
                outcomes=dict(outcomes))


def phase_setup(ws: Workspace) -> dict:
    timings = {}
    t, collector = timed(generate, ws.data_dir, ws.size)
    timings["generate"] = t
    t, app = timed(ws.open)
    timings["open"] = t
    t, _ = timed(open_cycles, app, collector)
    timings["cycles"] = t
    t, contacts = timed(load_contacts, app, collector)
    timings["contacts"] = t
    t, _ = timed(bulk_store, app, PREVIOUS.cycle_id, collector.previous.submissions)
    timings["bulk_previous"] = t
    close_previous(app, collector)

    json_units, wb_units = sample_units(collector)
    sampled = set(json_units) | set(wb_units)
    bulk = [s for s in collector.current.submissions if s.unit_id not in sampled]
    t, _ = timed(bulk_store, app, CURRENT.cycle_id, bulk)
    timings["bulk_current"] = t

    inbox = ws.folder / "intake"
    json_files, wb_files = [], []
    for n, sub in enumerate(s for s in collector.current.submissions if s.unit_id in sampled):
        name = f"{n:05d}-{collector.roster.codes[sub.unit_id]}"
        if sub.unit_id in json_units:
            path = inbox / "json" / f"{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(sub.form, ensure_ascii=False, indent=1), encoding="utf-8")
            json_files.append((path, sub))
        else:
            path = inbox / "xlsx" / f"{name}.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            fill_form(app, CURRENT.cycle_id, path, **workbook_values(sub.form))
            wb_files.append((path, sub))
    rss_before = peak_rss_mb()
    intake_json, intake_workbook = intake(app, json_files), intake(app, wb_files)
    reminders_logged = record_earlier_reminders(app, CURRENT.cycle_id, CURRENT.tick_day)
    result = dict(
        units=ws.size,
        reports=len(collector.current.submissions),
        reports_previous=len(collector.previous.submissions),
        contacts=contacts,
        intake_json=intake_json,
        intake_workbook=intake_workbook,
        reminders_logged=reminders_logged,
        setup_seconds={k: round(v, 2) for k, v in timings.items()},
        bulk_reports=len(bulk),
    )
    with app.session() as session:
        result["stored"] = session.execute(text(
            "SELECT count(*) FROM submission WHERE cycle_id = :c"), {"c": CURRENT.cycle_id}).scalar_one()
    if result["stored"] != result["reports"]:
        raise RuntimeError(f"{result['stored']} reports stored, {result['reports']} planned")
    with app.engine.begin() as conn:  # table statistics, as autovacuum keeps them on a database in use
        conn.execute(text("ANALYZE"))
    result["peak_rss_mb"], result["rss_before_mb"] = round(peak_rss_mb()), round(rss_before)
    app.engine.dispose()
    return result


# --- the daily tick --------------------------------------------------------------------------------
def tick(app: App, day: date) -> dict:
    """The steps ``flows/daily_tick.py`` runs for each open cycle, minus sending and Prefect."""
    steps = Counter()
    start = time.perf_counter()
    t, _ = timed(lambda: app.roster)
    steps["roster"] += t
    due = 0
    for cycle_id in open_cycle_ids(app):
        t, report = timed(cycle_status, app, cycle_id, day)
        steps["status"] += t
        t, run = timed(send_due_reminders, app, cycle_id, day, dry_run=True)
        steps["reminders"] += t
        due += len(run.due)
        t, _ = timed(check_quorum, app, cycle_id, day, report)
        steps["quorum"] += t
    return dict(seconds=time.perf_counter() - start, steps=dict(steps), reminders_due=due, report=report)


BASELINE_STATUS_SQL = """
SELECT e.unit_id, u.unit_group,
       CASE WHEN e.exempt AND (e.exempted_on IS NULL OR e.exempted_on <= :as_of) THEN 1 ELSE 0 END AS exempt,
       MIN(CASE WHEN NOT s.is_draft THEN s.received_on END) AS received_on,
       MAX(CASE WHEN s.is_draft THEN 1 ELSE 0 END) AS has_draft
FROM expected_unit e
JOIN unit u ON u.id = e.unit_id
LEFT JOIN submission s ON s.cycle_id = e.cycle_id AND s.unit_id = e.unit_id AND s.received_on <= :as_of
WHERE e.cycle_id = :cycle
GROUP BY e.unit_id, u.unit_group, e.exempt, e.exempted_on
"""


def baseline_status(app: App, cycle_id: str, day: date, deadline: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every unit's status and the counts per group, by one hand-written query and one groupby."""
    with app.engine.connect() as conn:
        rows = conn.execute(text(BASELINE_STATUS_SQL), {"cycle": cycle_id, "as_of": day}).all()
    units = pd.DataFrame(rows, columns=["unit_id", "group", "exempt", "received_on", "has_draft"])
    received = pd.to_datetime(units["received_on"])
    status = np.select(
        [units["exempt"] == 1, received <= pd.Timestamp(deadline), received.notna(), units["has_draft"] == 1,
         pd.Series(day > deadline, index=units.index)],
        ["exempted", "on_time", "late", "draft_only", "missing"], "not_due")
    units["status"] = status
    counts = units.groupby(["group", "status"]).size().unstack(fill_value=0)
    return units, counts


def phase_tick(ws: Workspace, repeat: int) -> dict:
    app = ws.open()
    rss_before = peak_rss_mb()
    runs = [tick(fresh(app), CURRENT.tick_day) for _ in range(repeat)]
    report = runs[-1]["report"]
    base_times = []
    for _ in range(repeat):
        t, (units, counts) = timed(baseline_status, app, CURRENT.cycle_id, CURRENT.tick_day, report.deadline)
        base_times.append(t)
    tool = dict(zip(report.units["unit_id"], report.units["status"], strict=True))
    if tool != dict(zip(units["unit_id"], units["status"], strict=True)):
        raise RuntimeError("the baseline's status differs from the tool's")
    tool_counts = report.units.groupby(["group", "status"]).size()
    if tool_counts.to_dict() != counts.stack().loc[lambda c: c > 0].to_dict():
        raise RuntimeError("the baseline's counts differ from the tool's")
    seconds = [r["seconds"] for r in runs]
    result = dict(
        seconds=round(statistics.median(seconds), 3), runs=[round(s, 3) for s in seconds],
        steps={k: round(statistics.median(r["steps"][k] for r in runs), 3) for k in runs[0]["steps"]},
        reminders_due=runs[-1]["reminders_due"], statuses=report.units["status"].value_counts().to_dict(),
        baseline_seconds=round(statistics.median(base_times), 3), baseline_runs=[round(s, 3) for s in base_times],
        peak_rss_mb=round(peak_rss_mb()), rss_before_mb=round(rss_before),
    )
    app.engine.dispose()
    return result


# --- the compilation -------------------------------------------------------------------------------
def compile_pure(app: App, cycle_id: str, as_of: date) -> dict:
    """What ``compile_cycle`` computes before writing any file."""
    steps = {}
    start = time.perf_counter()
    t, _ = timed(lambda: app.roster)
    steps["roster"] = t
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        stream = app.config.stream(cycle.stream_id)
        t, comp = timed(build_compilation, session, cycle, app.roster, app.calendar, stream,
                        app.catalogue(stream.id), as_of)
        steps["figures"] = t
    t, findings = timed(run_checks, comp, app.roster, {})
    steps["checks"] = t
    t0 = time.perf_counter()
    footnote = build_footnote(comp.units, app.roster.groups)
    inputs_hash(comp, {})
    summary = summarise(comp, findings, footnote)
    summary_markdown(comp, version=1, footnote=footnote, findings=findings, changes={}, files={})
    steps["summary"] = time.perf_counter() - t0
    return dict(seconds=time.perf_counter() - start, steps=steps, findings=len(findings), comp=comp,
                summary_units=len(summary["units"]))


BASELINE_TOTALS_SQL = """
SELECT u.unit_group, v.indicator_id, v.value
FROM submission s
JOIN (SELECT unit_id, MAX(version) AS version FROM submission
      WHERE cycle_id = :cycle AND NOT is_draft AND received_on <= :as_of GROUP BY unit_id) latest
  ON latest.unit_id = s.unit_id AND latest.version = s.version
JOIN expected_unit e ON e.cycle_id = s.cycle_id AND e.unit_id = s.unit_id
     AND NOT (e.exempt AND (e.exempted_on IS NULL OR e.exempted_on <= :as_of))
JOIN unit u ON u.id = s.unit_id
JOIN submission_value v ON v.submission_id = s.id AND v.status IN ('reported', 'zero')
WHERE s.cycle_id = :cycle AND v.indicator_id IN :ids
"""


def baseline_totals(app: App, cycle_id: str, as_of: date, sum_ids: list[str]) -> pd.DataFrame:
    """The totals of the summed figures per group and overall, with how many units gave each, by
    one hand-written query and one groupby."""
    stmt = text(BASELINE_TOTALS_SQL).bindparams(bindparam("ids", expanding=True))
    with app.engine.connect() as conn:
        rows = conn.execute(stmt, {"cycle": cycle_id, "as_of": as_of, "ids": sum_ids}).all()
    values = pd.DataFrame(rows, columns=["group", "indicator", "value"])
    both = pd.concat([values, values.assign(group="overall")])
    return both.groupby(["indicator", "group"])["value"].agg(["sum", "count"])


def phase_compile(ws: Workspace, repeat: int) -> dict:
    app = ws.open()
    rss_before = peak_rss_mb()
    runs, comp = [], None
    for _ in range(repeat):  # keep only the last compilation, so as not to count three in the peak memory
        comp = None
        runs.append(compile_pure(fresh(app), CURRENT.cycle_id, CURRENT.compile_day))
        comp = runs[-1].pop("comp")
    sum_ids = [i.id for i in load_catalogue(ws.data_dir / "indicators" / "bench.csv") if i.aggregation == "sum"]
    base_times = []
    for _ in range(repeat):
        t, base = timed(baseline_totals, app, CURRENT.cycle_id, CURRENT.compile_day, sum_ids)
        base_times.append(t)
    tool = comp.totals[comp.totals["indicator"].isin(sum_ids) & (comp.totals["reported"] > 0)]
    tool = tool.set_index(["indicator", "group"])[["value", "reported"]].sort_index()
    base = base.rename(columns={"sum": "value", "count": "reported"}).sort_index()
    if not (np.allclose(tool["value"], base["value"]) and (tool["reported"] == base["reported"]).all()
            and tool.index.equals(base.index)):
        raise RuntimeError("the baseline's totals differ from the tool's")
    seconds = [r["seconds"] for r in runs]
    result = dict(
        seconds=round(statistics.median(seconds), 3), runs=[round(s, 3) for s in seconds],
        steps={k: round(statistics.median(r["steps"][k] for r in runs), 3) for k in runs[0]["steps"]},
        reports_compiled=int(comp.units["counted"].sum()), figures=len(comp.values), findings=runs[-1]["findings"],
        baseline_seconds=round(statistics.median(base_times), 3), baseline_runs=[round(s, 3) for s in base_times],
        peak_rss_mb=round(peak_rss_mb()), rss_before_mb=round(rss_before),
    )
    app.engine.dispose()
    return result


def phase_documents(ws: Workspace) -> dict:
    app = ws.open()
    rss_before = peak_rss_mb()
    steps, marks = {}, [("start", time.perf_counter())]

    def step(message: str) -> None:
        marks.append((message, time.perf_counter()))

    t, result = timed(compile_cycle, app, CURRENT.cycle_id, as_of=CURRENT.compile_day, out_dir=ws.folder / "out",
                      exemplary={}, on_step=step)
    marks.append(("end", time.perf_counter()))
    names = {"Đọc dữ liệu các báo cáo": "figures", "Kiểm tra số liệu": "checks",
             "Viết dự thảo báo cáo (Word)": "word", "Viết phụ lục (Excel)": "excel"}
    for (label, at), (_next, until) in itertools.pairwise(marks[1:]):
        steps[names.get(label, label)] = round(until - at, 3)
    out = dict(seconds=round(t, 3), steps=steps, created=result.created,
               files={k: v.stat().st_size for k, v in result.files.items()},
               peak_rss_mb=round(peak_rss_mb()), rss_before_mb=round(rss_before))
    app.engine.dispose()
    return out


PHASES = {"setup": phase_setup, "tick": phase_tick, "compile": phase_compile, "documents": phase_documents}


def run_phase(phase: str, ws: Workspace, repeat: int) -> dict:
    clean_environment()
    if phase in ("tick", "compile"):
        return PHASES[phase](ws, repeat)
    return PHASES[phase](ws)
