"""What a competent engineer would write by hand for each figure of the benchmark, with the same
answer as the tool (``bench/measure.py`` checks it and stops when they differ):

- ``baseline_tick``: every unit's status and the counts per group from one SQL query and numpy;
  the reminders due planned by the project's own planner (``plan_reminders``) and rendered with
  the project's own templates, compiled once per tick (``Templates``), in the same sandbox.
- ``baseline_totals``: the totals and coverage of the summed figures per group and overall, by
  one SQL ``SUM``/``COUNT … GROUP BY`` in the database.
- ``floor_intake``: the project's own parsing and validation of each file (``parse_content``,
  ``read_form``, the roster's lookup), stored by plain inserts — the bytes, the version, its
  sections and figures, the intake outcome and the audit row — one transaction per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, delete, func, insert, select, text

from models.clock import utcnow, vn_date
from models.cycles import effective_deadline, get_cycle, requests_of
from models.reminders import ELIGIBLE_STATUSES, cycle_policy, due_stage, plan_reminders
from models.report_form import form_cycle, read_form
from models.tables import (
    AuditRow,
    BlobRow,
    ContactRow,
    ExpectedUnitRow,
    IntakeRow,
    ReminderRow,
    SectionRow,
    SubmissionRow,
    ValueRow,
)
from notifications.messages import cycle_context, is_own, reminder_context
from notifications.outbox import sender
from notifications.render import REMINDER_TEMPLATES, ReminderMessage, Renderer, one_line
from tasks.intake import parse_content
from wiring.app import App

FLOOR_SOURCE, FLOOR_ACTOR = "floor", "bench-floor"  # how the floor's rows are told apart, then removed


# --- the tick ----------------------------------------------------------------------------------------
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


class Templates:
    """The three reminder templates, looked up and compiled once, rendered in the project's sandbox."""

    def __init__(self, app: App):
        env = Renderer(app.settings.templates_dir).env
        self.subject, self.email, self.chat = (env.get_template(n) for n in REMINDER_TEMPLATES)

    def reminder(self, context: dict) -> ReminderMessage:
        return ReminderMessage(one_line(self.subject.render(context)), self.email.render(context).strip() + "\n",
                               one_line(self.chat.render(context)))


@dataclass
class TickAnswer:
    units: pd.DataFrame  # unit_id, group, status
    counts: dict  # (group, status) -> units
    outcomes: dict  # (unit_id, channel) -> outcome of the planned reminder
    messages: dict  # (unit_id, channel) -> (subject, body) of each reminder due


def baseline_status(app: App, cycle_id: str, day: date, deadline: date | None) -> pd.DataFrame:
    with app.engine.connect() as conn:
        rows = conn.execute(text(BASELINE_STATUS_SQL), {"cycle": cycle_id, "as_of": day}).all()
    units = pd.DataFrame(rows, columns=["unit_id", "group", "exempt", "received_on", "has_draft"])
    received = pd.to_datetime(units["received_on"])
    due = pd.Timestamp(deadline) if deadline else pd.Timestamp.min
    units["status"] = np.select(
        [units["exempt"] == 1, received <= due, received.notna(), units["has_draft"] == 1,
         pd.Series(deadline is not None and day > deadline, index=units.index)],
        ["exempted", "on_time", "late", "draft_only", "missing"], "not_due")
    return units


def baseline_tick(app: App, cycle_id: str, day: date) -> TickAnswer:
    """The tick's answer (statuses, counts, reminders due and their text) the short way. The roster,
    calendar and configuration are taken as already in memory; the templates are compiled once."""
    roster, calendar, collector = app.roster, app.calendar, app.config.collector
    templates = Templates(app)
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        requests = requests_of(session, cycle_id)
        log = list(session.execute(select(*ReminderRow.__table__.columns).where(ReminderRow.cycle_id == cycle_id)))
        contacts = list(session.execute(select(*ContactRow.__table__.columns)))
    current = effective_deadline(requests, day)
    deadline = current.deadline if current else None
    units = baseline_status(app, cycle_id, day, deadline)
    counts = units.groupby(["group", "status"]).size().to_dict()
    policy = cycle_policy(cycle)
    stage = due_stage(cycle, policy, deadline, calendar, day).stage
    outcomes, messages = {}, {}
    if stage is None:
        return TickAnswer(units, counts, outcomes, messages)
    if stage.escalate:
        raise NotImplementedError("the baseline covers reminder stages, not the công văn đôn đốc of an escalation")
    late = deadline is not None and day > deadline
    days_late = (day - deadline).days if late else None
    working_days_late = calendar.ordinal(day) - calendar.ordinal(deadline) if late else None
    reply_to = collector.contact.email or sender(app.settings.smtp_from, "",
                                                 collector.contact.email or "dvtracker@localhost")[1]
    base = cycle_context(cycle, app.config.stream(cycle.stream_id), collector, requests[0], current, day, reply_to,
                         app.config.groups)
    resend_by = calendar.add_working_days(day, policy.resend_working_days)
    status = dict(zip(units["unit_id"], units["status"], strict=True))
    for p in plan_reminders(units, stage, contacts, log, roster, day):
        log_status = p.log.status if p.log is not None else None
        outcome = ("no_contact" if p.channel is None else "already_sent" if log_status == "sent"
                   else "unconfirmed" if log_status == "sending" else "would_send")
        outcomes[(p.unit_id, p.channel)] = outcome
        if outcome != "would_send":
            continue
        via = roster.get(p.via_unit_id)
        missing = status[p.unit_id] in ("missing", "draft_only")
        message = templates.reminder(reminder_context(
            base, unit=roster.get(p.unit_id), via=via, reference=cycle.reference_date, as_of=day, deadline=deadline,
            stage=p.stage, status=status[p.unit_id], calendar=calendar,
            recipient_names=[r.name for r in p.recipients if r.name],
            days_late=days_late if missing else None, working_days_late=working_days_late if missing else None,
            roster=roster, own=is_own(collector, via), resend_by=resend_by,
            leadership=any(r.role == "leadership" for r in p.recipients)))
        messages[(p.unit_id, p.channel)] = ((message.subject, message.email) if p.channel == "email"
                                            else (message.chat, message.chat))
    assert set(units.loc[units["status"].isin(ELIGIBLE_STATUSES), "unit_id"]) == {u for u, _ in outcomes}
    return TickAnswer(units, counts, outcomes, messages)


# --- the compilation ---------------------------------------------------------------------------------
BASELINE_TOTALS_SQL = """
WITH latest AS (
  SELECT unit_id, MAX(version) AS version FROM submission
  WHERE cycle_id = :cycle AND NOT is_draft AND received_on <= :as_of GROUP BY unit_id
), figures AS (
  SELECT u.unit_group AS grp, v.indicator_id, v.value
  FROM submission s
  JOIN latest ON latest.unit_id = s.unit_id AND latest.version = s.version
  JOIN expected_unit e ON e.cycle_id = s.cycle_id AND e.unit_id = s.unit_id
       AND NOT (e.exempt AND (e.exempted_on IS NULL OR e.exempted_on <= :as_of))
  JOIN unit u ON u.id = s.unit_id
  JOIN submission_value v ON v.submission_id = s.id AND v.status IN ('reported', 'zero')
  WHERE s.cycle_id = :cycle AND v.indicator_id IN :ids
)
SELECT indicator_id, grp, SUM(value), COUNT(value) FROM figures GROUP BY indicator_id, grp
UNION ALL
SELECT indicator_id, 'overall', SUM(value), COUNT(value) FROM figures GROUP BY indicator_id
"""


def baseline_totals(app: App, cycle_id: str, as_of: date, sum_ids: list[str]) -> dict:
    """(indicator, group or "overall") -> (total, units that gave it), summed in the database."""
    stmt = text(BASELINE_TOTALS_SQL).bindparams(bindparam("ids", expanding=True))
    with app.engine.connect() as conn:
        rows = conn.execute(stmt, {"cycle": cycle_id, "as_of": as_of, "ids": sum_ids}).all()
    return {(i, g): (float(total), int(n)) for i, g, total, n in rows if n}


# --- intake ---------------------------------------------------------------------------------------------
def floor_intake(app: App, cycle_id: str, files: Sequence[tuple[Path, datetime]]) -> list[int]:
    """Store each file as the tool would, the shortest way that keeps the guarantees of a file:
    its bytes, one new version (or none if the same report is there), its outcome and audit row,
    committed together. Returns the ids of the versions stored."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        expected = set(session.execute(select(ExpectedUnitRow.unit_id).where(ExpectedUnitRow.cycle_id == cycle_id))
                       .scalars())
    stream = app.config.stream(cycle.stream_id)
    catalogue, roster, limit = app.catalogue(cycle.stream_id), app.roster, app.settings.max_file_bytes
    s, stored = SubmissionRow.__table__.c, []
    for path, received_at in files:
        content = path.read_bytes()
        sha = hashlib.sha256(content).hexdigest()
        form, locations, errors = parse_content(content, path.name, max_bytes=limit)
        if errors or form_cycle(form) != cycle_id:
            raise ValueError(f"{path.name}: {errors or form_cycle(form)}")
        result = read_form(form, sections=stream.sections, indicators=catalogue, file=path.name, locations=locations)
        report = result.report
        if report is None:
            raise ValueError(f"{path.name}: {[str(e) for e in result.errors]}")
        unit = roster.find(report.unit, cycle.reference_date)
        if unit.id not in expected:
            raise ValueError(f"{path.name}: {unit.id} is not expected")
        digest, received_on, now = report.content_hash(unit.id), vn_date(received_at), utcnow()
        with app.engine.begin() as conn:
            conn.execute(insert(BlobRow), dict(sha256=sha, size=len(content), content=content, filename=path.name,
                                               created_at=now))
            last, same = conn.execute(select(func.max(s.version), func.count().filter(s.content_hash == digest))
                                      .where(s.cycle_id == cycle_id, s.unit_id == unit.id)).one()
            if same:
                raise ValueError(f"{path.name}: already stored")
            version = (last or 0) + 1
            sid = conn.execute(insert(SubmissionRow).returning(s.id), dict(
                cycle_id=cycle_id, unit_id=unit.id, sender_unit_id=unit.id, version=version,
                doc_number=(report.doc_number or "").strip() or None, doc_date=report.doc_date, signer=report.signer,
                is_draft=report.is_draft, received_on=received_on, received_at=received_at, source=FLOOR_SOURCE,
                source_ref=str(path), blob_sha256=sha, content_hash=digest, answers_request=report.answers_request,
                data_until=report.data_until, figures_pending=False, created_at=now)).scalar_one()
            conn.execute(insert(SectionRow), [dict(submission_id=sid, section_id=k, status=e.status, text=e.text)
                                              for k, e in report.sections.items()])
            conn.execute(insert(ValueRow), [dict(submission_id=sid, indicator_id=k, status=e.status, value=e.value,
                                                 approximate=e.approximate, raw=e.raw)
                                            for k, e in report.values.items()])
            outcome = "draft" if report.is_draft else "accepted"
            conn.execute(insert(IntakeRow), dict(
                received_at=received_at, source=FLOOR_SOURCE, source_ref=str(path)[-500:], blob_sha256=sha,
                outcome=outcome, cycle_id=cycle_id, unit_id=unit.id, submission_id=sid, errors=[], warnings=[]))
            conn.execute(insert(AuditRow), dict(
                at=now, actor=FLOOR_ACTOR, action="submit", entity="submission",
                entity_id=f"{cycle_id}:{unit.id}:v{version}",
                details=dict(outcome=outcome, sender=unit.id, received_on=received_on.isoformat(), source=FLOOR_SOURCE)))
        stored.append(sid)
    return stored


def stored_reports(app: App, where) -> dict:
    """(unit, version) -> (content hash, draft, sections, figures) of the versions ``where`` selects."""
    s, v, c = SubmissionRow.__table__.c, ValueRow.__table__.c, SectionRow.__table__.c
    with app.engine.connect() as conn:
        subs = {r.id: r for r in conn.execute(select(s.id, s.unit_id, s.version, s.content_hash, s.is_draft)
                                              .where(where))}
        values, sections = {i: [] for i in subs}, {i: [] for i in subs}
        for r in conn.execute(select(v.submission_id, v.indicator_id, v.status, v.value, v.raw)
                              .where(v.submission_id.in_(list(subs)))):
            values[r[0]].append(tuple(r[1:]))
        for r in conn.execute(select(c.submission_id, c.section_id, c.status, c.text)
                              .where(c.submission_id.in_(list(subs)))):
            sections[r[0]].append(tuple(r[1:]))
    return {(r.unit_id, r.version): (r.content_hash, bool(r.is_draft), sorted(sections[i]), sorted(values[i]))
            for i, r in subs.items()}


def remove_floor(app: App, source: str = FLOOR_SOURCE, actor: str = FLOOR_ACTOR) -> None:
    """Take the floor's rows (or those of another ``source`` written as ``actor``) out again, so that
    the tool stores the same files on the same database."""
    s = SubmissionRow.__table__.c
    with app.engine.begin() as conn:
        ids = select(s.id).where(s.source == source).scalar_subquery()
        shas = list(conn.execute(select(s.blob_sha256).where(s.source == source)).scalars())
        conn.execute(delete(IntakeRow).where(IntakeRow.source == source))
        conn.execute(delete(AuditRow).where(AuditRow.actor == actor))
        conn.execute(delete(ValueRow).where(ValueRow.submission_id.in_(ids)))
        conn.execute(delete(SectionRow).where(SectionRow.submission_id.in_(ids)))
        conn.execute(delete(SubmissionRow).where(SubmissionRow.source == source))
        conn.execute(delete(BlobRow).where(BlobRow.sha256.in_(shas)))
