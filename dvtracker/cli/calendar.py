"""dvtracker calendar day|add|deadline: the working-day engine, by hand."""

from __future__ import annotations

import typer

from dvtracker.cli.common import JSON_OPTION, console, fmt_date, get_app, print_json, to_date
from models.deadlines import derive_deadline
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


@calendar_app.command("add")
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
             roll_forward: bool = typer.Option(True, "--roll-forward/--no-roll-forward"),
             as_json: bool = JSON_OPTION) -> None:
    """Ngày cuối cùng được nộp theo một câu thời hạn."""
    d = derive_deadline(wording, to_date(issued, "--issued"), get_app().calendar, roll_forward=roll_forward)
    if as_json:
        print_json(dict(wording=d.wording, last_day=d.last_day.isoformat(), rule=d.rule, rule_code=d.rule_code,
                        rolled_forward=d.rolled_forward))
        return
    console.print(f"Ngày cuối cùng được nộp: {WEEKDAYS[d.last_day.weekday()]} {fmt_date(d.last_day)} ({d.rule}).")


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")
