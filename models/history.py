"""Histories: a unit across cycles (with its predecessors), and the versions of a cycle's reports."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd
from sqlalchemy import and_, select
from sqlmodel import Session

from models.cycles import effective_deadline
from models.db import read_frame
from models.roster import Roster, sort_key
from models.status import _unit_status  # the same rules as compute_status, applied per cycle
from models.tables import CycleRow, ExpectedUnitRow, RequestRow, SubmissionRow
from models.versions import dated_and_current
from models.workdays import WorkCalendar

HISTORY_COLUMNS = [
    "cycle_id", "cycle_label", "stream_id", "window_end", "deadline", "unit_id", "code", "name", "status",
    "status_label", "received_on", "doc_number", "version", "versions", "sender_name", "days_late",
    "working_days_late", "exempt_reason",
]


def unit_history(session: Session, roster: Roster, calendar: WorkCalendar, unit_id: str, as_of: date) -> pd.DataFrame:
    """The unit and its predecessors in every cycle that expected them, oldest cycle first, each row
    with the status that ``compute_status`` gives on ``as_of``. Three queries, whatever the number
    of cycles."""
    ids = roster.lineage(unit_id)
    e, s = ExpectedUnitRow, SubmissionRow
    stmt = (
        select(e.cycle_id, e.unit_id, e.exempt, e.exempt_reason, e.exempted_on, s.version, s.is_draft,
               s.received_on, s.doc_number, s.sender_unit_id)
        .select_from(e)
        .outerjoin(s, and_(s.cycle_id == e.cycle_id, s.unit_id == e.unit_id, s.received_on <= as_of))
        .where(e.unit_id.in_(ids))
    )
    raw = read_frame(session, stmt, [
        "cycle_id", "unit_id", "exempt", "exempt_reason", "exempted_on", "version", "is_draft", "received_on",
        "doc_number", "sender_id"])
    if raw.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    cycle_ids = sorted(set(raw["cycle_id"]))
    cycles = {c.id: c for c in session.execute(select(CycleRow).where(CycleRow.id.in_(cycle_ids))).scalars()}
    requests = defaultdict(list)
    for r in session.execute(select(RequestRow).where(RequestRow.cycle_id.in_(cycle_ids))).scalars():
        requests[r.cycle_id].append(r)
    parts = []
    for cycle_id, part in raw.groupby("cycle_id"):
        cycle = cycles[cycle_id]
        current = effective_deadline(requests[cycle_id], as_of)
        deadline = current.deadline if current else None
        rows = _unit_status(part.drop(columns="cycle_id"), roster, calendar, cycle.reference_date, deadline, as_of)
        rows.insert(0, "cycle_id", cycle_id)
        rows["cycle_label"], rows["stream_id"] = cycle.label, cycle.stream_id
        rows["window_end"], rows["deadline"] = cycle.window_end, deadline
        parts.append(rows)
    history = pd.concat(parts, ignore_index=True)
    return history.sort_values(["window_end", "cycle_id"]).reset_index(drop=True)[HISTORY_COLUMNS]


VERSION_COLUMNS = [
    "unit_id", "code", "name", "version", "doc_number", "doc_date", "is_draft", "received_on", "received_at",
    "source", "source_ref", "sender_name", "blob_sha256", "counts_for_date", "current", "compiled_from",
]


def submission_versions(session: Session, roster: Roster, cycle: CycleRow, unit_id: str | None = None
                        ) -> pd.DataFrame:
    """Every version received for a cycle (or one unit of it), marking the version whose date
    counts for timeliness (the first complete one) and the one whose figures count (the latest)."""
    stmt = select(SubmissionRow).where(SubmissionRow.cycle_id == cycle.id)
    if unit_id:
        stmt = stmt.where(SubmissionRow.unit_id == unit_id)
    rows = session.execute(stmt).scalars().all()
    if not rows:
        return pd.DataFrame(columns=VERSION_COLUMNS)
    df = pd.DataFrame([dict(
        unit_id=r.unit_id, version=r.version, doc_number=r.doc_number, doc_date=r.doc_date, is_draft=r.is_draft,
        received_on=r.received_on, received_at=r.received_at, source=r.source, source_ref=r.source_ref,
        sender_id=r.sender_unit_id, blob_sha256=r.blob_sha256, compiled_from=r.compiled_from) for r in rows])
    units = {u: roster.get(u) for u in df["unit_id"].unique()}
    df["code"] = [units[u].code or units[u].slug for u in df["unit_id"]]
    df["name"] = [units[u].name_on(cycle.reference_date) for u in df["unit_id"]]
    df["sender_name"] = [roster.get(s).name_on(d) if s != u else None
                         for u, s, d in zip(df["unit_id"], df["sender_id"], df["received_on"], strict=True)]
    df["_order"] = [sort_key(units[u]) for u in df["unit_id"]]
    df = df.sort_values(["_order", "version"]).reset_index(drop=True)
    first, latest = dated_and_current(df)
    df["counts_for_date"] = [first.get(u) == v for u, v in zip(df["unit_id"], df["version"], strict=True)]
    df["current"] = [latest.get(u) == v for u, v in zip(df["unit_id"], df["version"], strict=True)]
    return df[VERSION_COLUMNS]

