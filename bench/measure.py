"""The measurements of one size on one database, each phase in its own process (``bench/run.py``
starts them), so that the peak memory of a phase is that phase's own.

- ``setup``: generate the collector, open its cycles, load last year's reports and most of this
  year's in bulk, then take in a sample through the real intake path (JSON files, then filled
  workbooks) and time it; the JSON files in chunks, each stored first by the floor
  (``bench.baselines.floor_intake``), read back, removed, then copied into an inbox and swept
  (``sweep_inbox``, committed in groups), read back, removed, then by the tool (``submit_files``);
  the three must store the same reports.
- ``tick``: the daily tick without network, as ``flows/daily_tick.py`` runs it for each open
  cycle: every unit's status, the reminders due (rendered, not sent: ``dry_run``), the quorum;
  in turns with its baseline (``baseline_tick``) and the whole daily flow (``run_daily_tick``:
  the same plus exports, summary and events).
- ``compile``: the compilation without files (figures, checks, footnote, inputs hash, summary),
  in turns with its baseline (``baseline_totals``: one SQL ``GROUP BY``).
- ``documents``: ``compile_cycle`` itself, Word draft, Excel annex and Markdown written.

Every baseline's answer is compared with the tool's; a difference stops the benchmark.
"""

from __future__ import annotations

import itertools
import json
import math
import resource
import shutil
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

from sqlalchemy import text

from bench.baselines import (
    FLOOR_SOURCE,
    TickAnswer,
    baseline_tick,
    baseline_totals,
    floor_intake,
    remove_floor,
    stored_reports,
)
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
from models.audit import acting_as
from models.catalogue import load_catalogue
from models.checks import run_checks
from models.compilation import build_compilation
from models.compilation_summary import inputs_hash, summarise
from models.cycles import get_cycle
from models.footnote import build_footnote
from models.report_form import DOC_STATES
from models.reports import SECTION_STATUSES
from models.tables import SubmissionRow
from services.cycles import open_cycle_ids
from services.tick import PLAIN_STEPS, run_daily_tick, tick_events
from tasks.compile import compile_cycle
from tasks.intake import submit_files, sweep_inbox
from tasks.reminders import send_due_reminders
from tasks.summary import summary_markdown
from tasks.tracking import check_quorum, cycle_status
from tasks.workbook import fill_form
from wiring.app import App, init_database, open_app

JSON_SAMPLE, WORKBOOK_SAMPLE = 500, 50  # units whose reports go through the real intake path
FLOOR_CHUNK = 50  # JSON files stored by the floor, then by the inbox sweep, then by the tool, in turns
SWEEP_ACTOR = "bench-sweep"  # the sweep's audit rows, removed with its reports


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


@dataclass
class Workspace:
    folder: Path  # the size's work folder: data/, var/, intake/, out/
    database_url: str
    size: int | str  # a number of units, or "communes" (bench.generate.COMMUNES)

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
    outcomes: Counter = Counter()
    start = time.perf_counter()
    for path, sub in files:
        for o in submit_files(app, [path], received_at=sub.received_at):
            outcomes[o.outcome] += 1
            if o.rejected:
                raise RuntimeError(f"{path.name}: {[str(e) for e in o.errors]}")
    return dict(files=len(files), seconds=time.perf_counter() - start, outcomes=outcomes)


def sweep(app: App, inbox: Path, files: list[tuple[Path, Submission]]) -> dict:
    """Copy ``files`` into an empty ``inbox`` (not timed), then receive them with ``sweep_inbox``,
    committed in groups of ``settings.inbox_group``; its audit rows are written as SWEEP_ACTOR."""
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for path, _sub in files:
        shutil.copyfile(path, inbox / path.name)
    app.settings.inbox_dir = inbox
    moment = max(sub.received_at for _path, sub in files)
    with acting_as(SWEEP_ACTOR):
        t, outcomes = timed(sweep_inbox, app, received_at=moment)
    if len(outcomes) != len(files) or any(o.rejected or o.moved_to is None for o in outcomes):
        raise RuntimeError(f"the sweep did not receive and move every file: {Counter(o.outcome for o in outcomes)}")
    return dict(files=len(files), seconds=t, outcomes=Counter(o.outcome for o in outcomes))


def intake_with_floor(app: App, files: list[tuple[Path, Submission]], inbox: Path,
                      chunk: int = FLOOR_CHUNK) -> tuple[dict, dict, dict]:
    """(the tool's intake, the floor's, the inbox sweep's) of the same JSON files, chunk by chunk:
    the floor stores a chunk, its rows are read back and removed; the same files are copied into
    the inbox and swept, read back and removed; then the tool stores the same chunk through
    ``submit_files``. The stored reports must be the same."""
    tool, floor = dict(files=0, seconds=0.0, outcomes=Counter()), dict(files=0, seconds=0.0)
    swept = dict(files=0, seconds=0.0, outcomes=Counter())
    by_floor, by_sweep, floor_runs, tool_runs, sweep_runs = {}, {}, [], [], []
    for start in range(0, len(files), chunk):
        part = files[start:start + chunk]
        t, _ = timed(floor_intake, app, CURRENT.cycle_id, [(p, s.received_at) for p, s in part])
        floor_runs.append(len(part) / t)
        floor["files"], floor["seconds"] = floor["files"] + len(part), floor["seconds"] + t
        by_floor.update(stored_reports(app, SubmissionRow.source == FLOOR_SOURCE))
        remove_floor(app)
        done = sweep(app, inbox, part)
        sweep_runs.append(len(part) / done["seconds"])
        swept["files"], swept["seconds"] = swept["files"] + done["files"], swept["seconds"] + done["seconds"]
        swept["outcomes"].update(done["outcomes"])
        by_sweep.update(stored_reports(app, SubmissionRow.source == "inbox"))
        remove_floor(app, "inbox", SWEEP_ACTOR)
        done = intake(app, part)
        tool_runs.append(len(part) / done["seconds"])
        tool["files"], tool["seconds"] = tool["files"] + done["files"], tool["seconds"] + done["seconds"]
        tool["outcomes"].update(done["outcomes"])
    by_tool = stored_reports(app, SubmissionRow.source == "file")
    same_reports(by_floor, by_tool, len(files))
    same_reports(by_sweep, by_tool, len(files), "the inbox sweep")
    return rated(tool, tool_runs), rated(floor, floor_runs), rated(swept, sweep_runs)


def same_reports(by_floor: dict, by_tool: dict, files: int, what: str = "the intake floor") -> None:
    if len(by_floor) != files or by_floor != {k: by_tool.get(k) for k in by_floor}:
        raise RuntimeError(f"{what} stored other reports than the tool")


def rated(result: dict, runs: list[float]) -> dict:
    return dict(result, seconds=round(result["seconds"], 3), per_second=round(result["files"] / result["seconds"], 1),
                chunk_rates=[round(r, 1) for r in runs], outcomes=dict(result.get("outcomes", {})))


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
    intake_json, intake_floor, intake_sweep = intake_with_floor(app, json_files, ws.folder / "inbox")
    intake_workbook = rated(intake(app, wb_files), [])
    reminders_logged = record_earlier_reminders(app, CURRENT.cycle_id, CURRENT.tick_day)
    result = dict(
        units=collector.n_units,
        reports=len(collector.current.submissions),
        reports_previous=len(collector.previous.submissions),
        contacts=contacts,
        intake_json=intake_json,
        intake_workbook=intake_workbook,
        intake_floor=intake_floor,
        intake_sweep=intake_sweep,
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
    steps: Counter = Counter()
    start = time.perf_counter()
    t, _ = timed(lambda: app.roster)
    steps["roster"] += t
    runs = []
    for cycle_id in open_cycle_ids(app):
        t, report = timed(cycle_status, app, cycle_id, day)
        steps["status"] += t
        t, run = timed(send_due_reminders, app, cycle_id, day, dry_run=True, status=report)
        steps["reminders"] += t
        runs.append(run)
        t, _ = timed(check_quorum, app, cycle_id, day, report)
        steps["quorum"] += t
    return dict(seconds=time.perf_counter() - start, steps=dict(steps), reminders_due=sum(len(r.due) for r in runs),
                report=report, run=runs[-1])


DRY_STEPS = replace(PLAIN_STEPS, send_reminders=partial(send_due_reminders, dry_run=True))


def daily_flow(app: App, day: date) -> dict:
    """The whole tick of ``flows/daily_tick.py`` without Prefect: the same, plus the digest, the
    day's exports (Excel, CSV), the summary and the events; reminders not sent (dry run), the inbox
    not swept."""
    start = time.perf_counter()
    result = run_daily_tick(app, day, steps=DRY_STEPS, sweep_inbox=False)
    emitted = tick_events(result)
    return dict(seconds=time.perf_counter() - start, events=len(emitted), files=sum(len(c.files) for c in result.cycles))


def same_tick(tool: dict, base: TickAnswer) -> None:
    """Stop when the baseline's answer is not the tool's: statuses, counts, reminders and their text."""
    report, run = tool["report"], tool["run"]
    if dict(zip(report.units["unit_id"], report.units["status"], strict=True)) != \
            dict(zip(base.units["unit_id"], base.units["status"], strict=True)):
        raise RuntimeError("the baseline's status differs from the tool's")
    if report.units.groupby(["group", "status"]).size().to_dict() != base.counts:
        raise RuntimeError("the baseline's counts differ from the tool's")
    items = [i for i in run.items if run.stage is not None and i.stage == run.stage.id]
    if {(i.unit_id, i.channel): i.outcome for i in items} != base.outcomes:
        raise RuntimeError("the baseline's reminders differ from the tool's")
    if {(i.unit_id, i.channel): (i.subject, i.body) for i in items if i.outcome == "would_send"} != base.messages:
        raise RuntimeError("the baseline's messages differ from the tool's")


def interleaved(repeat: int, **runners: Callable[[], dict]) -> dict[str, list[dict]]:
    """Each runner ``repeat`` times, in turns (the order rotates each round), so that a slower
    moment of the machine falls on all of them alike."""
    names, out = list(runners), {name: [] for name in runners}
    for r in range(repeat):
        for name in names[r % len(names):] + names[:r % len(names)]:
            out[name].append(runners[name]())
    return out


def median(runs: list[dict], key: str = "seconds") -> float:
    return round(statistics.median(r[key] for r in runs), 3)


def phase_tick(ws: Workspace, repeat: int) -> dict:
    app = ws.open()
    if open_cycle_ids(app) != [CURRENT.cycle_id]:
        raise RuntimeError("the benchmark's tick expects one open cycle")
    rss_before = peak_rss_mb()
    day = CURRENT.tick_day

    def baseline() -> dict:
        t, answer = timed(baseline_tick, app, CURRENT.cycle_id, day)
        return dict(seconds=t, answer=answer)

    runs = interleaved(repeat, tool=lambda: tick(fresh(app), day), baseline=baseline,
                       daily=lambda: daily_flow(fresh(app), day))
    for tool, base in zip(runs["tool"], runs["baseline"], strict=True):
        same_tick(tool, base["answer"])
    last = runs["tool"][-1]
    report = last["report"]
    result = dict(
        seconds=median(runs["tool"]), runs=[round(r["seconds"], 3) for r in runs["tool"]],
        steps={k: round(statistics.median(r["steps"][k] for r in runs["tool"]), 3) for k in last["steps"]},
        reminders_due=last["reminders_due"], messages=len(runs["baseline"][-1]["answer"].messages),
        statuses=report.units["status"].value_counts().to_dict(),
        baseline_seconds=median(runs["baseline"]), baseline_runs=[round(r["seconds"], 3) for r in runs["baseline"]],
        daily_seconds=median(runs["daily"]), daily_runs=[round(r["seconds"], 3) for r in runs["daily"]],
        daily_events=runs["daily"][-1]["events"], daily_files=runs["daily"][-1]["files"],
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


def same_totals(comp, base: dict, sum_ids: list[str]) -> None:
    tool = comp.totals[comp.totals["indicator"].isin(sum_ids) & (comp.totals["reported"] > 0)]
    tool = {(i, g): (float(v), int(n)) for i, g, v, n in tool[["indicator", "group", "value", "reported"]].itertuples(
        index=False)}
    if tool.keys() != base.keys() or any(tool[k][1] != base[k][1] or not math.isclose(tool[k][0], base[k][0],
                                                                                      rel_tol=1e-9, abs_tol=1e-6)
                                         for k in tool):
        raise RuntimeError("the baseline's totals differ from the tool's")


def phase_compile(ws: Workspace, repeat: int) -> dict:
    app = ws.open()
    rss_before = peak_rss_mb()
    sum_ids = [i.id for i in load_catalogue(ws.data_dir / "indicators" / "bench.csv") if i.aggregation == "sum"]
    last: dict = {}

    def tool() -> dict:
        last.clear()  # keep only the last compilation, so as not to count several in the peak memory
        run = compile_pure(fresh(app), CURRENT.cycle_id, CURRENT.compile_day)
        last["comp"] = run.pop("comp")
        return run

    def baseline() -> dict:
        t, totals = timed(baseline_totals, app, CURRENT.cycle_id, CURRENT.compile_day, sum_ids)
        return dict(seconds=t, totals=totals)

    runs = interleaved(repeat, tool=tool, baseline=baseline)
    comp = last["comp"]
    for base in runs["baseline"]:
        same_totals(comp, base["totals"], sum_ids)
    result = dict(
        seconds=median(runs["tool"]), runs=[round(r["seconds"], 3) for r in runs["tool"]],
        steps={k: round(statistics.median(r["steps"][k] for r in runs["tool"]), 3) for k in runs["tool"][0]["steps"]},
        reports_compiled=int(comp.units["counted"].sum()), figures=len(comp.values),
        findings=runs["tool"][-1]["findings"], totals_compared=len(runs["baseline"][-1]["totals"]),
        baseline_seconds=median(runs["baseline"]), baseline_runs=[round(r["seconds"], 3) for r in runs["baseline"]],
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
