"""dvtracker outputs: the files the tool wrote for people (compilations, status exports, outbox
messages, letters), listed and fetched from the database on any machine."""

from __future__ import annotations

from pathlib import Path

import typer

from dvtracker.cli.common import JSON_OPTION, console, get_app, print_json, table
from models import vnformat
from services import outputs as service
from services.outputs import OutputsRequest
from wiring.settings import get_settings

outputs_app = typer.Typer(help="Các tệp đã tạo (bản tổng hợp, tình hình báo cáo, thư nhắc, công văn), lấy từ cơ sở "
                               "dữ liệu trên bất kỳ máy nào.", no_args_is_help=True)

CYCLE = typer.Option(..., "--cycle", help="Mã kỳ báo cáo.")
VERSION = typer.Option(None, "--version", help="Chỉ các tệp của bản tổng hợp số N.")
KIND = typer.Option(None, "--kind", help="Chỉ một loại: " + ", ".join(service.KINDS) + ".")


@outputs_app.command("list")
def list_command(cycle: str = CYCLE, version: int = VERSION, kind: str = KIND, as_json: bool = JSON_OPTION) -> None:
    """Liệt kê các tệp đã tạo của một kỳ."""
    found = service.listing(get_app(), OutputsRequest.of(cycle=cycle, version=version, kind=kind))
    if as_json:
        print_json([o.to_dict() for o in found])
        return
    if not found:
        console.print(f"Kỳ {cycle} chưa có tệp nào được ghi nhận.")
        return
    table(f"Các tệp đã tạo của kỳ {cycle}", ["Loại", "Bản", "Tệp", "Dung lượng", "Tạo lúc"],
          [[o.kind, o.version or "", o.name, f"{vnformat.count(o.size)} byte", vnformat.moment(o.created_at)]
           for o in found])


@outputs_app.command("get")
def get_command(cycle: str = CYCLE, version: int = VERSION, kind: str = KIND,
                out: Path = typer.Option(..., "-o", "--out", help="Thư mục ghi các tệp (giữ nguyên cấu trúc "
                                         "exports/…, outbox/…).")) -> None:
    """Lấy các tệp đã tạo của một kỳ từ cơ sở dữ liệu về thư mục chỉ định."""
    written = service.fetch(get_app(), OutputsRequest.of(cycle=cycle, version=version, kind=kind), out)
    if not written:
        console.print(f"Kỳ {cycle} không có tệp nào phù hợp.")
        return
    console.print(f"Đã ghi {len(written)} tệp vào {out}:")
    for path in written:
        console.print(f"  {path}", markup=False)


files_app = typer.Typer(help="Máy chủ tệp chỉ đọc trên máy này (127.0.0.1): mở các tệp đã xuất từ trình duyệt.",
                        no_args_is_help=True)


@files_app.command("serve")
def files_serve() -> None:
    """Phục vụ thư mục tệp đã xuất (chỉ đọc, chỉ trên 127.0.0.1) cho đến khi nhấn Ctrl+C;
    `dvtracker serve` cũng tự khởi động máy chủ này."""
    settings = get_settings()
    try:
        service.serve_files(settings, lambda: console.print(
            f"Các tệp đã xuất ({settings.exports_dir}) ở {settings.files_url}/ — nhấn Ctrl+C để dừng.", markup=False))
    except KeyboardInterrupt:
        console.print("Đã dừng máy chủ tệp.")


def register(app: typer.Typer) -> None:
    app.add_typer(outputs_app, name="outputs")
    app.add_typer(files_app, name="files")
