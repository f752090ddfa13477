"""dvtracker compile: the national compilation of a cycle (Word draft, Excel annex, summary)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn

from dvtracker.cli.common import JSON_OPTION, actor, console, fmt_date, get_app, print_json, to_date
from models.checks import SEVERITIES
from services import compile as service
from services.compile import CompileRequest

STEPS = 4  # the on_step calls of compile_cycle


def compile_command(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ, ví dụ danvan-2023-annual."),
    as_of: str = typer.Option(None, "--as-of", help="Tổng hợp các báo cáo nhận đến ngày này (mặc định: hôm nay)."),
    out: Path = typer.Option(None, "--out", help="Thư mục ghi kết quả (mặc định: var/exports/<kỳ>/v<N>/)."),
    exemplary: Path = typer.Option(None, "--exemplary",
                                   help="Tệp YAML đơn vị tiêu biểu theo mục (mặc định: var/exports/<kỳ>/draft.yaml)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Tổng hợp báo cáo của một kỳ: dự thảo Word, phụ lục Excel và bản tóm tắt.

    Mỗi lần dữ liệu thay đổi là một bản mới; dữ liệu không đổi thì không tạo bản mới."""
    app = get_app()
    day = to_date(as_of, "--as-of", app.clock.today())
    request = CompileRequest.of(cycle=cycle, as_of=day, out_dir=out, exemplary_file=exemplary)
    with actor(), Progress(TextColumn("{task.description}"), BarColumn(), console=console,
                           disable=as_json or not console.is_terminal, transient=True) as progress:
        task = progress.add_task("Tổng hợp", total=STEPS)

        def on_step(message: str) -> None:
            progress.update(task, description=message, advance=1)

        result = service.compile_cycle(app, request, on_step=on_step)
    if as_json:
        print_json(result.to_dict())
        return
    if result.created:
        console.print(f"[bold]Đã tạo bản tổng hợp số {result.version}[/bold] của kỳ {cycle} "
                      f"(báo cáo nhận đến ngày {fmt_date(day)}).")
    else:
        console.print(f"Dữ liệu không thay đổi từ bản số {result.version} (ngày {fmt_date(result.as_of)}): "
                      "không tạo bản mới.")
    for kind, path in result.files.items():
        console.print(f"  {kind}: {path}")
    console.print("Chú thích về các đơn vị đã báo cáo:")
    for line in result.footnote.splitlines():
        console.print(f"  {line}", markup=False)
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITIES}
    detail = ", ".join(f"{n} {SEVERITIES[s].lower()}" for s, n in counts.items() if n)
    console.print(f"Cần kiểm tra: {len(result.findings)} điểm" + (f" ({detail})" if detail else "") + ".")
    if result.created and result.changes:
        console.print(f"Thay đổi so với bản {result.changes['previous_version']}: "
                      f"{len(result.changes['units_added'])} đơn vị mới báo cáo, "
                      f"{len(result.changes['overall_changed'])} chỉ tiêu thay đổi.")
    if exemplary is None:
        console.print(f"Đơn vị tiêu biểu theo mục: sửa tệp {service.draft_file(app, cycle)} rồi tổng hợp lại.")


def register(app: typer.Typer) -> None:
    app.command("compile")(compile_command)
