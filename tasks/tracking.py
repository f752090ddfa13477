"""The tracking steps shared by the CLI and the flows: open a cycle, compute its status,
check its quorum. Plain functions over an App; the flows wrap them as Prefect tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from dvtracker.app import App
from models.cycles import RequestInput, describe_cycle, get_cycle, open_cycle, record_quorum
from models.quorum import evaluate_quorum
from models.status import StatusReport, compute_status
from models.tables import CompilationRow, CycleRow


def open_cycle_for(app: App, *, stream_id: str, kind: str, year: int, request: RequestInput, **options) -> dict:
    """Open (or find, when it is the same request) a cycle; returns its description."""
    with app.session() as session:
        cycle = open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar,
                           stream_id=stream_id, kind=kind, year=year, request=request, **options)
        return describe_cycle(session, cycle, app.roster, app.config)


def open_cycle_ids(app: App, only: str | None = None) -> list[str]:
    with app.session() as session:
        if only:
            return [get_cycle(session, only).id]
        return list(session.exec(select(CycleRow.id).where(CycleRow.status == "open").order_by(CycleRow.id)).all())


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


def check_quorum(app: App, cycle_id: str, as_of: date, report: StatusReport | None = None) -> QuorumCheck:
    """Evaluate the cycle's quorum on ``as_of`` and record the first day it is reached."""
    report = report or cycle_status(app, cycle_id, as_of)
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        result = evaluate_quorum(report, cycle.quorum_rule, app.roster)
        newly = result.reached and record_quorum(session, cycle, as_of)
        reached_on = cycle.quorum_reached_on
        compiled = session.exec(select(CompilationRow.id).where(CompilationRow.cycle_id == cycle_id)).first() is not None
    reached = reached_on is not None and reached_on <= as_of
    return QuorumCheck(cycle_id, reached, newly, reached_on, compiled, result.reasons)


def cycle_title(app: App, cycle_id: str) -> str:
    """How coordinators name a cycle: "dân vận CQHCNN & CQCC năm 2023"."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
    return f"{app.config.stream(cycle.stream_id).short_name} {cycle.label}"
