"""The daily tick of every open cycle, as a plain function: take in what arrived, then for each
cycle compute the status of all units, send the reminders that are due, check the quorum, send
the coordinators' digest (the day's story), export the day's status and write its summary. ``tick_events``
decides, from what the tick did, which events tell the day's story.

The ``daily-tick`` flow calls ``run_daily_tick`` with the same steps wrapped as Prefect tasks
(``flows.steps``), then emits the events and publishes the artifacts; the tests and a second
process call it as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from models import events
from models.cycles import get_cycle
from models.db import insert_once
from models.events import CycleRef, Event
from models.intake import IntakeOutcome
from models.reminders import cycle_policy, sending_time
from models.status import StatusReport
from models.tables import TickRow
from notifications.channels import env_secret
from services.cycles import open_cycle_ids
from tasks import day_summary, exports, http_source, intake, reminders, tracking
from tasks.reminders import DigestResult, ReminderRun, SecretLookup
from tasks.tracking import QuorumCheck
from wiring.app import App

# The hour of the daily-tick schedule (prefect.yaml): a replayed day takes its files in then.
TICK_HOUR = 8


@dataclass(frozen=True)
class TickSteps:
    """The steps of a tick. The flow hands in the same functions wrapped as Prefect tasks."""

    sweep_inbox: Callable[..., list[IntakeOutcome]] = intake.sweep_inbox
    pull_documents: Callable[..., list[IntakeOutcome]] = http_source.pull_documents
    cycle_status: Callable[..., StatusReport] = tracking.cycle_status
    send_reminders: Callable[..., ReminderRun] = reminders.send_due_reminders
    send_digest: Callable[..., DigestResult] = reminders.send_digest
    check_quorum: Callable[..., QuorumCheck] = tracking.check_quorum
    export_status: Callable[..., dict[str, Path]] = exports.export_status_files


PLAIN_STEPS = TickSteps()


@dataclass
class CycleDay:
    """What the tick did for one cycle."""

    cycle: CycleRef
    title: str
    status: StatusReport
    reminders: ReminderRun
    digest: DigestResult
    quorum: QuorumCheck
    files: dict[str, Path]
    received: list[IntakeOutcome]  # this cycle's files taken in today
    rejected: list[IntakeOutcome]  # every file rejected today (shown in each cycle's summary)
    summary: str  # the Markdown a coordinator reads
    # This tick tells which units are late: it is the cycle's first tick after the deadline (or a
    # rerun of that day); later ticks do not tell it again (``late_news``).
    tells_late: bool = False

    def counts(self) -> dict[str, Any]:
        overall = self.status.overall()
        return {"actual": overall["actual"], "expected": overall["expected"], "missing": overall["missing"],
                "received": len(self.received), "accepted": sum(o.outcome == "accepted" for o in self.received),
                "reminders_sent": len(self.reminders.sent), "reminders_failed": len(self.reminders.failed),
                "quorum_reached": self.quorum.reached, "quorum_newly_reached": self.quorum.newly_reached}


@dataclass
class TickResult:
    day: date
    skipped: str | None = None  # why nothing was done: the day is a day off
    outcomes: list[IntakeOutcome] = field(default_factory=list)
    source_error: str | None = None  # the document-exchange service could not be read
    cycles: list[CycleDay] = field(default_factory=list)
    refs: dict[str, CycleRef] = field(default_factory=dict)  # every cycle a file named that exists
    collector: str = ""  # whose tick: the collector of a file that names no known cycle

    def to_dict(self) -> dict:
        if self.skipped:
            return {"day": self.day.isoformat(), "skipped": self.skipped}
        return {"day": self.day.isoformat(), "files": len(self.outcomes), "source_error": self.source_error,
                "cycles": {c.cycle.id: c.counts() for c in self.cycles}}


def run_daily_tick(app: App, day: date, *, cycle_id: str | None = None, steps: TickSteps = PLAIN_STEPS,
                   secrets: SecretLookup = env_secret, sweep_inbox: bool = True) -> TickResult:
    """One working day of every open cycle (or of ``cycle_id``). A day other than today is a
    replay: its files are taken as received at the tick's hour, its reminders as sent at the
    policy's hour of that day. ``sweep_inbox`` False: this machine's inbox is not read (on
    several workers the inbox is swept by the ``intake-inbox`` deployment on its own machine)."""
    reason = app.calendar.day_off_reason(day)
    if reason:
        return TickResult(day, skipped=reason)
    replay = day != app.clock.today()
    outcomes, source_error = _take_in(app, steps, sending_time(day, TICK_HOUR) if replay else None, sweep_inbox)
    result = TickResult(day, outcomes=outcomes, source_error=source_error, collector=app.config.collector.id)
    result.refs = tracking.cycle_refs(app, {o.cycle_id for o in outcomes if o.cycle_id})
    rejected = [o for o in outcomes if o.outcome == "rejected"]
    for cid in open_cycle_ids(app, cycle_id):
        received = [o for o in outcomes if o.cycle_id == cid]
        result.cycles.append(_tick_cycle(app, steps, cid, day, received, rejected,
                                         _send_moment(app, cid, day) if replay else None, secrets))
    return result


def _take_in(app: App, steps: TickSteps, received_at: datetime | None,
             sweep_inbox: bool = True) -> tuple[list[IntakeOutcome], str | None]:
    """Sweep the inbox (a second tick waits for the inbox's lock) and pull the document-exchange
    service (its cursor and the duplicate check make a second pull harmless)."""
    outcomes = steps.sweep_inbox(app, received_at=received_at) if sweep_inbox else []
    if not app.settings.http_base_url:
        return outcomes, None
    try:
        return outcomes + steps.pull_documents(app, received_at=received_at), None
    except Exception as exc:  # whatever went wrong, the cycles still get their day; the next pull reads on
        return outcomes + getattr(exc, "outcomes", []), str(exc) or type(exc).__name__


def _send_moment(app: App, cycle_id: str, day: date) -> datetime:
    with app.session() as session:
        return sending_time(day, cycle_policy(get_cycle(session, cycle_id)).hour)


def _tick_cycle(app: App, steps: TickSteps, cycle_id: str, day: date, received: list[IntakeOutcome],
                rejected: list[IntakeOutcome], now: datetime | None, secrets: SecretLookup) -> CycleDay:
    report = steps.cycle_status(app, cycle_id, day)
    run = steps.send_reminders(app, cycle_id, day, now=now, secrets=secrets, status=report)
    report = tracking.with_todays_reminders(app, report)  # "Đã nhắc" includes today's
    quorum = steps.check_quorum(app, cycle_id, day, report)  # before the digest, which tells it
    digest = steps.send_digest(app, cycle_id, day, run, now=now, secrets=secrets, report=report, quorum=quorum)
    files = steps.export_status(app, report)
    summary = day_summary.day_summary(app, report, quorum)  # what `dvtracker status --summary` prints
    files[exports.SUMMARY_LABEL] = day_summary.write_summary(app, report, summary)
    return CycleDay(tracking.cycle_ref(app, cycle_id), tracking.cycle_title(app, cycle_id), report, run, digest,
                    quorum, files, received, rejected, summary, late_news(app, cycle_id, day, report.deadline))


def late_news(app: App, cycle_id: str, day: date, deadline: date | None) -> bool:
    """Whether the tick of ``day`` tells which units of the cycle are late, and record that the
    cycle had its tick that day (table ``tick``). The units late are told by the first tick after
    the deadline, whichever day it runs (the first working day late, or a later one when that
    day had no tick); a rerun of that day tells them again with the same event ids; a later
    tick does not. Derived from the ticks recorded, so a unit is late once, not every day."""
    if deadline is None or day <= deadline:
        return False
    with app.session() as session:
        earlier = session.exec(select(TickRow.id).where(TickRow.cycle_id == cycle_id, TickRow.day > deadline,
                                                        TickRow.day < day)).first()
        insert_once(session, TickRow(cycle_id=cycle_id, day=day),
                    select(TickRow).where(TickRow.cycle_id == cycle_id, TickRow.day == day))
    return earlier is None


# --- the day's story --------------------------------------------------------------------------------
def tick_events(result: TickResult) -> list[Event]:
    """The events of a tick, in the order they happened: files taken in, then per cycle the units
    late, the reminders sent or failed, and the quorum (reached, or reports added after it)."""
    out = []
    for o in result.outcomes:
        if o.outcome in ("accepted", "draft"):
            out.append(Event(events.REPORT_RECEIVED, result.refs[o.cycle_id], f"{o.unit_id}|v{o.version}",
                             (o.unit_id, o.unit_name),
                             {"version": o.version, "doc_number": o.doc_number, "draft": o.outcome == "draft",
                              "received_on": str(o.received_on), "file": o.source_ref, "sender": o.sender_name}))
        elif o.outcome == "rejected":
            out.append(events.rejected_file(o.source_ref, o.blob_sha256, [str(e) for e in o.errors], str(result.day),
                                            named=o.cycle_id, cycles=result.refs, collector=result.collector))
    for c in result.cycles:
        out += cycle_events(c, result.day)
    return out


def cycle_events(c: CycleDay, day: date) -> list[Event]:
    out = []
    report, quorum = c.status, c.quorum
    if c.tells_late and report.deadline and day > report.deadline:
        # One event per change: a unit becomes late once, told by the cycle's first tick after the
        # deadline, not again on each later day (docs/reminders.md, "Sự kiện").
        for u in report.units_with("missing", "draft_only").itertuples():
            out.append(Event(events.UNIT_LATE, c.cycle, f"{u.unit_id}|{report.deadline}", (u.unit_id, u.name),
                             {"deadline": report.deadline.isoformat(), "status": u.status}))
    for item in c.reminders.sent:
        out.append(Event(events.REMINDER_SENT, c.cycle, f"{item.unit_id}|{item.stage}|{item.channel}",
                         (item.unit_id, item.unit_name),
                         {"stage": item.stage, "channel": item.channel, "recipients": item.recipients}))
    for item in c.reminders.failed:
        out.append(Event(events.REMINDER_FAILED, c.cycle, f"{item.unit_id}|{item.stage}|{item.channel}|{day}",
                         (item.unit_id, item.unit_name), {"stage": item.stage, "error": item.error}))
    if quorum.reached and not quorum.compiled:
        # Sent again by later ticks until a compilation exists; the same id is stored once.
        out.append(Event(events.QUORUM_REACHED, c.cycle, str(quorum.reached_on),
                         payload={"as_of": day.isoformat(), "reached_on": str(quorum.reached_on),
                                  "reasons": quorum.reasons}))
    elif quorum.compiled and any(o.outcome == "accepted" for o in c.received):
        out.append(Event(events.REPORTS_ADDED, c.cycle,
                         "|".join(sorted(f"{o.unit_id}v{o.version}" for o in c.received)),
                         payload={"as_of": day.isoformat(), "units": [o.unit_name for o in c.received]}))
    return out
