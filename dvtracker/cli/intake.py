"""dvtracker template / submit / record / inbox / pull / status / submissions / unit history:
receiving reports and knowing every unit's status."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from dvtracker.cli.common import JSON_OPTION, actor, console, fmt_date, get_app, print_json, table, to_date
from dvtracker.cli.roster import unit_app
from models import vnformat
from models.clock import VN_TZ
from models.intake import OUTCOME_LABELS, IntakeOutcome
from models.rollup import link_text
from models.status import STATUS_LABELS, by_urgency, reminded_text
from services import intake as service
from services import tracking
from services.intake import PaperReport

RECEIVED_AT_OPTION = typer.Option(None, "--received-at", help="Thời điểm nhận (mặc định: bây giờ), ví dụ 2024-05-24 "
                                  "hoặc 2024-05-24T09:30; không ghi múi giờ thì là giờ Việt Nam.")


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = datetime.combine(to_date(text, "--received-at"), time())
    return (moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)).astimezone(VN_TZ)


# --- receiving -----------------------------------------------------------------------------------
def template(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    unit: str = typer.Option(None, "--unit", help="Điền sẵn đơn vị (mã hoặc tên)."),
    output: Path = typer.Option(None, "--output", "-o", help="Tệp .xlsx sẽ ghi (mặc định: thư mục exports)."),
) -> None:
    """Tạo phụ lục biểu mẫu Excel để đơn vị điền báo cáo."""
    path = service.write_template(get_app(), cycle, unit=unit, path=output)
    console.print(f"Đã tạo mẫu báo cáo: {path}")


def submit(
    files: list[Path] = typer.Argument(..., help="Các tệp báo cáo: .xlsx theo mẫu, .json hoặc .yaml."),
    cycle: str = typer.Option(None, "--cycle", help="Kỳ báo cáo, nếu tệp không ghi."),
    received_at: str = RECEIVED_AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Tiếp nhận các tệp báo cáo. Mã thoát 1 nếu có tệp bị từ chối."""
    app = get_app()
    with actor(), _progress(len(files), as_json) as tick:
        outcomes = service.submit(app, files, received_at=_moment(received_at), cycle_id=cycle, progress=tick)
    _print_outcomes(outcomes, "Kết quả tiếp nhận", as_json)


def record(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    unit: str = typer.Option(..., "--unit", help="Đơn vị báo cáo (mã hoặc tên)."),
    number: str = typer.Option(..., "--number", help="Số văn bản, ví dụ 529/BC-UBND."),
    doc_date: str = typer.Option(..., "--date", help="Ngày văn bản, ví dụ 2024-05-24 hoặc 24/5/2024."),
    sender: str = typer.Option(None, "--sender", help="Đơn vị kế thừa gửi thay, nếu có."),
    received_at: str = RECEIVED_AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ghi nhận một báo cáo nhận bằng giấy hoặc PDF (không có số liệu)."""
    spec = PaperReport.of(cycle=cycle, unit=unit, number=number, doc_date=to_date(doc_date, "--date"), sender=sender,
                          received_at=_moment(received_at))
    with actor():
        outcome = service.record(get_app(), spec)
    _print_outcomes([outcome], "Ghi nhận báo cáo", as_json)


def inbox(
    cycle: str = typer.Option(None, "--cycle", help="Kỳ báo cáo cho các tệp không ghi kỳ."),
    received_at: str = RECEIVED_AT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Tiếp nhận mọi tệp trong thư mục inbox: tệp hợp lệ chuyển vào processed/, tệp lỗi vào rejected/
    kèm tệp lý do."""
    app = get_app()
    with actor(), _progress(service.inbox_count(app), as_json) as tick:
        outcomes = service.sweep_inbox(app, received_at=_moment(received_at), cycle_id=cycle, progress=tick)
    if not outcomes and not as_json:
        console.print(f"Thư mục {app.settings.inbox_dir} không có tệp mới.")
        return
    _print_outcomes(outcomes, f"Thư mục {app.settings.inbox_dir}", as_json)


def pull(as_json: bool = JSON_OPTION) -> None:
    """Lấy văn bản mới từ dịch vụ trao đổi văn bản (HTTP) và tiếp nhận như các tệp."""
    app = get_app()
    try:
        with actor():
            outcomes = service.pull(app)
    except service.SourceError as exc:
        if exc.outcomes:
            _print_outcomes(exc.outcomes, "Đã nhận trước khi lỗi", as_json, exit_on_reject=False)
        raise
    if not outcomes and not as_json:
        console.print("Không có văn bản mới.")
        return
    _print_outcomes(outcomes, "Văn bản lấy từ dịch vụ trao đổi văn bản", as_json)


@contextmanager
def _progress(total: int, quiet: bool):
    if total < 2 or quiet:
        yield None
        return
    with Progress(TextColumn("Đang tiếp nhận"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("", total=total)
        def tick(_outcome: IntakeOutcome) -> None:
            progress.advance(task)

        yield tick


def _print_outcomes(outcomes: list[IntakeOutcome], title: str, as_json: bool, exit_on_reject: bool = True) -> None:
    if as_json:
        print_json([o.to_dict() for o in outcomes])
    else:
        table(title, ["Tệp / văn bản", "Kết quả", "Kỳ", "Đơn vị", "Phiên bản", "Ngày nhận", "Số văn bản", "Gửi thay"],
              [[o.source_ref, OUTCOME_LABELS[o.outcome], o.cycle_id, o.unit_name, o.version, fmt_date(o.received_on),
                o.doc_number, o.sender_name] for o in outcomes])
        for o in outcomes:
            for p in o.errors:
                console.print(f"[red]Lỗi[/red] {escape(str(p))}", highlight=False)
            for p in o.warnings:
                console.print(f"[yellow]Cảnh báo[/yellow] {escape(str(p))}", highlight=False)
        counts = {label: sum(o.outcome == k for o in outcomes) for k, label in OUTCOME_LABELS.items()}
        console.print("; ".join(f"{label.lower()}: {n}" for label, n in counts.items() if n) or "Không có tệp nào.")
    if exit_on_reject and any(o.rejected for o in outcomes):
        raise typer.Exit(1)


# --- tracking ------------------------------------------------------------------------------------
def status(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    as_of: str = typer.Option(None, "--as-of", help="Tình hình như đã biết vào ngày này (mặc định: hôm nay)."),
    only: list[str] = typer.Option([], "--only", help=f"Chỉ liệt kê đơn vị có tình trạng: {', '.join(STATUS_LABELS)}."),
    export: Path = typer.Option(None, "--export", help="Xuất ra tệp .xlsx hoặc .csv."),
    sep: str = typer.Option(",", "--sep", help="Dấu phân cách của tệp CSV: ',' hoặc ';' (Excel đặt kiểu Việt Nam)."),
    summary: bool = typer.Option(False, "--summary", help="In bản tóm tắt (Markdown) như trên giao diện Prefect."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Đơn vị nào đã báo cáo, đúng hạn hay muộn, đơn vị nào chưa; tỷ lệ theo nhóm và chung."""
    app = get_app()
    day = to_date(as_of, "--as-of", app.clock.today())
    if summary:
        typer.echo(tracking.summary(app, cycle, day), nl=False)
        return
    report = tracking.status(app, cycle, day, only=only, export=export, sep=sep)
    units = report.units
    if as_json:
        print_json(report.to_dict())
        return
    deadline = f"hạn nộp {fmt_date(report.deadline)} (theo {report.deadline_request})" if report.deadline \
        else "chưa có hạn nộp"
    table(f"Tình hình báo cáo kỳ {cycle} tính đến ngày {fmt_date(day)} — {deadline}",
          ["Mã", "Đơn vị", "Tình trạng", "Ngày nhận", "Số văn bản", "Phiên bản", "Trễ (ngày)", "Trễ (ngày làm việc)",
           "Đã nhắc", "Ghi chú"],
          [[u["code"], u["name"], u["status_label"], _day(u["received_on"]), u["doc_number"], _int(u["version"]),
            _int(u["days_late"]), _int(u["working_days_late"]),
            reminded_text(u["reminded_stage"], u["reminded_on"]) or "", _note(u)]
           for u in map(_plain, by_urgency(units).to_dict("records"))])
    for g in report.groups.to_dict("records"):
        console.print(
            f"[bold]{g['group_label'].capitalize()}[/bold]: phải báo cáo {g['expected']}; đã báo cáo {g['actual']} "
            f"({vnformat.rate(g['reporting_rate'])}); đúng hạn {g['on_time']} ({vnformat.rate(g['on_time_rate'])}); "
            f"muộn {g['late']}; "
            + (f"quá hạn chưa báo cáo {g['missing']}; " if report.overdue else f"chưa đến hạn {g['not_due']}; ")
            + f"mới có dự thảo {g['draft_only']}; miễn {g['exempted']} (tổng số {g['units']} đơn vị)",
            highlight=False)
    if export:
        console.print(f"Đã xuất: {export}")


def _int(value) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _day(value) -> str:
    return fmt_date(value) if isinstance(value, date) else ""


def _note(u: dict) -> str:
    notes = []
    if u["sender_name"]:
        notes.append(f"do {u['sender_name']} gửi")
    if u["exempt_reason"]:
        notes.append(f"miễn: {u['exempt_reason']}")
    return "; ".join(notes)


def submissions(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    unit: str = typer.Option(None, "--unit", help="Chỉ một đơn vị (mã hoặc tên)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Các lần gửi (phiên bản) báo cáo của một kỳ: phiên bản tính hạn và phiên bản hiện hành."""
    versions = tracking.versions(get_app(), cycle, unit)
    if as_json:
        print_json([_plain(r, iso=True) for r in versions.to_dict("records")])
        return
    table(f"Các phiên bản báo cáo kỳ {cycle}",
          ["Mã", "Đơn vị", "Phiên bản", "Số văn bản", "Ngày văn bản", "Ngày nhận", "Nguồn", "Dự thảo", "Gửi thay",
           "Ghi chú"],
          [[r["code"], r["name"], r["version"], r["doc_number"], _day(r["doc_date"]), _day(r["received_on"]),
            r["source"], "có" if r["is_draft"] else "", r["sender_name"],
            ", ".join([*(n for n, on in (("tính hạn nộp", r["counts_for_date"]), ("số liệu hiện hành", r["current"]))
                         if on), *([link_text(r["compiled_from"])] if r["compiled_from"] else [])])]
           for r in map(_plain, versions.to_dict("records"))])


@unit_app.command("history")
def unit_history_command(
    text: str = typer.Argument(..., help="Mã hoặc tên đơn vị."),
    on: str = typer.Option(None, "--on", help="Ngày để hiểu mã/tên đơn vị (mặc định: hôm nay)."),
    as_of: str = typer.Option(None, "--as-of", help="Tình hình như đã biết vào ngày này (mặc định: hôm nay)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Một đơn vị qua các kỳ báo cáo, kể cả các đơn vị tiền thân (sáp nhập)."""
    app = get_app()
    day = to_date(on, "--on", app.clock.today())
    unit = app.roster.find(text, day)
    history = tracking.history(app, unit, to_date(as_of, "--as-of", app.clock.today()))
    if as_json:
        print_json(dict(unit_id=unit.id, name=unit.name_on(day), lineage=app.roster.lineage(unit.id),
                        cycles=[_plain(r, iso=True) for r in history.to_dict("records")]))
        return
    predecessors = [f"{p.name} ({p.code or p.slug})" for p in map(app.roster.get, app.roster.lineage(unit.id)[1:])]
    title = f"Lịch sử báo cáo của {unit.name_on(day)}" + (
        f" (gồm đơn vị tiền thân: {', '.join(predecessors)})" if predecessors else "")
    table(title, ["Kỳ", "Đơn vị", "Hạn nộp", "Tình trạng", "Ngày nhận", "Số văn bản", "Trễ (ngày)",
                  "Trễ (ngày làm việc)", "Gửi thay"],
          [[r["cycle_id"], r["name"], _day(r["deadline"]), r["status_label"], _day(r["received_on"]),
            r["doc_number"], _int(r["days_late"]), _int(r["working_days_late"]), r["sender_name"]]
           for r in map(_plain, history.to_dict("records"))])
    counts = history["status"].value_counts()
    console.print("; ".join(f"{label.lower()}: {int(counts[s])}" for s, label in STATUS_LABELS.items() if s in counts)
                  or "Đơn vị chưa thuộc kỳ báo cáo nào.")


def _plain(record: dict, iso: bool = False) -> dict:
    """A DataFrame record with None for missing values and plain Python values (ISO dates if ``iso``)."""
    out = {}
    for k, v in record.items():
        if v is None or pd.isna(v):
            v = None
        elif iso and isinstance(v, (date, datetime)):
            v = v.isoformat()
        elif hasattr(v, "item"):
            v = v.item()
        out[k] = v
    return out


def register(app: typer.Typer) -> None:
    for command in (template, submit, record, inbox, pull, status, submissions):
        app.command(command.__name__)(command)
