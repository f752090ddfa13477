"""Who has reported, as files coordinators open: Excel (units, summary, cycle) and CSV.

- Excel (``tasks.sheets.write_only_table``, the layout of ``table_sheet``): bold frozen header with a filter, widths, dd/mm/yyyy
  dates, landscape fitted to the page width with the header repeated; the cycle named in
  Vietnamese; every cell a value, never a formula.
- CSV: UTF-8 with BOM (Excel then shows the Vietnamese letters), dates dd/mm/yyyy, every text
  quoted (codes such as "01" are text), each text through ``csv_text``; ``sep=";"`` writes the
  variant that Excel set to Vietnamese (decimal comma) splits into columns
  (``dvtracker status --export f.csv --sep ";"``, docs/intake.md).
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from models import vnformat
from models.errors import UserError
from models.groups import heading
from models.progress import Progress
from models.status import StatusReport, by_urgency, reminded_text
from tasks import outputs, progress_chart
from tasks.sheets import csv_text, frame_rows, write_only_table
from tasks.tracking import cycle_status, cycle_title
from wiring.app import App

UNIT_HEADERS = {
    "code": "Mã", "name": "Đơn vị", "group_label": "Nhóm", "status_label": "Tình trạng", "received_on": "Ngày nhận",
    "doc_number": "Số văn bản", "version": "Phiên bản hiện hành", "versions": "Số lần gửi",
    "sender_name": "Đơn vị gửi thay", "days_late": "Số ngày trễ", "working_days_late": "Số ngày làm việc trễ",
    "reminded": "Đã nhắc", "exempt_reason": "Lý do miễn",
}
GROUP_HEADERS = {
    "group_label": "Nhóm", "units": "Số đơn vị", "expected": "Phải báo cáo",
    "actual": "Đã báo cáo", "on_time": "Đúng hạn", "late": "Muộn",
    "missing": "Chưa báo cáo", "draft_only": "Mới có dự thảo", "not_due": "Chưa đến hạn", "exempted": "Miễn báo cáo",
    "reporting_rate": "Tỷ lệ báo cáo", "on_time_rate": "Tỷ lệ đúng hạn",
}


SUMMARY_LABEL = "Tóm tắt (Markdown)"
CHART_LABEL = "Biểu đồ báo cáo nhận được (PNG)"


def unit_table(report: StatusReport) -> pd.DataFrame:
    """Every unit, in the order people read them (``by_urgency``), with Vietnamese headers."""
    units = by_urgency(report.units)
    units = units.assign(group_label=units["group"].map(report.labels).map(heading),
                         reminded=[reminded_text(s, d) for s, d in zip(units["reminded_stage"], units["reminded_on"],
                                                                        strict=True)])
    return units[list(UNIT_HEADERS)].rename(columns=UNIT_HEADERS).reset_index(drop=True)


def group_table(report: StatusReport) -> pd.DataFrame:
    groups = report.groups.assign(group_label=report.groups["group_label"].map(heading))
    return groups[list(GROUP_HEADERS)].rename(columns=GROUP_HEADERS)


def write_status(report: StatusReport, path: Path, *, title: str | None = None, sep: str = ",",
                 progress: Progress | None = None, units: pd.DataFrame | None = None) -> Path:
    """Write ``report`` to ``path`` (.xlsx or .csv); returns the path. ``title``: the cycle's
    Vietnamese name; ``sep``: the CSV separator ("," or ";"); ``progress``: the workbook gets the
    sheet "Biểu đồ" (reports received per day, with its chart); ``units``: ``unit_table(report)``
    when the caller has it already (the day's Excel and CSV share it)."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UserError(f"Không xuất được ra '{path.name}': cần tệp .xlsx hoặc .csv.")
    if sep not in (",", ";"):
        raise UserError(f"Dấu phân cách '{sep}' không hợp lệ: cần ',' hoặc ';'.")
    path.parent.mkdir(parents=True, exist_ok=True)
    units = unit_table(report) if units is None else units
    if suffix == ".csv":
        cells = units.astype(object).where(units.notna(), None).map(
            lambda v: vnformat.day(v) if isinstance(v, date) else csv_text(v))
        cells.to_csv(path, index=False, encoding="utf-8-sig", sep=sep, quoting=csv.QUOTE_NONNUMERIC)
        return path
    info = pd.DataFrame({"Thông tin": ["Kỳ báo cáo", "Mã kỳ", "Tính đến ngày", "Hạn nộp", "Theo công văn"],
                         "Giá trị": [title or report.cycle_id, report.cycle_id, report.as_of, report.deadline,
                                     report.deadline_request]})
    # Written row by row (openpyxl's write-only mode): the same cells, formats and layout as a
    # sheet laid out by ``table_sheet``, in a third of the time for thousands of units.
    book = Workbook(write_only=True)
    sheets = [("Đơn vị", units), ("Tổng hợp", group_table(report)), ("Thông tin", info)]
    for n, (name, frame) in enumerate(sheets):
        if n == 2 and progress is not None:  # "Biểu đồ" comes before "Thông tin"
            progress_chart.write_only_chart_sheet(book, progress, progress_chart.chart_title(
                progress, title or report.cycle_id, report.as_of))
        write_only_table(book, name, [str(c) for c in frame.columns], frame_rows(frame),
                         percent_columns=("Tỷ lệ báo cáo", "Tỷ lệ đúng hạn"), caption=title or "")
    book.save(path)
    return path


def export_status(app: App, cycle_id: str, as_of: date, path: Path | None = None, *, sep: str = ",") -> Path:
    """The status of ``cycle_id`` on ``as_of`` as a file (default: Excel in the exports folder)."""
    path = path or app.settings.exports_dir / f"tinh-hinh-bao-cao-{cycle_id}-{as_of:%Y%m%d}.xlsx"
    report = cycle_status(app, cycle_id, as_of)
    written = write_status(report, path, title=cycle_title(app, cycle_id), sep=sep,
                           progress=progress_chart.cycle_progress(app, report))
    return outputs.keep(app, written, cycle_id=cycle_id, kind="status")


def status_paths(app: App, report: StatusReport) -> dict[str, Path]:
    """Where the day's status files go: Excel, CSV, the picture (PNG) and the summary (Markdown),
    side by side."""
    base = app.settings.exports_dir / report.cycle_id / f"tinh-hinh-{report.as_of:%Y%m%d}"
    return {"Tình hình báo cáo (Excel)": base.with_suffix(".xlsx"), "Tình hình báo cáo (CSV)": base.with_suffix(".csv"),
            CHART_LABEL: base.with_suffix(".png"), SUMMARY_LABEL: base.with_suffix(".md")}


def export_status_files(app: App, report: StatusReport) -> dict[str, Path]:
    """The day's status as Excel (with the sheet "Biểu đồ") and CSV, and the picture of reports
    received per day as PNG, in the exports folder."""
    paths = status_paths(app, report)
    title = cycle_title(app, report.cycle_id)
    progress = progress_chart.cycle_progress(app, report)
    units = unit_table(report)
    written = {label: outputs.keep(app, write_status(report, paths[label], title=title, progress=progress,
                                                     units=units),
                                   cycle_id=report.cycle_id, kind="status")
               for label in paths if label not in (SUMMARY_LABEL, CHART_LABEL)}
    png = progress_chart.chart_png(progress, progress_chart.chart_title(progress, title, report.as_of))
    written[CHART_LABEL] = outputs.keep(app, paths[CHART_LABEL], png, cycle_id=report.cycle_id, kind="status")
    return written
