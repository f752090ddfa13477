"""The tracking steps of a cycle: its status, its quorum, how it is named, the day's summary.
Plain functions over an App; the flows wrap them as Prefect tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import col, select

from models.cycles import get_cycle, record_quorum
from models.events import CycleRef
from models.quorum import QuorumCondition, evaluate_quorum
from models.status import StatusReport, compute_status, with_reminders
from models.tables import CompilationRow, CycleRow
from wiring.app import App


def cycle_status(app: App, cycle_id: str, as_of: date) -> StatusReport:
    with app.session() as session:
        return compute_status(session, get_cycle(session, cycle_id), app.roster, app.calendar, as_of)


@dataclass(frozen=True)
class QuorumCheck:
    cycle_id: str
    reached: bool  # reached on or before as_of
    newly_reached: bool  # recorded by this check (only once per cycle)
    reached_on: date | None
    compiled: bool  # a compilation exists already
    reasons: list[str]
    conditions: list[QuorumCondition] = field(default_factory=list)  # the same, as counts per group


def check_quorum(app: App, cycle_id: str, as_of: date, report: StatusReport | None = None) -> QuorumCheck:
    """Evaluate the cycle's quorum on ``as_of`` and record the first day it is reached."""
    return _quorum(app, cycle_id, as_of, report, record=True)


def quorum_state(app: App, cycle_id: str, as_of: date, report: StatusReport | None = None) -> QuorumCheck:
    """The cycle's quorum on ``as_of`` as known, recording nothing (for a summary asked later)."""
    return _quorum(app, cycle_id, as_of, report, record=False)


def _quorum(app: App, cycle_id: str, as_of: date, report: StatusReport | None, *, record: bool) -> QuorumCheck:
    report = report or cycle_status(app, cycle_id, as_of)
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        result = evaluate_quorum(report, cycle.quorum_rule, app.roster)
        newly = record and result.reached and record_quorum(session, cycle, as_of)
        reached_on = cycle.quorum_reached_on
        compiled = session.exec(select(CompilationRow.id).where(CompilationRow.cycle_id == cycle_id)).first() is not None
    reached = reached_on is not None and reached_on <= as_of
    return QuorumCheck(cycle_id, reached, newly, reached_on, compiled, result.reasons, result.conditions)


def with_todays_reminders(app: App, report: StatusReport) -> StatusReport:
    """``report`` with the reminders sent since it was computed ("Đã nhắc")."""
    with app.session() as session:
        return with_reminders(session, get_cycle(session, report.cycle_id), report)


def cycle_ref(app: App, cycle_id: str) -> CycleRef:
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        name = f"Kỳ báo cáo {app.config.stream(cycle.stream_id).short_name} {cycle.label}"
        return CycleRef(cycle_id, cycle.created_at.isoformat(), name, app.config.collector.id)


def cycle_refs(app: App, cycle_ids: set[str]) -> dict[str, CycleRef]:
    """The refs of those of ``cycle_ids`` that exist (a file may name a cycle that does not)."""
    with app.session() as session:
        found = set(session.exec(select(CycleRow.id).where(col(CycleRow.id).in_(cycle_ids))).all()) if cycle_ids else set()
    return {cid: cycle_ref(app, cid) for cid in sorted(found)}


def cycle_title(app: App, cycle_id: str) -> str:
    """How coordinators name a cycle: "dân vận CQHCNN & CQCC năm 2023"."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
    return f"{app.config.stream(cycle.stream_id).short_name} {cycle.label}"
