"""dvtracker calendar day|add|deadline: the working-day engine, by hand."""

from __future__ import annotations

import typer
from rich.markup import escape

from dvtracker.cli.common import JSON_OPTION, console, fmt_date, get_app, print_json, to_date
from models.deadlines import derive_deadline
from models.errors import UserError
from models.streams import CYCLE_KINDS
from models.vnformat import WEEKDAYS

calendar_app = typer.Typer(help="Ngày làm việc và thời hạn.", no_args_is_help=True)


@calendar_app.command("day")
def day(when: str = typer.Argument(..., help="Ngày cần xem."), as_json: bool = JSON_OPTION) -> None:
    """Một ngày có phải ngày làm việc không, và vì sao."""
    d = to_date(when, "ngày")
    cal = get_app().calendar
    reason, worked = cal.day_off_reason(d), cal.worked_reason(d)
    if as_json:
        print_json(dict(date=d.isoformat(), working_day=reason is None, day_off_reason=reason, worked_reason=worked))
        return
    weekday = WEEKDAYS[d.weekday()]
    if reason:
        console.print(f"{weekday} {fmt_date(d)}: ngày nghỉ ({reason}).")
    else:
        console.print(f"{weekday} {fmt_date(d)}: ngày làm việc" + (f" ({worked})." if worked else "."))


# "calendar add 2026-11-27 -5": a negative count is an argument, not an unknown option; a
# misspelt option still fails (it is then read as the count, or as an extra argument).
@calendar_app.command("add", context_settings={"ignore_unknown_options": True})
def add(start: str = typer.Argument(..., help="Ngày bắt đầu."),
        n: int = typer.Argument(..., help="Số ngày làm việc (âm: lùi về trước)."),
        as_json: bool = JSON_OPTION) -> None:
    """Ngày làm việc thứ n sau (hoặc trước) một ngày."""
    d = to_date(start, "ngày")
    result = get_app().calendar.add_working_days(d, n)
    if as_json:
        print_json(dict(start=d.isoformat(), working_days=n, result=result.isoformat()))
        return
    console.print(f"{abs(n)} ngày làm việc {'sau' if n >= 0 else 'trước'} {fmt_date(d)}: "
                  f"{WEEKDAYS[result.weekday()]} {fmt_date(result)}")


@calendar_app.command("deadline")
def deadline(wording: str = typer.Argument(..., help="Thời hạn như công văn ghi."),
             issued: str = typer.Option(..., "--issued", help="Ngày ban hành công văn."),
             kind: str = typer.Option(None, "--kind", help=f"Loại kỳ, khi câu thời hạn ghi riêng từng loại báo cáo: "
                                                           f"{', '.join(CYCLE_KINDS)}."),
             received: str = typer.Option(None, "--received", help="Ngày đơn vị nhận công văn (khi hạn tính từ "
                                                                   "ngày nhận được văn bản)."),
             stream: str = typer.Option(None, "--stream", help="Luồng báo cáo: số ngày chuyển văn bản của luồng "
                                                               "dùng khi không có --received."),
             roll_forward: bool = typer.Option(True, "--roll-forward/--no-roll-forward"),
             as_json: bool = JSON_OPTION) -> None:
    """Ngày cuối cùng được nộp theo một câu thời hạn, và hạn gửi bổ sung nếu công văn có."""
    if kind is not None and kind not in CYCLE_KINDS:
        raise UserError(f"--kind '{kind}' không hợp lệ (cần: {', '.join(CYCLE_KINDS)}).")
    app = get_app()
    delivery_days = app.config.stream(stream).delivery_days if stream else None
    d = derive_deadline(wording, to_date(issued, "--issued"), app.calendar, roll_forward=roll_forward, kind=kind,
                        received_on=to_date(received, "--received"), delivery_days=delivery_days)
    if as_json:
        print_json(dict(d.as_dict(), kind=kind))
        return
    console.print(f"Ngày cuối cùng được nộp: {WEEKDAYS[d.last_day.weekday()]} {fmt_date(d.last_day)} "
                  f"({escape(d.rule)}).")
    if d.clause != d.wording:
        console.print(f"Theo vế: \"{escape(d.clause)}\"")
    console.print(f"Căn cứ: {'; '.join(d.basis)}.")
    if d.addition is not None:
        day = f"{WEEKDAYS[d.addition.last_day.weekday()]} {fmt_date(d.addition.last_day)}" \
            if d.addition.last_day else "không ghi"
        console.print(f"Hạn gửi bổ sung: {day} ({escape(d.addition.rule)}).")


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
