"""dvtracker init / cycles / cycle open|show|request|exempt|close."""

from __future__ import annotations

from datetime import date

import typer
from rich.markup import escape

from dvtracker.cli.common import JSON_OPTION, actor, console, fmt_date, get_app, print_json, table, to_date
from models.cycles import REQUEST_KINDS
from models.errors import UserError
from models.streams import CYCLE_KINDS
from services import cycles as service
from services.cycles import Exemption, NewRequest, OpenCycle
from wiring.app import init_database
from wiring.settings import get_settings

cycle_app = typer.Typer(help="Mở, xem và điều chỉnh một kỳ báo cáo.", no_args_is_help=True)


def init() -> None:
    """Tạo/cập nhật cơ sở dữ liệu và nạp danh mục đơn vị từ data/ (chạy nhiều lần, nhiều máy cùng lúc đều an toàn)."""
    settings = get_settings()
    with actor():
        result = init_database(settings)
    app = get_app()
    console.print(f"Cơ sở dữ liệu sẵn sàng: {result.database}"
                  + (" (đã cập nhật cấu trúc)" if result.migrated else ""))
    console.print(f"Danh mục: {result.units} đơn vị" + (" (đã cập nhật)" if result.roster_synced else "")
                  + f"; luồng báo cáo: {', '.join(app.config.streams)}")


def cycles(as_json: bool = JSON_OPTION) -> None:
    """Danh sách các kỳ báo cáo."""
    data = service.list_cycles(get_app())
    if as_json:
        print_json(data)
        return
    table("Các kỳ báo cáo", ["Mã kỳ", "Luồng", "Kỳ", "Hạn nộp", "Theo công văn", "Phải báo cáo", "Trạng thái"],
          [[c["id"], c["stream"], c["label"], fmt_date(date.fromisoformat(c["deadline"])) if c["deadline"] else "",
            c["deadline_request"], c["expected_count"], "đang mở" if c["status"] == "open" else "đã đóng"]
           for c in data])


def _parse_shares(items: list[str]) -> dict[str, float]:
    """``central=0.3`` or ``provincial=80%`` -> {group: share}; the service checks the groups and the range."""
    shares = {}
    for item in items:
        group, sep, value = item.partition("=")
        text = value.strip().replace(",", ".")
        try:
            share = float(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
        except ValueError:
            raise UserError(f"--quorum-share '{item}' không hợp lệ (cần dạng central=0.3 hoặc provincial=80%).") from None
        if not sep or not group:
            raise UserError(f"--quorum-share '{item}' không hợp lệ (cần dạng central=0.3 hoặc provincial=80%).")
        shares[group.strip()] = share
    return shares


@cycle_app.command("open")
def cycle_open(
    stream: str = typer.Option(..., "--stream", help="Luồng báo cáo, ví dụ danvan hoặc qcdc."),
    kind: str = typer.Option(..., "--kind", help=f"Loại kỳ: {', '.join(CYCLE_KINDS)}."),
    year: int = typer.Option(..., "--year", help="Năm của kỳ báo cáo."),
    request: str = typer.Option(..., "--request", help="Số công văn đề nghị báo cáo, ví dụ 2748/BNV-CTTN."),
    issued: str = typer.Option(..., "--issued", help="Ngày ban hành công văn."),
    deadline: str = typer.Option(None, "--deadline", help="Thời hạn như công văn ghi, hoặc một ngày."),
    received: str = typer.Option(None, "--received", help="Ngày đơn vị nhận công văn (khi hạn tính từ ngày nhận "
                                                          "được văn bản; mặc định: ngày ban hành cộng số ngày "
                                                          "chuyển văn bản của luồng)."),
    subject: str = typer.Option("", "--subject", help="Trích yếu công văn."),
    name: str = typer.Option(None, "--name", help="Tên ngắn của kỳ chuyên đề (adhoc)."),
    label: str = typer.Option(None, "--label", help="Tên kỳ, ví dụ 'năm 2023'."),
    window_start: str = typer.Option(None, "--window-start", help="Đầu thời gian chốt số liệu."),
    window_end: str = typer.Option(None, "--window-end", help="Cuối thời gian chốt số liệu."),
    reference_date: str = typer.Option(None, "--reference-date", help="Ngày chốt danh sách đơn vị (mặc định: cuối kỳ)."),
    roll_forward: bool = typer.Option(True, "--roll-forward/--no-roll-forward",
                                      help="Hạn rơi vào ngày nghỉ thì lùi sang ngày làm việc tiếp theo."),
    quorum_share: list[str] = typer.Option([], "--quorum-share", help="Tỷ lệ tối thiểu mỗi nhóm, ví dụ provincial=0.8."),
    quorum_require: list[str] = typer.Option([], "--quorum-require", help="Đơn vị bắt buộc đã báo cáo (mã hoặc tên)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Mở một kỳ báo cáo từ công văn đề nghị báo cáo."""
    spec = OpenCycle.of(
        stream=stream, kind=kind, year=year, request=request, issued=to_date(issued, "--issued"), deadline=deadline,
        received=to_date(received, "--received"), subject=subject, name=name, label=label,
        window_start=to_date(window_start, "--window-start"),
        window_end=to_date(window_end, "--window-end"), reference_date=to_date(reference_date, "--reference-date"),
        roll_forward=roll_forward, quorum_shares=_parse_shares(quorum_share) if quorum_share else None,
        quorum_required=quorum_require or None)
    with actor():
        data = service.open_cycle(get_app(), spec)
    if as_json:
        print_json(data)
        return
    _print_cycle(data, f"Đã mở kỳ {data['id']}")


@cycle_app.command("show")
def cycle_show(cycle_id: str = typer.Argument(..., help="Mã kỳ."), as_json: bool = JSON_OPTION) -> None:
    """Một kỳ: công văn, các mốc thời gian và danh sách đơn vị phải báo cáo."""
    data = service.show_cycle(get_app(), cycle_id)
    if as_json:
        print_json(data)
        return
    _print_cycle(data, f"Kỳ {data['id']}")


@cycle_app.command("request")
def cycle_request(
    cycle_id: str = typer.Argument(..., help="Mã kỳ."),
    number: str = typer.Option(..., "--number", help="Số công văn, ví dụ 3001/BNV-CTTN."),
    issued: str = typer.Option(..., "--issued", help="Ngày ban hành."),
    kind: str = typer.Option("reminder", "--kind", help=f"Loại: {', '.join(REQUEST_KINDS)}."),
    deadline: str = typer.Option(None, "--deadline", help="Thời hạn mới, nếu công văn dời hạn."),
    received: str = typer.Option(None, "--received", help="Ngày đơn vị nhận công văn (khi hạn tính từ ngày nhận "
                                                          "được văn bản)."),
    subject: str = typer.Option("", "--subject", help="Trích yếu."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Thêm công văn vào kỳ (đôn đốc, đề nghị bổ sung); công văn sau có thể dời hạn."""
    spec = NewRequest.of(number=number, issued=to_date(issued, "--issued"), kind=kind, deadline=deadline,
                         received=to_date(received, "--received"), subject=subject)
    with actor():
        data = service.add_request(get_app(), cycle_id, spec)
    if as_json:
        print_json(data)
        return
    _print_cycle(data, f"Đã thêm công văn {number} vào kỳ {cycle_id}")
    if data.get("letter"):
        letter = data["letter"]
        console.print(f"Công văn {number} là bản ban hành của dự thảo đôn đốc ngày "
                      f"{fmt_date(date.fromisoformat(letter['drafted_on']))} ({letter['units']} đơn vị): lần chạy nhắc "
                      "tiếp theo sẽ gửi công văn cho lãnh đạo các đơn vị chưa báo cáo.")


@cycle_app.command("exempt")
def cycle_exempt(
    cycle_id: str = typer.Argument(..., help="Mã kỳ."),
    unit: str = typer.Option(..., "--unit", help="Mã hoặc tên đơn vị."),
    reason: str = typer.Option(..., "--reason", help="Lý do miễn báo cáo."),
    on: str = typer.Option(None, "--on", help="Ngày quyết định miễn (mặc định: hôm nay)."),
) -> None:
    """Miễn báo cáo cho một đơn vị trong một kỳ (đơn vị ra khỏi mẫu số)."""
    spec = Exemption.of(unit=unit, reason=reason, on=to_date(on, "--on"))
    with actor():
        name = service.exempt_unit(get_app(), cycle_id, spec)
    console.print(f"Đã miễn báo cáo cho {name} trong kỳ {cycle_id}: {escape(reason)}")


@cycle_app.command("close")
def cycle_close(cycle_id: str = typer.Argument(..., help="Mã kỳ.")) -> None:
    """Đóng kỳ: không nhận thêm báo cáo, không đôn đốc nữa."""
    with actor():
        service.close_cycle(get_app(), cycle_id)
    console.print(f"Đã đóng kỳ {cycle_id}.")


def _print_cycle(data: dict, title: str) -> None:
    console.print(f"[bold]{title}[/bold]: {data['stream_name']} {escape(data['label'])}")
    console.print(f"Thời gian chốt số liệu: {fmt_date(date.fromisoformat(data['window_start']))} – "
                  f"{fmt_date(date.fromisoformat(data['window_end']))} ({escape(data['window_rule'])}); "
                  f"danh sách đơn vị chốt ngày {fmt_date(date.fromisoformat(data['reference_date']))}")
    if data["deadline"]:
        clause = data["deadline_clause"] or data["deadline_text"]
        console.print(f"Hạn nộp: {fmt_date(date.fromisoformat(data['deadline']))} (theo {data['deadline_request']}: "
                      f"\"{escape(clause)}\"; {escape(data['deadline_rule'])})")
        if data["deadline_basis"]:
            console.print(f"Căn cứ: {escape(data['deadline_basis'])}.")
    if data["addition_deadline"] or data["addition_clause"]:
        day = fmt_date(date.fromisoformat(data["addition_deadline"])) if data["addition_deadline"] else "không ghi"
        console.print(f"Hạn gửi bổ sung: {day} (\"{escape(data['addition_clause'])}\"; "
                      f"{escape(data['addition_rule'])}); không thay hạn nộp.")
    table("Công văn", ["Số", "Ngày", "Nhận", "Loại", "Thời hạn ghi", "Ngày cuối được nộp", "Hạn gửi bổ sung"],
          [[r["number"], fmt_date(date.fromisoformat(r["issued_on"])),
            fmt_date(date.fromisoformat(r["received_on"])) if r["received_on"] else "", REQUEST_KINDS[r["kind"]],
            r["deadline_text"], fmt_date(date.fromisoformat(r["deadline"])) if r["deadline"] else "",
            fmt_date(date.fromisoformat(r["addition_deadline"])) if r["addition_deadline"] else ""]
           for r in data["requests"]])
    groups = get_app().roster.groups
    by_group = {g: sum(1 for u in data["expected_units"] if u["group"] == g and not u["exempt"]) for g in groups}
    exempted = [u for u in data["expected_units"] if u["exempt"]]
    console.print("Phải báo cáo: " + " + ".join(f"{n} {groups[g].label}" for g, n in by_group.items())
                  + (f"; miễn: {', '.join(u['name'] for u in exempted)}" if exempted else ""))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("cycles")(cycles)
    app.add_typer(cycle_app, name="cycle")
