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

from models import vnformat
from models.cycles import effective_deadline, requests_of
from models.db import read_frame
from models.groups import group_labels
from models.reminders import last_reminded, latest_round
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
# The order in which units are listed to people: the overdue first, then those with only a draft,
# those not yet due, the late and on-time reports, the exempted; within a status, most late first.
STATUS_ORDER = ("missing", "draft_only", "not_due", "late", "on_time", "exempted")
# The six parts of a group, which add up to its number of units (expected = units - exempted).
COUNT_PARTS = ("on_time", "late", "not_due", "missing", "draft_only", "exempted")
UNIT_COLUMNS = [
    "unit_id", "code", "name", "group", "status", "status_label", "received_on", "doc_number", "version",
    "versions", "sender_id", "sender_name", "days_late", "working_days_late", "exempt_reason",
    "reminded_stage", "reminded_on",
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
    last_round: tuple[date, int] | None = None  # the last day reminders went by as_of, to how many units

    def overall(self) -> dict:
        return self.groups.set_index("group").loc["overall"].to_dict()

    def units_with(self, *statuses: str) -> pd.DataFrame:
        return self.units[self.units["status"].isin(statuses)]

    @property
    def overdue(self) -> bool:
        """The last allowed day has passed: only then is a unit overdue ("quá hạn")."""
        return self.deadline is not None and self.as_of > self.deadline

    def to_dict(self) -> dict:
        units = self.units.astype(object).where(self.units.notna(), None)
        groups = self.groups.astype(object).where(self.groups.notna(), None)
        return dict(
            cycle=self.cycle_id,
            as_of=self.as_of.isoformat(),
            deadline=self.deadline.isoformat() if self.deadline else None,
            deadline_request=self.deadline_request,
            last_reminders=(dict(on=self.last_round[0].isoformat(), units=self.last_round[1])
                            if self.last_round else None),
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
                   as_of: date, *, reminders: bool = True) -> StatusReport:
    """Every expected unit's status on ``as_of``; with its last reminder unless ``reminders`` is
    false (last year's status, which the compilation reads for its counts only)."""
    requests = requests_of(session, cycle.id)
    current = effective_deadline(requests, as_of)
    deadline = current.deadline if current else None
    raw = _fetch(session, cycle.id, as_of)
    units = _unit_status(raw, roster, calendar, cycle.reference_date, deadline, as_of)
    labels = group_labels(roster.groups)
    report = StatusReport(cycle.id, as_of, deadline, current.number if current else None, units,
                          _group_summary(units, labels), labels)
    return with_reminders(session, cycle, report) if reminders else report


def with_reminders(session: Session, cycle: CycleRow, report: StatusReport) -> StatusReport:
    """``report`` with each unit's last reminder ("Đã nhắc") and the last round, as sent by the
    end of its day (the tick asks again once the day's reminders are out)."""
    last = last_reminded(session, cycle, report.as_of)
    ids = report.units["unit_id"]
    report.units["reminded_stage"] = [last[u].stage if u in last else None for u in ids]
    report.units["reminded_on"] = [last[u].on if u in last else None for u in ids]
    report.last_round = latest_round(session, cycle, report.as_of)
    return report


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
    df["reminded_stage"] = None
    df["reminded_on"] = None
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
            units=len(part),
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


def counts_add_up(group: dict) -> bool:
    """A group's counts tell one story: its units are on time, late, not yet due, overdue, with
    only a draft or exempted, each exactly one; expected = units - exempted, actual = on time + late."""
    return (group["units"] == sum(group[k] for k in COUNT_PARTS)
            and group["expected"] == group["units"] - group["exempted"]
            and group["actual"] == group["on_time"] + group["late"])


def reminded_text(stage: str | None, on: date | None) -> str | None:
    """The "Đã nhắc" cell: the last stage and the day it was sent."""
    return f"{stage}, {vnformat.day(on)}" if isinstance(on, date) else None


def by_urgency(units: pd.DataFrame) -> pd.DataFrame:
    """``units`` (in roster order) as people read them: groups in their order (bộ, ngành then địa
    phương); in each, the overdue first (most
    working days late first), then draft only, not yet due, late, on time, exempted; ties in roster
    order."""
    group_rank = {g: i for i, g in enumerate(dict.fromkeys(units["group"]))}  # units come in roster order
    status_rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    keys = pd.DataFrame({
        "g": units["group"].map(group_rank).fillna(len(group_rank)),
        "s": units["status"].map(status_rank).fillna(len(status_rank)),
        "late": -pd.to_numeric(units["working_days_late"], errors="coerce").fillna(0),
        "pos": range(len(units)),
    }, index=units.index)
    return units.loc[keys.sort_values(["g", "s", "late", "pos"]).index]
