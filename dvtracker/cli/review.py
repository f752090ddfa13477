"""dvtracker review: the figures read in prose reports, accepted, corrected or rejected by a coordinator."""

from __future__ import annotations

import typer
from rich.markup import escape

from dvtracker.cli.common import JSON_OPTION, actor, console, fmt_date, get_app, print_json, table
from models.deadlines import parse_date
from models.errors import UserError
from services import review as service
from services.review import ReviewRequest


def review(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ báo cáo."),
    unit: str = typer.Option(None, "--unit", help="Một đơn vị (mã hoặc tên)."),
    accept_all: bool = typer.Option(False, "--accept-all", help="Chấp nhận đề xuất đầu tiên của mỗi chỉ tiêu chưa "
                                    "xác nhận (không ghi --unit: mọi báo cáo của kỳ đang chờ)."),
    accept: list[int] = typer.Option([], "--accept", help="Chấp nhận đề xuất số N (lặp lại được)."),
    reject: list[int] = typer.Option([], "--reject", help="Loại đề xuất số N (lặp lại được)."),
    set_value: list[str] = typer.Option([], "--set", help="Nhập giá trị của cán bộ: CHỈ_TIÊU=GIÁ_TRỊ, ví dụ "
                                        "civil_service_inspections=21 (lặp lại được)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Số liệu đọc được trong báo cáo dạng văn bản (Word, PDF): xem, chấp nhận, sửa hoặc loại."""
    values = {}
    for item in set_value:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set '{item}' không hợp lệ: cần dạng CHỈ_TIÊU=GIÁ_TRỊ, ví dụ civil_service_inspections=21.")
        values[key.strip()] = value.strip()
    request = ReviewRequest.of(cycle=cycle, unit=unit, accept_all=accept_all, accept=accept, reject=reject,
                               set_values=values)
    with actor():
        reports = service.review(get_app(), request)
    if as_json:
        print_json(reports)
        return
    if not reports:
        console.print(f"Kỳ {escape(cycle)} không có báo cáo nào có số liệu chờ xác nhận.")
        return
    for r in reports:
        state = "số liệu chờ xác nhận" if r["figures_pending"] else "số liệu đã xác nhận"
        title = (f"{r['unit_name']} — {r['doc_number'] or 'chưa có số'}"
                 + (f" ngày {fmt_date(parse_date(r['doc_date']))}" if r["doc_date"] else "")
                 + f" (phiên bản {r['source_version']}, hiện hành {r['current_version']}): {state}")
        table(title, ["Số", "Chỉ tiêu", "Giá trị", "Câu trong báo cáo", "Vị trí", "Tình trạng"],
              [[p["number"], p["label"], p["shown"], p["sentence"] or "(cán bộ nhập)", p["location"] or "",
                p["status_label"] + (f" — {p['decided_by']}" if p["decided_by"] else "")] for p in r["proposals"]])
        if "review" in r:
            new = r["review"]["new_version"]
            console.print(f"Đã ghi {len(r['review']['changes'])} quyết định; "
                          + (f"số liệu lưu thành phiên bản {new}." if new else "số liệu của báo cáo không đổi."),
                          highlight=False)
    pending = sum(r["figures_pending"] for r in reports)
    console.print(f"{len(reports)} báo cáo; còn chờ xác nhận số liệu: {pending}.", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("review")(review)
