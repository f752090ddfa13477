"""Who has reported: every unit's status in a cycle, as one query and one DataFrame.

Definitions follow DHIS2: expected = expected units less exemptions; actual = units whose
report (a signed version, not a draft) was received; on time = received no later than the
deadline; reporting rate = actual / expected; on-time rate = on time / expected.
Everything is as known on ``as_of``: later submissions, exemptions and requests are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import and_, select
from sqlmodel import Session

from models.cycles import effective_deadline, requests_of
from models.db import read_frame
from models.groups import group_labels
from models.roster import Roster, sort_key
from models.tables import CycleRow, ExpectedUnitRow, SubmissionRow
from models.versions import dated_and_current
from models.workdays import WorkCalendar

STATUS_LABELS = {
    "on_time": "Đúng hạn",
    "late": "Muộn",
    "draft_only": "Mới có dự thảo",
    "missing": "Chưa báo cáo",
    "not_due": "Chưa đến hạn",
    "exempted": "Miễn báo cáo",
}
UNIT_COLUMNS = [
    "unit_id", "code", "name", "group", "status", "status_label", "received_on", "doc_number", "version",
    "versions", "sender_id", "sender_name", "days_late", "working_days_late", "exempt_reason",
]


@dataclass
class StatusReport:
    cycle_id: str
    as_of: date
    deadline: date | None
    deadline_request: str | None
    units: pd.DataFrame  # one row per expected unit, UNIT_COLUMNS
    groups: pd.DataFrame  # one row per group and one "overall"
    labels: dict[str, str] = field(default_factory=dict)  # group id → its words, "overall" → "tổng cộng"

    def overall(self) -> dict:
        return self.groups.set_index("group").loc["overall"].to_dict()

    def units_with(self, *statuses: str) -> pd.DataFrame:
        return self.units[self.units["status"].isin(statuses)]

    def to_dict(self) -> dict:
        units = self.units.astype(object).where(self.units.notna(), None)
        groups = self.groups.astype(object).where(self.groups.notna(), None)
        return dict(
            cycle=self.cycle_id,
            as_of=self.as_of.isoformat(),
            deadline=self.deadline.isoformat() if self.deadline else None,
            deadline_request=self.deadline_request,
            summary=[_plain(r) for r in groups.to_dict("records")],
            units=[_plain(r) for r in units.to_dict("records")],
        )


def _plain(record: dict) -> dict:
    out = {}
    for k, v in record.items():
        if isinstance(v, date):
            v = v.isoformat()
        elif hasattr(v, "item"):
            v = v.item()
        out[k] = v
    return out


def _fetch(session: Session, cycle_id: str, as_of: date) -> pd.DataFrame:
    """Expected units LEFT JOIN their submissions received by ``as_of``: one query."""
    e, s = ExpectedUnitRow, SubmissionRow
    stmt = (
        select(
            e.unit_id, e.exempt, e.exempt_reason, e.exempted_on,
            s.version, s.is_draft, s.received_on, s.doc_number, s.sender_unit_id,
        )
        .select_from(e)
        .outerjoin(s, and_(s.cycle_id == e.cycle_id, s.unit_id == e.unit_id, s.received_on <= as_of))
        .where(e.cycle_id == cycle_id)
    )
    return read_frame(session, stmt, [
        "unit_id", "exempt", "exempt_reason", "exempted_on", "version", "is_draft", "received_on",
        "doc_number", "sender_id"])


def compute_status(session: Session, cycle: CycleRow, roster: Roster, calendar: WorkCalendar,
                   as_of: date) -> StatusReport:
    requests = requests_of(session, cycle.id)
    current = effective_deadline(requests, as_of)
    deadline = current.deadline if current else None
    raw = _fetch(session, cycle.id, as_of)
    units = _unit_status(raw, roster, calendar, cycle.reference_date, deadline, as_of)
    labels = group_labels(roster.groups)
    return StatusReport(cycle.id, as_of, deadline, current.number if current else None, units,
                        _group_summary(units, labels), labels)


def _unit_status(raw: pd.DataFrame, roster: Roster, calendar: WorkCalendar, reference: date,
                 deadline: date | None, as_of: date) -> pd.DataFrame:
    base = raw.drop_duplicates("unit_id")[["unit_id", "exempt", "exempt_reason", "exempted_on"]].set_index("unit_id")
    subs = raw.dropna(subset=["version"]).copy()
    subs["is_draft"] = subs["is_draft"].astype(bool)
    dated, current = dated_and_current(subs)
    by_version = subs.set_index(["unit_id", "version"])
    first = by_version.loc[list(zip(dated.index, dated, strict=True))].reset_index("version")
    latest = by_version.loc[list(zip(current.index, current, strict=True))].reset_index("version")
    versions = subs.groupby("unit_id")["version"].count()
    has_draft = subs[subs["is_draft"]].groupby("unit_id").size()

    df = base.copy()
    df["received_on"] = first["received_on"]
    df["doc_number"] = latest["doc_number"]
    df["version"] = latest["version"]
    df["sender_id"] = first["sender_id"]
    df["versions"] = versions
    df["versions"] = df["versions"].fillna(0).astype(int)
    df["has_draft"] = has_draft.reindex(df.index).fillna(0) > 0

    exempt = df["exempt"].astype(bool) & (df["exempted_on"].isna() | (df["exempted_on"] <= as_of))
    received = df["received_on"].notna()
    if deadline is None:
        on_time = received
        overdue = pd.Series(False, index=df.index)
    else:
        on_time = received & (df["received_on"] <= deadline)
        overdue = pd.Series(as_of > deadline, index=df.index)
    status = pd.Series("not_due", index=df.index, dtype=object)
    status[overdue] = "missing"
    status[df["has_draft"] & ~received] = "draft_only"
    status[received] = "late"
    status[on_time] = "on_time"
    status[exempt] = "exempted"
    df["status"] = status
    df["status_label"] = df["status"].map(STATUS_LABELS)

    # Days late: for a late report up to its receipt, for a missing one up to as_of.
    df["days_late"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    df["working_days_late"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    if deadline is not None:
        until = df["received_on"].where(df["status"] == "late")
        if as_of > deadline:
            until = until.where(~df["status"].isin(["missing", "draft_only"]), as_of)
        mask = until.notna()
        deadline_ord = calendar.ordinal(deadline)
        df.loc[mask, "days_late"] = [(d - deadline).days for d in until[mask]]
        df.loc[mask, "working_days_late"] = [calendar.ordinal(d) - deadline_ord for d in until[mask]]

    names = {uid: roster.get(uid) for uid in df.index}
    df["code"] = [names[u].code or names[u].slug for u in df.index]
    df["name"] = [names[u].name_on(reference) for u in df.index]
    df["group"] = [names[u].group for u in df.index]
    df["sender_name"] = [
        roster.get(s).name_on(r) if isinstance(s, str) and s != u else None
        for u, s, r in zip(df.index, df["sender_id"], df["received_on"], strict=True)
    ]
    df["exempt_reason"] = df["exempt_reason"].where(exempt, None)
    df["version"] = df["version"].astype("Int64")
    order = sorted(df.index, key=lambda u: sort_key(names[u]))
    return df.loc[order].reset_index()[UNIT_COLUMNS]


def _group_summary(units: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    def summarise(part: pd.DataFrame, group: str) -> dict:
        counts = part["status"].value_counts()
        expected = int(len(part) - counts.get("exempted", 0))
        actual = int(counts.get("on_time", 0) + counts.get("late", 0))
        on_time = int(counts.get("on_time", 0))
        return dict(
            group=group,
            group_label=labels[group],
            expected=expected,
            actual=actual,
            on_time=on_time,
            late=int(counts.get("late", 0)),
            missing=int(counts.get("missing", 0)),
            not_due=int(counts.get("not_due", 0)),
            draft_only=int(counts.get("draft_only", 0)),
            exempted=int(counts.get("exempted", 0)),
            reporting_rate=round(actual / expected, 4) if expected else None,
            on_time_rate=round(on_time / expected, 4) if expected else None,
        )

    rows = [summarise(units[units["group"] == g], g) for g in labels if g != "overall" and (units["group"] == g).any()]
    rows.append(summarise(units, "overall"))
    return pd.DataFrame(rows)
