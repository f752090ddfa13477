"""dvtracker units / unit show: the roster on a date."""

from __future__ import annotations

from datetime import date

import typer

from dvtracker.cli.common import JSON_OPTION, fmt_date, get_app, print_json, table, to_date
from models.roster import KINDS, Roster, Unit
from services import tracking

unit_app = typer.Typer(help="Tra cứu một đơn vị.", no_args_is_help=True)


def unit_json(roster: Roster, u: Unit, on: date | None) -> dict:
    return dict(
        id=u.id, code=u.code or u.slug, official_code=u.code, slug=u.slug, name=u.name_on(on),
        kind=u.kind_on(on), group=u.group, official=u.official,
        valid_from=u.valid_from.isoformat() if u.valid_from else None,
        valid_to=u.valid_to.isoformat() if u.valid_to else None,
        successors=roster.successors(u.id), predecessors=roster.predecessors(u.id),
    )


def units(
    on: str = typer.Option(None, "--on", help="Ngày tra cứu (mặc định: hôm nay)."),
    group: str = typer.Option(None, "--group", help="Mã nhóm trong lịch báo cáo (central: bộ, ngành; provincial: địa phương)."),
    all_units: bool = typer.Option(False, "--all", help="Kể cả cơ quan ngoài danh mục chính thức."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Danh sách đơn vị báo cáo còn hiệu lực vào một ngày."""
    app = get_app()
    day = to_date(on, "--on", app.clock.today())
    found = tracking.units_on(app, day, group=group, all_units=all_units)
    roster = app.roster
    if as_json:
        print_json([unit_json(roster, u, day) for u in found])
        return
    counts = " + ".join(f"{sum(u.group == g for u in found)} {w.label}" for g, w in roster.groups.items())
    table(
        f"Đơn vị báo cáo ngày {fmt_date(day)}: {counts}",
        ["Mã", "Tên", "Loại", "Hiệu lực", "Kế thừa bởi"],
        [[u.code or u.slug, u.name_on(day), KINDS.get(u.kind_on(day), u.kind_on(day)),
          f"{fmt_date(u.valid_from)}–{fmt_date(u.valid_to)}", ", ".join(roster.successors(u.id))] for u in found],
    )


@unit_app.command("show")
def unit_show(
    text: str = typer.Argument(..., help="Mã hoặc tên đơn vị."),
    on: str = typer.Option(None, "--on", help="Ngày tra cứu (mặc định: hôm nay)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Một đơn vị vào một ngày: mã, tên, hiệu lực, đơn vị tiền thân và kế thừa."""
    app = get_app()
    day = to_date(on, "--on", app.clock.today())
    roster = app.roster
    u = roster.find(text, day)
    data = unit_json(roster, u, day)
    if as_json:
        print_json(data)
        return
    table(f"{u.name_on(day)} ({u.id})", ["Thuộc tính", "Giá trị"], [[k, v] for k, v in data.items()])


def register(app: typer.Typer) -> None:
    app.command("units")(units)
    app.add_typer(unit_app, name="unit")
