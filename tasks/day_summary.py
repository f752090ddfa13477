"""The day's summary of a cycle, the Markdown a coordinator reads: in the Prefect artifact
``<cycle>-summary``, in the file the tick writes next to the day's status export, and from
``dvtracker status --summary``. Everything in it is read from the database for (cycle, day), so
that the three say the same words; every value from data is Markdown-escaped
(``models.limits.markdown_text``) and every list line is built here, one line per unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from models import vnformat
from models.clock import vn_date
from models.day_story import next_steps, progress, working_days_left
from models.groups import heading
from models.limits import markdown_text as md
from models.reminders import CHANNEL_LABELS
from models.report_form import Problem
from models.status import StatusReport, by_urgency
from models.tables import CompilationRow, ReminderRow
from notifications.render import Renderer
from tasks import exports, outputs
from tasks.compile import OUTPUTS
from tasks.day_story import OUTSTANDING, rejected_rows
from tasks.file_server import file_url
from tasks.tracking import QuorumCheck, cycle_title, quorum_state
from wiring.app import App


def unit_line(u: dict, *, reminded: bool = True) -> str:
    """One unit on one line: its name, status, how late, and its last reminder."""
    line = f"{md(u['name'])}: {u['status_label']}"
    if u["status"] in ("missing", "draft_only", "late") and u["days_late"]:
        line += f", chậm {u['days_late']} ngày ({u['working_days_late']} ngày làm việc)"
    if reminded and u.get("reminded_on"):
        line += f"; đã nhắc: {u['reminded_stage']}, {vnformat.day(u['reminded_on'])}"
    return line


def grouped(units: Iterable[dict], labels: dict[str, str]) -> list[dict]:
    """Units (in ``by_urgency`` order) under their group, groups in their order (bộ, ngành then
    địa phương)."""
    units = list(units)
    out = []
    for g, label in labels.items():
        part = [u for u in units if u["group"] == g]
        if part:
            out.append(dict(label=heading(label), count=len(part), lines=[unit_line(u) for u in part]))
    return out


def _records(report: StatusReport) -> list[dict]:
    units = by_urgency(report.units)
    return units.astype(object).where(units.notna(), None).to_dict("records")


def day_summary(app: App, report: StatusReport, quorum: QuorumCheck | None = None) -> str:
    """The Markdown summary of ``report``'s cycle on its day."""
    cycle_id, day = report.cycle_id, report.as_of
    quorum = quorum or quorum_state(app, cycle_id, day, report)
    units = _records(report)
    names = {u["unit_id"]: u["name"] for u in units}
    outstanding = [u for u in units if u["status"] in OUTSTANDING]
    overall = report.overall()
    left = working_days_left(app.calendar, report)
    drafts = overall["draft_only"]
    with app.session() as session:
        logs = session.exec(select(ReminderRow).where(ReminderRow.cycle_id == cycle_id,
                                                      ReminderRow.status.in_(("failed", "sending")))).all()  # type: ignore[attr-defined]
        rejected = [r for r in rejected_rows(session, cycle_id) if vn_date(r.received_at) == day]

    if report.deadline is None:
        headline = f"Chưa có hạn nộp. Đã nhận {overall['actual']}/{overall['expected']} báo cáo."
    elif report.overdue:
        headline = (f"Đã quá hạn nộp {vnformat.day(report.deadline)}: {len(outstanding)} đơn vị chưa báo cáo"
                    + (f" (trong đó {drafts} mới có dự thảo)" if drafts else "") + ".")
    else:
        when = ("hôm nay là ngày cuối của hạn nộp" if day == report.deadline
                else f"còn {left} ngày làm việc đến hạn nộp {vnformat.day(report.deadline)}")
        headline = (f"Còn {len(outstanding)} đơn vị chưa gửi báo cáo"
                    + (f" (trong đó {drafts} mới có dự thảo)" if drafts else "") + f"; {when}.")

    today = [u for u in units if u["reminded_on"] == day]
    if today:
        stages = sorted({u["reminded_stage"] for u in today})
        reminders = f"Hôm nay đã nhắc {len(today)} đơn vị (đợt: {'; '.join(stages)})."
    elif report.last_round:
        reminders = (f"Hôm nay không gửi nhắc; đợt gần nhất {vnformat.day(report.last_round[0])}: "
                     f"{report.last_round[1]} đơn vị.")
    else:
        reminders = "Hôm nay không gửi nhắc; chưa gửi đợt nhắc nào."
    failed = [f"**Gửi lỗi** {md(names.get(r.unit_id, r.unit_id))} ({CHANNEL_LABELS.get(r.channel, r.channel)}): "
              f"{md(r.last_error or '')}" for r in logs if r.status == "failed"]
    unconfirmed = [f"**Chưa xác nhận đã gửi** {md(names.get(r.unit_id, r.unit_id))} "
                   f"({CHANNEL_LABELS.get(r.channel, r.channel)}, đợt {md(r.stage)})" for r in logs if r.status == "sending"]
    rejected_lines = [f"{md(r.source_ref or '')}: {md('; '.join(str(Problem(**e)) for e in r.errors)[:300])}"
                      for r in rejected]

    steps = next_steps(progress(report, app.calendar, [dict(u, name=md(u["name"])) for u in outstanding]),
                       failed_reminders=len(failed), unconfirmed=len(unconfirmed), rejected=len(rejected),
                       quorum_pending=quorum.reached and not quorum.compiled)

    pending_header = "Quá hạn, chưa gửi" if report.overdue else "Chưa gửi (chưa đến hạn)"
    groups = [dict(label=md(heading(g["group_label"])), units=g["units"], on_time=g["on_time"], late=g["late"],
                   pending=g["missing"] + g["not_due"], draft_only=g["draft_only"], exempted=g["exempted"],
                   expected=g["expected"], actual=g["actual"], reporting_rate=vnformat.rate(g["reporting_rate"]),
                   on_time_rate=vnformat.rate(g["on_time_rate"])) for g in report.to_dict()["summary"]]
    context = dict(
        title=md(cycle_title(app, cycle_id)), as_of=vnformat.day(day), deadline=vnformat.day(report.deadline),
        deadline_request=md(report.deadline_request), headline=headline, pending_header=pending_header,
        groups=groups,
        quorum=dict(reached=quorum.reached, reached_on=vnformat.day(quorum.reached_on),
                    reasons=[md(r) for r in quorum.reasons]),
        outstanding_title="Quá hạn, chưa báo cáo" if report.overdue else "Chưa gửi báo cáo",
        outstanding_count=len(outstanding), outstanding=grouped(outstanding, report.labels),
        reminders=reminders, reminded=grouped(today, report.labels), problems=failed + unconfirmed,
        rejected=rejected_lines, next_steps=steps,
        **_file_links(app, report),
    )
    return Renderer(app.settings.templates_dir).render("cycle_summary.md.j2", context) + "\n"


def _link(app: App, label: str, path: Path) -> dict:
    return dict(label=label, path=str(path), url=file_url(app.settings, path), name=md(Path(path).name))


def _file_links(app: App, report: StatusReport) -> dict:
    """The day's files and those of the latest compilation made by that day, each with its
    address on the file server (``tasks.file_server``) and its path; the picture's address."""
    paths = exports.status_paths(app, report)
    with app.session() as session:
        latest = session.exec(select(CompilationRow).where(CompilationRow.cycle_id == report.cycle_id,
                                                           CompilationRow.as_of <= report.as_of)
                              .order_by(col(CompilationRow.version).desc())).first()
    compilation = None
    if latest is not None:
        made = latest.summary.get("files", {})
        compilation = dict(version=latest.version, as_of=vnformat.day(latest.as_of),
                           files=[_link(app, label, Path(made[kind])) for kind, (_, label) in OUTPUTS.items()
                                  if kind in made])
    return dict(files=[_link(app, label, path) for label, path in paths.items()], compilation=compilation,
                chart=_link(app, exports.CHART_LABEL, paths[exports.CHART_LABEL]))


def write_summary(app: App, report: StatusReport, markdown: str) -> Path:
    """The summary as a file next to the day's status export."""
    path = exports.status_paths(app, report)[exports.SUMMARY_LABEL]
    return outputs.keep(app, path, markdown.encode("utf-8"), cycle_id=report.cycle_id, kind="status")


def cycle_summary(app: App, cycle_id: str, as_of: date) -> str:
    """``dvtracker status --summary``: the summary of ``cycle_id`` on ``as_of``."""
    from tasks.tracking import cycle_status

    return day_summary(app, cycle_status(app, cycle_id, as_of))
