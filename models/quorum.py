"""Quorum: when enough reports are in to compile. The rule is the cycle's own."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.roster import Roster
from models.status import StatusReport


@dataclass(frozen=True)
class QuorumCondition:
    """One condition of the rule: a group's share of reports, or one unit that must report."""

    label: str  # the group's words ("bộ, ngành") or the unit's name
    met: bool
    actual: int | None = None  # a group: reports received (on time or late)
    expected: int | None = None
    share: float | None = None  # a group: the share required; None for a required unit

    @property
    def reason(self) -> str:
        if self.share is None:
            return f"{self.label}: {'đã' if self.met else 'chưa'} báo cáo (bắt buộc)"
        return (f"{self.label}: {self.actual}/{self.expected} đã báo cáo, cần {self.share:.0%} "
                f"— {'đạt' if self.met else 'chưa đạt'}")


@dataclass(frozen=True)
class QuorumResult:
    reached: bool
    reasons: list[str]  # one Vietnamese line per condition, met or not
    conditions: list[QuorumCondition] = field(default_factory=list)


def evaluate_quorum(report: StatusReport, rule: dict, roster: Roster) -> QuorumResult:
    """``rule``: {"shares": {"central": 0.3, "provincial": 0.8}, "required": [unit ids]}.
    Every condition must hold; a rule with no condition is never reached."""
    shares: dict[str, float] = rule.get("shares") or {}
    required: list[str] = rule.get("required") or []
    summary = report.groups.set_index("group")
    conditions = []
    for group, share in shares.items():
        row = summary.loc[group] if group in summary.index else None
        expected = int(row["expected"]) if row is not None else 0
        actual = int(row["actual"]) if row is not None else 0
        conditions.append(QuorumCondition(report.labels.get(group, group), expected > 0 and actual >= share * expected,
                                          actual, expected, share))
    received = set(report.units_with("on_time", "late")["unit_id"])
    for uid in required:
        name = roster.get(uid).name if uid in roster.units else uid
        conditions.append(QuorumCondition(name, uid in received))
    reached = bool(conditions) and all(c.met for c in conditions)
    return QuorumResult(reached, [c.reason for c in conditions], conditions)
