"""dvtracker rollup: a cycle's compilation as this collector's report to the collector above it."""

from __future__ import annotations

from pathlib import Path

import typer

from dvtracker.cli.common import JSON_OPTION, console, fmt_date, get_app, print_json, to_date
from models.errors import UserError
from services import rollup as service
from services.rollup import RollupRequest


def rollup_command(
    cycle: str = typer.Option(..., "--cycle", help="Mã kỳ đã tổng hợp, ví dụ danvan-2025-annual."),
    version: int = typer.Option(None, "--version", help="Bản tổng hợp số N (mặc định: bản mới nhất)."),
    number: str = typer.Option(..., "--number", help="Số và ký hiệu văn bản đã ký, ví dụ 123/BC-SNV."),
    day: str = typer.Option(..., "--date", help="Ngày văn bản, ví dụ 2025-12-15 hoặc 15/12/2025."),
    to_cycle: str = typer.Option(None, "--to-cycle", help="Mã kỳ của cấp trên (mặc định: cùng mã kỳ)."),
    answers: str = typer.Option(None, "--answers", help="Số công văn của cấp trên được trả lời, ví dụ 2748/BNV-CTTN."),
    own: list[str] = typer.Option([], "--set", help="Số liệu của chính đơn vị (điểm, thứ hạng), không cộng từ các "
                                  "đơn vị: CHỈ_TIÊU=GIÁ_TRỊ, ví dụ par_index_score=85,10 (lặp lại được)."),
    to: Path = typer.Option(None, "--to", help="Tệp JSON sẽ ghi (mặc định: var/exports/<kỳ>/v<N>/…-gui-cap-tren.json)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Xuất bản tổng hợp của một kỳ thành báo cáo gửi cấp trên (tệp JSON để cấp trên tiếp nhận bằng
    dvtracker submit): số, ngày văn bản, số liệu tổng hợp và nguồn (kỳ, bản tổng hợp, mã SHA-256 của dự thảo)."""
    app = get_app()
    figures = {}
    for item in own:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UserError(f"--set '{item}' không hợp lệ: cần dạng CHỈ_TIÊU=GIÁ_TRỊ, ví dụ par_index_score=85,10.")
        figures[key.strip()] = value.strip()
    request = RollupRequest.of(cycle=cycle, version=version, number=number, doc_date=to_date(day, "--date"),
                               to_cycle=to_cycle, answers=answers, out=to, own=figures)
    result = service.rollup(app, request)
    if as_json:
        print_json(result.to_dict())
        return
    report = result.report
    console.print(f"[bold]Đã xuất báo cáo {report['number']} ngày {fmt_date(request.doc_date)}[/bold] của đơn vị "
                  f"'{report['unit']}' gửi kỳ {report['cycle']} của cấp trên, từ bản tổng hợp số {result.version} "
                  f"(báo cáo nhận đến ngày {fmt_date(result.as_of)}): {len(report['indicators'])} chỉ tiêu.",
                  highlight=False)
    console.print(f"  {result.path}", markup=False)
    console.print(f"Cấp trên tiếp nhận: dvtracker submit {result.path.name}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("rollup")(rollup_command)
