"""Quorum: when enough reports are in to compile. The rule is the cycle's own."""

from __future__ import annotations

from dataclasses import dataclass

from models.roster import Roster
from models.status import StatusReport


@dataclass(frozen=True)
class QuorumResult:
    reached: bool
    reasons: list[str]  # one Vietnamese line per condition, met or not


def evaluate_quorum(report: StatusReport, rule: dict, roster: Roster) -> QuorumResult:
    """``rule``: {"shares": {"central": 0.3, "provincial": 0.8}, "required": [unit ids]}.
    Every condition must hold; a rule with no condition is never reached."""
    shares: dict[str, float] = rule.get("shares") or {}
    required: list[str] = rule.get("required") or []
    summary = report.groups.set_index("group")
    reasons, ok = [], []
    for group, share in shares.items():
        row = summary.loc[group] if group in summary.index else None
        expected = int(row["expected"]) if row is not None else 0
        actual = int(row["actual"]) if row is not None else 0
        met = expected > 0 and actual >= share * expected
        ok.append(met)
        reasons.append(
            f"{report.labels.get(group, group)}: {actual}/{expected} đã báo cáo, cần {share:.0%} "
            f"— {'đạt' if met else 'chưa đạt'}"
        )
    received = set(report.units_with("on_time", "late")["unit_id"])
    for uid in required:
        met = uid in received
        ok.append(met)
        name = roster.get(uid).name if uid in roster.units else uid
        reasons.append(f"{name}: {'đã' if met else 'chưa'} báo cáo (bắt buộc)")
    return QuorumResult(bool(ok) and all(ok), reasons)
