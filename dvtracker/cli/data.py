"""dvtracker data check|schema: the collector's data folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer

from dvtracker.cli.common import JSON_OPTION, console, get_app, print_json, table
from services import data as service

data_app = typer.Typer(help="Thư mục dữ liệu của đơn vị thu thập (danh mục, lịch báo cáo, chỉ tiêu).",
                       no_args_is_help=True)


@data_app.command("check")
def check(folder: Path = typer.Argument(None, help="Thư mục dữ liệu (mặc định: DVTRACKER_DATA_DIR)."),
          as_json: bool = JSON_OPTION) -> None:
    """Liệt kê mọi lỗi của thư mục dữ liệu, với tệp, dòng và trường. Mã thoát 2 nếu có lỗi."""
    app = get_app()
    where = folder or app.settings.data_dir
    problems = service.check(app, folder)
    if as_json:
        print_json(dict(folder=str(where), problems=[p.to_dict() for p in problems]))
    elif problems:
        table(f"Thư mục dữ liệu {where}: {len(problems)} lỗi", ["Tệp", "Dòng", "Trường", "Lỗi"],
              [[p.file, p.line or "", p.field or "", p.message] for p in problems])
    else:
        console.print(f"Thư mục dữ liệu {where} hợp lệ.")
    if problems:
        raise typer.Exit(2)


@data_app.command("schema")
def schema(output: Path = typer.Option(None, "--output", "-o", help="Tệp JSON sẽ ghi (mặc định: in ra).")) -> None:
    """Lược đồ JSON (JSON Schema) của calendar.yaml và của một dòng roster/units.csv."""
    text = json.dumps(service.schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"Đã ghi {output}")
    else:
        typer.echo(text, nl=False)


@data_app.command("communes")
def communes(province: int = typer.Option(..., "--province", help="Mã tỉnh, thành phố (từ 01/07/2025), ví dụ 22: Quảng Ninh."),
             group: str = typer.Option("commune", "--group", help="Mã nhóm của các xã, phường trong calendar.yaml."),
             as_json: bool = JSON_OPTION) -> None:
    """Các xã, phường, đặc khu của một tỉnh với mã chính thức, theo định dạng roster/units.csv
    (sinh từ gói vietnam-provinces: pip install 'dvtracker[communes]')."""
    name, rows = service.communes(province, group)
    if as_json:
        print_json(dict(province=name, communes=rows))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    typer.echo(buffer.getvalue(), nl=False)
    typer.echo(f"{name}: {len(rows)} xã, phường, đặc khu.", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
