"""Reports received per day, cumulative, per group: the picture of a cycle's progress.

Computed from a day's ``StatusReport`` (its one query), so that the last day of the picture is the
status table of that day: a unit counts from the date of its first complete version (the date
that decides timeliness, ``models.versions``), once, whatever it sent after; a draft never
counts; an exempted unit counts neither above nor below the line; nothing received after the
report's day is in it. A group's share is over its expected units, as the quorum counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from models.groups import OVERALL
from models.status import StatusReport

RECEIVED = ("on_time", "late")


@dataclass(frozen=True)
class Progress:
    counts: pd.DataFrame  # index: every day from the opening to as_of; columns: group ids; cumulative reports
    expected: dict[str, int]  # group id → its expected units
    labels: dict[str, str]  # group id → its words ("bộ, ngành")
    deadline: date | None
    quorum: dict[str, float] = field(default_factory=dict)  # group id → the share the quorum needs

    @property
    def shares(self) -> pd.DataFrame:
        """Each day's cumulative count over the group's expected units (0 to 1)."""
        expected = pd.Series(self.expected, dtype=float).reindex(self.counts.columns)
        return self.counts.div(expected.where(expected > 0), axis="columns")


def received_per_day(report: StatusReport, opening: date, quorum_shares: dict[str, float] | None = None) -> Progress:
    """Per group, how many of its units had reported by each day from ``opening`` (the cycle's
    first request) to ``report.as_of``."""
    units = report.units
    groups = [g for g in report.labels if g != OVERALL and (units["group"] == g).any()]
    received = units[units["status"].isin(RECEIVED)]
    start = min([opening, *received["received_on"]]) if len(received) else opening
    start = min(start, report.as_of)
    days = [start + timedelta(days=i) for i in range((report.as_of - start).days + 1)]
    per_day = (received.groupby(["received_on", "group"]).size().unstack("group")
               .reindex(index=days, columns=groups).fillna(0).astype(int))
    counts = per_day.cumsum()
    counts.index.name, counts.columns.name = "day", None
    expected = report.groups.set_index("group")["expected"]
    return Progress(counts, {g: int(expected.get(g, 0)) for g in groups}, {g: report.labels[g] for g in groups},
                    report.deadline, {g: float(s) for g, s in (quorum_shares or {}).items() if g in groups})
