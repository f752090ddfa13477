"""The tracking steps of a cycle: its status, its quorum, how it is named, the day's summary.
Plain functions over an App; the flows wrap them as Prefect tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import select

from models import vnformat
from models.cycles import get_cycle, record_quorum
from models.events import CycleRef
from models.quorum import evaluate_quorum
from models.status import StatusReport, compute_status
from models.tables import CompilationRow
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


def cycle_ref(app: App, cycle_id: str) -> CycleRef:
    with app.session() as session:
        return CycleRef(cycle_id, get_cycle(session, cycle_id).created_at.isoformat())


def cycle_title(app: App, cycle_id: str) -> str:
    """How coordinators name a cycle: "dân vận CQHCNN & CQCC năm 2023"."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
    return f"{app.config.stream(cycle.stream_id).short_name} {cycle.label}"


def tick_summary(app: App, report: StatusReport, run, quorum: QuorumCheck, files: dict[str, Path],
                 rejected: list | None = None) -> str:
    """The Markdown a coordinator reads after a tick: rates per group, who is missing, who
    was reminded, what failed and what to do next, with links to the exported files."""
    from notifications.render import Renderer

    units = report.to_dict()["units"]
    late = [u for u in units if u["status"] in ("missing", "draft_only")]
    waiting = [u for u in units if u["status"] == "not_due"]
    failed = run.failed if run else []
    unconfirmed = run.unconfirmed if run else []
    steps = []
    if failed:
        steps.append(f"{len(failed)} nhắc nhở gửi lỗi: kiểm tra cấu hình thư điện tử/chat; lần chạy sau sẽ gửi lại.")
    if unconfirmed:
        steps.append("Có nhắc nhở chưa xác nhận đã gửi: kiểm tra với đơn vị, dùng `dvtracker reminders requeue` nếu cần.")
    if rejected:
        steps.append(f"{len(rejected)} tệp bị từ chối: xem lý do trong thư mục rejected/ và đề nghị đơn vị gửi lại.")
    if quorum.reached and not quorum.compiled:
        steps.append("Đã đủ điều kiện tổng hợp: flow compile-cycle sẽ tạo bản tổng hợp.")
    if late:
        worst = max(late, key=lambda u: u["working_days_late"] or 0)
        steps.append(f"Đôn đốc trực tiếp {len(late)} đơn vị chưa báo cáo quá hạn (chậm nhất: {worst['name']}).")
    elif waiting and report.deadline:
        steps.append(f"{len(waiting)} đơn vị chưa gửi; hạn nộp {vnformat.day(report.deadline)}.")
    if not steps:
        steps.append("Không có việc gì cần làm thêm.")
    context = dict(
        title=cycle_title(app, report.cycle_id), as_of=vnformat.day(report.as_of), deadline=vnformat.day(report.deadline),
        deadline_request=report.deadline_request,
        groups=[dict(g, label=g["group_label"].capitalize(), reporting_rate=vnformat.rate(g["reporting_rate"]),
                     on_time_rate=vnformat.rate(g["on_time_rate"])) for g in report.to_dict()["summary"]],
        quorum=dict(reached=quorum.reached, reached_on=vnformat.day(quorum.reached_on), reasons=quorum.reasons),
        missing=[dict(name=u["name"], status=u["status_label"], days_late=u["days_late"],
                      working_days_late=u["working_days_late"]) for u in late],
        stage=run.stage.label if run and run.stage else None,
        reminded=[dict(unit=i.unit_name, channel=i.channel, via=i.via_unit_name) for i in (run.sent if run else [])],
        failed=[dict(unit=i.unit_name, channel=i.channel, error=i.error) for i in failed],
        unconfirmed=[dict(unit=i.unit_name, channel=i.channel, stage=i.stage) for i in unconfirmed],
        rejected=[dict(file=o.source_ref, reason="; ".join(str(e) for e in o.errors)[:300]) for o in rejected or []],
        next_steps=steps,
        files=[dict(label=label, path=str(path), url=Path(path).resolve().as_uri()) for label, path in files.items()],
    )
    return Renderer(app.settings.templates_dir).render("cycle_summary.md.j2", context) + "\n"

