"""The story of a cycle's day, as the coordinators' digest tells it: the quorum reached, the
compilations made (and what changed from the version before), the files rejected and why, the
checks that failed, the reminders sent by stage, and what to do next. ``day_story`` gathers these
facts from the day's database rows, read by ``tasks.day_story``; it reads nothing itself.

``next_steps`` is the one list of "what to do next", shared with the day's summary
(``tasks.day_summary``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from models import vnformat
from models.checks import SEVERITIES
from models.clock import vn_date
from models.compilation_summary import change_clauses
from models.quorum import QuorumCondition
from models.report_form import Problem
from models.status import StatusReport
from models.workdays import WorkCalendar

# Findings a coordinator must look at ("Sai", "Cần xem lại"); "Lưu ý" ones stay in the draft.
FAILED_SEVERITIES = ("error", "warning")
MAX_CHECKS = 10  # findings listed in a digest; the rest are counted
MAX_TOTALS = 3  # national totals shown per version


class CompilationLike(Protocol):
    version: int
    as_of: date
    summary: dict[str, Any]


class IntakeLike(Protocol):
    received_at: Any
    outcome: str
    source_ref: str | None
    errors: list[dict[str, Any]]


class ReminderLike(Protocol):
    unit_id: str
    stage: str
    status: str
    sent_at: Any


@dataclass(frozen=True)
class Compiled:
    version: int
    as_of: date
    counted: int  # reports counted in it (on time or late)
    expected: int
    changes: list[str]  # what changed from the previous version, one Vietnamese phrase each


@dataclass(frozen=True)
class Rejected:
    file: str
    reasons: list[str]


@dataclass(frozen=True)
class FailedCheck:
    version: int
    severity: str  # "Sai", "Cần xem lại"
    unit: str | None
    message: str


@dataclass(frozen=True)
class StageSent:
    stage: str  # its label: "quá hạn 2 ngày làm việc"
    units: int


@dataclass(frozen=True)
class Progress:
    """Where the cycle stands, as the next steps need it."""

    deadline: date | None
    overdue: bool
    on_last_day: bool
    outstanding: int  # units that have not sent (not due, overdue, draft only)
    days_left: int | None
    worst: tuple[str, int] | None = None  # once overdue: the unit most late, and by how many working days


@dataclass(frozen=True)
class DayStory:
    day: date
    quorum_reached_on: date | None
    quorum: list[QuorumCondition]
    compiled: list[Compiled]
    rejected: list[Rejected]
    checks: list[FailedCheck]  # the findings of the latest version told, errors first
    checks_more: int  # findings not listed
    reminders: list[StageSent]
    next_steps: list[str] = field(default_factory=list)

    @property
    def quorum_today(self) -> bool:
        return self.quorum_reached_on == self.day

    @property
    def has_news(self) -> bool:
        """Something happened that day (a day with none of these needs no digest by itself)."""
        return bool(self.quorum_today or self.compiled or self.rejected or self.checks or self.reminders)

    @property
    def versions(self) -> list[int]:
        return [c.version for c in self.compiled]


def working_days_left(calendar: WorkCalendar, report: StatusReport) -> int | None:
    """Working days from ``as_of`` to the deadline, both counted (0 once it has passed)."""
    if report.deadline is None:
        return None
    if report.overdue:
        return 0
    return (calendar.ordinal(report.deadline) - calendar.ordinal(report.as_of)
            + (1 if calendar.is_working_day(report.as_of) else 0))


def progress(report: StatusReport, calendar: WorkCalendar, outstanding: list[dict]) -> Progress:
    """``outstanding``: the units not yet sent, in ``by_urgency`` order, with their names as shown."""
    worst = None
    if outstanding and report.overdue:
        u = outstanding[0] if outstanding[0]["status"] == "missing" else max(
            outstanding, key=lambda u: u["working_days_late"] or 0)
        worst = (u["name"], int(u["working_days_late"] or 0))
    return Progress(report.deadline, report.overdue, report.as_of == report.deadline, len(outstanding),
                    working_days_left(calendar, report), worst)


def next_steps(p: Progress, *, failed_reminders: int = 0, unconfirmed: int = 0, rejected: int = 0,
               quorum_pending: bool = False, checks: int = 0, version: int | None = None) -> list[str]:
    """What the coordinator should do next, most urgent first; never empty."""
    steps = []
    if failed_reminders:
        steps.append(f"{failed_reminders} nhắc nhở gửi lỗi: kiểm tra cấu hình thư điện tử/chat; lần chạy sau sẽ gửi lại.")
    if unconfirmed:
        steps.append("Có nhắc nhở chưa xác nhận đã gửi: kiểm tra với đơn vị, dùng `dvtracker reminders requeue` nếu cần.")
    if rejected:
        steps.append(f"{rejected} tệp bị từ chối: xem lý do trong thư mục rejected/ và đề nghị đơn vị gửi lại.")
    if quorum_pending:
        steps.append("Đã đủ điều kiện tổng hợp: flow compile-cycle sẽ tạo bản tổng hợp.")
    if checks and version is not None:
        steps.append(f"Rà soát {checks} nội dung cần kiểm tra của bản tổng hợp v{version} với các đơn vị liên quan "
                     "trước khi trình lãnh đạo.")
    if p.outstanding and p.overdue and p.worst:
        steps.append(f"Đôn đốc trực tiếp {p.outstanding} đơn vị quá hạn chưa báo cáo "
                     f"(chậm nhất: {p.worst[0]}, {p.worst[1]} ngày làm việc).")
    elif p.outstanding and p.deadline:
        steps.append(f"Theo dõi {p.outstanding} đơn vị chưa gửi; hạn nộp {vnformat.day(p.deadline)}"
                     + (", hôm nay là ngày cuối." if p.on_last_day else f", còn {p.days_left} ngày làm việc."))
    if not steps:
        steps.append("Không có việc gì cần làm thêm.")
    return steps


def changes_told(summary: Mapping[str, Any]) -> list[str]:
    """What a version changed from the one before, from its stored ``changes`` (diff_summaries)."""
    changes = summary.get("changes") or {}
    return change_clauses(changes, MAX_TOTALS) if changes else ["bản đầu tiên của kỳ"]


def _overall(summary: Mapping[str, Any]) -> tuple[int, int]:
    row: dict[str, Any] = next((g for g in summary.get("groups", []) if g.get("group") == "overall"), {})
    return int(row.get("actual") or 0), int(row.get("expected") or 0)


def untold(compilations: Iterable[CompilationLike], told: set[int], since: date | None,
           day: date) -> list[CompilationLike]:
    """The versions a digest of ``day`` tells: made with the reports of ``day`` or of the days since
    the previous digest (``since``), and not told by an earlier one. A compilation started by
    the day's quorum runs after the day's digest: the next digest tells it."""
    return sorted((c for c in compilations if c.version not in told and c.as_of <= day
                   and (since is None or c.as_of >= since)), key=lambda c: c.version)


def day_story(day: date, *, quorum: list[QuorumCondition], quorum_reached_on: date | None,
              compilations: Iterable[CompilationLike], intakes: Iterable[IntakeLike],
              reminders: Iterable[ReminderLike], stage_labels: Mapping[str, str], state: Progress,
              quorum_pending: bool = False, failed_reminders: int = 0, unconfirmed: int = 0) -> DayStory:
    """The facts of ``day``: ``compilations`` are those to tell (``untold``); ``intakes`` and
    ``reminders`` the cycle's rows, of which those of ``day`` (Vietnam time) count;
    ``quorum_pending``: reached, and no version made yet."""
    compilations = list(compilations)
    compiled = [Compiled(c.version, c.as_of, *_overall(c.summary), changes_told(c.summary)) for c in compilations]
    latest = max(compilations, key=lambda c: c.version, default=None)
    findings = [f for f in (latest.summary.get("findings", []) if latest else [])
                if f.get("severity") in FAILED_SEVERITIES]
    findings.sort(key=lambda f: FAILED_SEVERITIES.index(f["severity"]))  # stable: the draft's order within
    checks = [FailedCheck(latest.version, SEVERITIES[f["severity"]], f.get("unit_name"), f["message"])
              for f in findings[:MAX_CHECKS]] if latest else []
    rejected = [Rejected(_file_name(r.source_ref), [str(Problem(**{**e, "file": None})) for e in r.errors])
                for r in intakes if r.outcome == "rejected" and vn_date(r.received_at) == day]
    by_stage: dict[str, set[str]] = defaultdict(set)
    for r in reminders:
        if r.status == "sent" and r.sent_at is not None and vn_date(r.sent_at) == day:
            by_stage[r.stage].add(r.unit_id)
    order = list(stage_labels)
    sent = [StageSent(stage_labels.get(s, s), len(units))
            for s, units in sorted(by_stage.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]
    reached = quorum_reached_on is not None and quorum_reached_on <= day
    steps = next_steps(state, failed_reminders=failed_reminders, unconfirmed=unconfirmed, rejected=len(rejected),
                       quorum_pending=quorum_pending,
                       checks=len(findings), version=latest.version if latest else None)
    return DayStory(day, quorum_reached_on if reached else None, quorum, compiled, rejected, checks,
                    len(findings) - len(checks), sent, steps)


def _file_name(ref: str | None) -> str:
    return (ref or "").replace("\\", "/").rsplit("/", 1)[-1] or "(không rõ tên tệp)"
