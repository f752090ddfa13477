"""Putting a synthetic collector in a database: the application opened on its data folder, its two
cycles opened from their request letters, exemptions and contacts recorded through the product's
own functions, and reports stored in bulk (the benchmark measures intake on a sample through the
real intake path; the rest is loaded here so that the tick and the compilation see every report).

The bulk path stores exactly what ``store_submission`` would: the same ``read_form`` result, the
same content hash, versions numbered per unit in order of receipt. It skips the per-file work
that intake measures (keeping the original bytes, resolving the unit, the audit row).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.generate import Collector, CycleSpec, Submission
from models.clock import utcnow, vn_date, vn_moment
from models.cycles import RequestInput, close_cycle, exempt_unit, get_cycle, open_cycle
from models.reminders import ELIGIBLE_STATUSES, cycle_policy, schedule
from models.report_form import read_form
from models.status import compute_status
from models.tables import ReminderRow, SectionRow, SubmissionRow, ValueRow
from tasks.contacts import import_contacts
from wiring.app import App, init_database, open_app
from wiring.settings import Settings


def clean_environment() -> None:
    """Only the settings the benchmark gives: no DVTRACKER_* variable or dvtracker.toml of the
    machine may point it at real data, a real SMTP server or a real chat."""
    for key in [k for k in os.environ if k.startswith("DVTRACKER_") and not k.startswith("DVTRACKER_TEST_")]:
        del os.environ[key]
    os.environ["DVTRACKER_CONFIG"] = "/nonexistent/dvtracker.toml"
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def bench_settings(data_dir: Path, var_dir: Path, database_url: str) -> Settings:
    return Settings(data_dir=data_dir, var_dir=var_dir, database_url=database_url, actor="bench")


def open_cycles(app: App, collector: Collector) -> None:
    """Both cycles from their request letters, with their exemptions."""
    for plan in (collector.previous, collector.current):
        spec: CycleSpec = plan.spec
        with app.session() as session:
            cycle = open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar,
                               stream_id="bench", kind="annual", year=spec.year,
                               request=RequestInput(spec.request, spec.issued_on, spec.deadline_text))
            for unit_id, reason in plan.exempt.items():
                exempt_unit(session, cycle, app.roster, unit_id, reason, on=spec.issued_on)


def load_contacts(app: App, collector: Collector) -> int:
    result = import_contacts(app, collector.folder / "contacts.csv", collector.current.spec.issued_on)
    if result.errors:
        raise RuntimeError(f"contacts refused: {result.errors[:3]}")
    return result.created


def close_previous(app: App, collector: Collector) -> None:
    with app.session() as session:
        close_cycle(session, get_cycle(session, collector.previous.spec.cycle_id))


def bulk_store(app: App, cycle_id: str, submissions: Iterable[Submission], batch: int = 2000) -> int:
    """Store ``submissions`` (in order of receipt) as versions of their units' reports; returns
    how many were stored."""
    submissions = list(submissions)
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        stream = app.config.stream(cycle.stream_id)
        catalogue = app.catalogue(cycle.stream_id)
        s = SubmissionRow
        versions = defaultdict(int, session.execute(
            select(s.unit_id, func.max(s.version)).where(s.cycle_id == cycle_id).group_by(s.unit_id)).all())
        conn = session.connection()
        for start in range(0, len(submissions), batch):
            chunk = submissions[start:start + batch]
            rows, contents = [], {}
            for sub in chunk:
                result = read_form(sub.form, sections=stream.sections, indicators=catalogue)
                if result.report is None:
                    raise ValueError(f"{sub.unit_id}: {[str(e) for e in result.errors]}")
                report = result.report
                versions[sub.unit_id] += 1
                key = (sub.unit_id, versions[sub.unit_id])
                contents[key] = report
                rows.append(dict(
                    cycle_id=cycle_id, unit_id=sub.unit_id, sender_unit_id=sub.unit_id, version=key[1],
                    doc_number=(report.doc_number or "").strip() or None, doc_date=report.doc_date,
                    signer=report.signer, is_draft=report.is_draft, received_on=vn_date(sub.received_at),
                    received_at=sub.received_at, source="bench", source_ref=None, blob_sha256=None,
                    content_hash=report.content_hash(sub.unit_id), answers_request=report.answers_request,
                    data_until=report.data_until, created_at=utcnow()))
            conn.execute(insert(SubmissionRow), rows)
            ids = {(u, v): i for i, u, v in conn.execute(
                select(s.id, s.unit_id, s.version).where(s.cycle_id == cycle_id, s.unit_id.in_({k[0] for k in contents})))}
            sections, values = [], []
            for key, report in contents.items():
                sid = ids[key]
                sections += [dict(submission_id=sid, section_id=k, status=e.status, text=e.text)
                             for k, e in report.sections.items()]
                values += [dict(submission_id=sid, indicator_id=k, status=e.status, value=e.value,
                                approximate=e.approximate, raw=e.raw) for k, e in report.values.items()]
            conn.execute(insert(SectionRow), sections)
            conn.execute(insert(ValueRow), values)
    return len(submissions)


def record_earlier_reminders(app: App, cycle_id: str, day: date) -> int:
    """The reminder log as the stages before ``day`` left it: each unit that had not reported on a
    stage's day was reminded by email, so that the tick reads a log of realistic size."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        deadline = compute_status(session, cycle, app.roster, app.calendar, day).deadline
        stages = [s for s in schedule(cycle_policy(cycle), deadline, app.calendar) if s.due_on < day]
        rows = []
        for stage in stages:
            units = compute_status(session, cycle, app.roster, app.calendar, stage.due_on).units
            at = vn_moment(stage.due_on, 8, 5)
            rows += [dict(cycle_id=cycle_id, unit_id=u, stage=stage.id, channel="email", status="sent",
                          due_on=stage.due_on, attempts=1, recipients=f"daumoi.{u}@example.invalid",
                          subject=f"Đôn đốc báo cáo ({stage.label})", claimed_at=at, sent_at=at)
                     for u in units.loc[units["status"].isin(ELIGIBLE_STATUSES), "unit_id"]]
        if rows:
            session.connection().execute(insert(ReminderRow), rows)
    return len(rows)


def open_bench_app(collector: Collector, var_dir: Path, database_url: str) -> App:
    settings = bench_settings(collector.folder, var_dir, database_url)
    init_database(settings)
    return open_app(settings)
