"""Who has reported, as files coordinators open: Excel (units, summary, cycle) and CSV (UTF-8 with
BOM, so that Excel shows the Vietnamese letters)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from models.errors import UserError
from models.status import StatusReport
from tasks import outputs
from tasks.tracking import cycle_status
from wiring.app import App

UNIT_HEADERS = {
    "code": "Mã", "name": "Đơn vị", "group_label": "Nhóm", "status_label": "Tình trạng", "received_on": "Ngày nhận",
    "doc_number": "Số văn bản", "version": "Phiên bản hiện hành", "versions": "Số lần gửi",
    "sender_name": "Đơn vị gửi thay", "days_late": "Số ngày trễ", "working_days_late": "Số ngày làm việc trễ",
    "exempt_reason": "Lý do miễn",
}
GROUP_HEADERS = {
    "group_label": "Nhóm", "expected": "Phải báo cáo", "actual": "Đã báo cáo", "on_time": "Đúng hạn", "late": "Muộn",
    "missing": "Chưa báo cáo", "draft_only": "Mới có dự thảo", "not_due": "Chưa đến hạn", "exempted": "Miễn báo cáo",
    "reporting_rate": "Tỷ lệ báo cáo", "on_time_rate": "Tỷ lệ đúng hạn",
}


def unit_table(report: StatusReport) -> pd.DataFrame:
    units = report.units.assign(group_label=report.units["group"].map(report.labels).str.capitalize())
    return units[list(UNIT_HEADERS)].rename(columns=UNIT_HEADERS)


def group_table(report: StatusReport) -> pd.DataFrame:
    groups = report.groups.assign(group_label=report.groups["group_label"].str.capitalize())
    return groups[list(GROUP_HEADERS)].rename(columns=GROUP_HEADERS)


def write_status(report: StatusReport, path: Path) -> Path:
    """Write ``report`` to ``path`` (.xlsx or .csv); returns the path."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UserError(f"Không xuất được ra '{path.name}': cần tệp .xlsx hoặc .csv.")
    path.parent.mkdir(parents=True, exist_ok=True)
    units = unit_table(report)
    if suffix == ".csv":
        units.to_csv(path, index=False, encoding="utf-8-sig")
        return path
    info = pd.DataFrame({"Thông tin": ["Kỳ báo cáo", "Tính đến ngày", "Hạn nộp", "Theo công văn"],
                         "Giá trị": [report.cycle_id, report.as_of, report.deadline, report.deadline_request]})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in (("Đơn vị", units), ("Tổng hợp", group_table(report)), ("Thông tin", info)):
            frame.to_excel(writer, sheet_name=name, index=False)
            _format(writer.sheets[name], frame)
    return path


def export_status(app: App, cycle_id: str, as_of: date, path: Path | None = None) -> Path:
    """The status of ``cycle_id`` on ``as_of`` as a file (default: Excel in the exports folder)."""
    path = path or app.settings.exports_dir / f"tinh-hinh-bao-cao-{cycle_id}-{as_of:%Y%m%d}.xlsx"
    written = write_status(cycle_status(app, cycle_id, as_of), path)
    return outputs.keep(app, written, cycle_id=cycle_id, kind="status")


def _format(ws, frame: pd.DataFrame) -> None:
    for col, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(col)
        values = frame[name].dropna()
        ws.column_dimensions[letter].width = min(60, max(len(str(name)), *(len(str(v)) for v in values), 8) + 2)
        fmt = "0.0%" if name.startswith("Tỷ lệ") else "dd/mm/yyyy" if values.map(
            lambda v: isinstance(v, date)).any() else None
        if fmt:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
    ws.freeze_panes = "A2"


def export_status_files(app: App, report: StatusReport) -> dict[str, Path]:
    """The day's status as Excel and CSV in the exports folder."""
    base = app.settings.exports_dir / report.cycle_id / f"tinh-hinh-{report.as_of:%Y%m%d}"
    files = {"Tình hình báo cáo (Excel)": write_status(report, base.with_suffix(".xlsx")),
             "Tình hình báo cáo (CSV)": write_status(report, base.with_suffix(".csv"))}
    return {label: outputs.keep(app, path, cycle_id=report.cycle_id, kind="status") for label, path in files.items()}
