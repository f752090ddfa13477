"""Read a cycle's day from the database and tell it (``models.day_story``): the facts the
coordinators' digest gives, as the words its template shows."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, or_, select

from models import vnformat
from models.cycles import get_cycle
from models.day_story import DayStory, day_story, progress, untold
from models.groups import heading
from models.quorum import QuorumCondition
from models.reminders import cycle_policy, stage_label
from models.status import StatusReport, by_urgency
from models.tables import AuditRow, CompilationRow, IntakeRow, ReminderRow
from tasks.tracking import QuorumCheck
from wiring.app import App

OUTSTANDING = ("missing", "draft_only", "not_due")
DIGEST = "digest"  # the audit entity of a digest sent


def rejected_rows(session: Session, cycle_id: str) -> list[IntakeRow]:
    """The files refused that were meant for ``cycle_id`` or did not say for which cycle."""
    return list(session.exec(select(IntakeRow).where(
        IntakeRow.outcome == "rejected", or_(col(IntakeRow.cycle_id) == cycle_id, col(IntakeRow.cycle_id).is_(None)))).all())


def outstanding_units(report: StatusReport) -> list[dict]:
    """The units that have not sent, most urgent first, as plain records."""
    units = by_urgency(report.units)
    units = units[units["status"].isin(OUTSTANDING)]
    return units.astype(object).where(units.notna(), None).to_dict("records")


def read_day_story(app: App, report: StatusReport, quorum: QuorumCheck) -> DayStory:
    """The story of ``report``'s cycle on its day, as its digest tells it."""
    cycle_id, day = report.cycle_id, report.as_of
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        labels = {s.id: stage_label(s.offset, s.escalate) for s in cycle_policy(cycle).stages}
        compilations = session.exec(select(CompilationRow).where(CompilationRow.cycle_id == cycle_id)).all()
        told, since = _told(session, cycle_id, day)
        intakes = rejected_rows(session, cycle_id)
        reminders = session.exec(select(ReminderRow).where(ReminderRow.cycle_id == cycle_id)).all()
        failed = sum(r.status == "failed" for r in reminders)
        unconfirmed = sum(r.status == "sending" for r in reminders)
        return day_story(day, quorum=quorum.conditions, quorum_reached_on=quorum.reached_on,
                         compilations=untold(compilations, told, since, day), intakes=intakes, reminders=reminders,
                         stage_labels=labels, state=progress(report, app.calendar, outstanding_units(report)),
                         quorum_pending=quorum.reached and not quorum.compiled, failed_reminders=failed,
                         unconfirmed=unconfirmed)


def _told(session: Session, cycle_id: str, day: date) -> tuple[set[int], date | None]:
    """(the versions told by the digests of the days before ``day``, the last of those days)."""
    rows = session.exec(select(AuditRow).where(AuditRow.entity == DIGEST,
                                               col(AuditRow.entity_id).startswith(f"{cycle_id}:"))).all()
    told: set[int] = set()
    since = None
    for a in rows:
        on = date.fromisoformat(a.entity_id.rsplit(":", 1)[1])
        if on < day:
            told.update(a.details.get("versions") or [])
            since = max(since or on, on)
    return told, since


def story_context(story: DayStory) -> dict:
    """The story as the digest's templates show it: every date and number already in words."""
    return dict(
        day=vnformat.day(story.day),
        quorum_today=story.quorum_today,
        quorum_reached_on=vnformat.day(story.quorum_reached_on),
        quorum=[_condition(c) for c in story.quorum],
        compiled=[dict(version=c.version, as_of=vnformat.day(c.as_of), counted=c.counted, expected=c.expected,
                       changes="; ".join(c.changes)) for c in story.compiled],
        rejected=[dict(file=r.file, reasons="; ".join(r.reasons)) for r in story.rejected],
        checks=[dict(version=c.version, severity=c.severity, unit=c.unit, message=c.message) for c in story.checks],
        checks_more=story.checks_more,
        checks_version=story.checks[0].version if story.checks else None,
        reminders=[dict(stage=s.stage, units=s.units) for s in story.reminders],
        next_steps=story.next_steps,
    )


def _condition(c: QuorumCondition) -> str:
    if c.share is None:
        return f"{c.label}: {'đã' if c.met else 'chưa'} báo cáo (bắt buộc)"
    return (f"{heading(c.label)}: {c.actual}/{c.expected} đơn vị đã báo cáo, cần tối thiểu {c.share:.0%} "
            f"— {'đạt' if c.met else 'chưa đạt'}")

