"""The Excel annex of a compilation: the totals, one sheet per group (every unit's status, dates
and figures, then the totals and coverage rows), the rankings, last year's comparison and the
findings. A figure a unit did not report is an empty cell, never a 0."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.checks import SEVERITIES, Finding
from models.compilation import OVERALL, Compilation, coverage, figure_grid, indicator_title
from models.groups import heading
from tasks.sheets import write_only_value

TOTAL_ROW, COVERAGE_ROW = "Tổng cộng", "Số đơn vị có số liệu"
UNIT_COLUMNS = {"order": "TT", "code": "Mã", "name": "Đơn vị", "status_label": "Trạng thái",
                "received_on": "Ngày nhận", "doc_number": "Số văn bản", "doc_date": "Ngày văn bản", "version": "Bản",
                "data_until": "Số liệu đến ngày"}


def indicator_column(comp: Compilation, indicator_id: str) -> str:
    return indicator_title(comp.indicator(indicator_id))


def write_annex(path: Path, comp: Compilation, findings: list[Finding]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written row by row (openpyxl's write-only mode): a province's thousands of communes would
    # otherwise keep every cell of every sheet in memory at once.
    book = Workbook(write_only=True)
    _write_sheet(book, "Tình hình báo cáo", _reporting(comp))
    _write_sheet(book, "Tổng hợp", _totals(comp))
    for group, label in comp.status.labels.items():
        if group != OVERALL:
            _write_sheet(book, heading(label), _group_sheet(comp, group))
    _write_sheet(book, "Xếp hạng", _rankings(comp))
    if comp.previous is not None:
        _write_sheet(book, "Cùng kỳ năm trước", _comparison(comp))
    _write_sheet(book, "Cần kiểm tra", _findings(comp, findings))
    book.save(path)
    return path


def _reporting(comp: Compilation) -> pd.DataFrame:
    g = comp.status.groups
    return pd.DataFrame({
        "Nhóm": [comp.status.labels.get(x, x) for x in g["group"]],
        "Phải báo cáo": g["expected"], "Đã báo cáo": g["actual"], "Đúng hạn": g["on_time"], "Muộn": g["late"],
        "Chưa báo cáo": g["missing"] + g["not_due"], "Mới có dự thảo": g["draft_only"], "Miễn báo cáo": g["exempted"],
        "Tỷ lệ báo cáo (%)": (g["reporting_rate"] * 100).round(2),
    })


def _totals(comp: Compilation) -> pd.DataFrame:
    t = comp.totals
    out = pd.DataFrame({"Mã chỉ tiêu": t["indicator"].unique()})
    first = t.drop_duplicates("indicator").set_index("indicator")
    out["Chỉ tiêu"] = out["Mã chỉ tiêu"].map(first["label"])
    out["Đơn vị tính"] = out["Mã chỉ tiêu"].map(first["unit"])
    out["Cách tổng hợp"] = out["Mã chỉ tiêu"].map(first["aggregation"]).map({"sum": "cộng", "rate": "tỷ lệ tính lại"})
    by = t.set_index(["indicator", "group"])
    for group, words in comp.status.labels.items():
        label = heading(words)
        rows = by.xs(group, level="group").reindex(out["Mã chỉ tiêu"])
        out[label] = rows["value"].where(rows["reported"] > 0).round(4).to_numpy()
        out[f"{label}: có số liệu"] = [coverage(r, a) for r, a in zip(rows["reported"], rows["actual"], strict=True)]
    if comp.previous is not None:
        rows = by.xs(OVERALL, level="group").reindex(out["Mã chỉ tiêu"])
        previous = rows["previous_value"].where(rows["previous_reported"] > 0)
        out[f"Cùng kỳ {comp.previous.label}"] = previous.round(4).to_numpy()
        out["Cùng kỳ: có số liệu"] = [coverage(r, a) for r, a in zip(rows["previous_reported"].fillna(0),
                                                                        rows["previous_actual"].fillna(0), strict=True)]
    return out


def _group_sheet(comp: Compilation, group: str) -> pd.DataFrame:
    units = comp.units[comp.units["group"] == group]
    ids = [i.id for i in comp.indicators]
    figures = figure_grid(comp.values, units["unit_id"].tolist(), ids)
    sheet = units[list(UNIT_COLUMNS)].rename(columns=UNIT_COLUMNS).reset_index(drop=True)
    sheet["TT"] = range(1, len(sheet) + 1)
    sheet["Bản"] = sheet["Bản"].astype(object).where(units["counted"].to_numpy(), None)
    for iid in ids:
        sheet[indicator_column(comp, iid)] = figures[iid].to_numpy()
    totals = comp.totals[comp.totals["group"] == group].set_index("indicator")
    total_row: dict[str, object] = {"Đơn vị": TOTAL_ROW}
    coverage_row: dict[str, object] = {"Đơn vị": COVERAGE_ROW}
    for iid in ids:
        col = indicator_column(comp, iid)
        if iid in totals.index:
            t = totals.loc[iid]
            total_row[col] = round(float(t["value"]), 4) if t["reported"] and not pd.isna(t["value"]) else None
            coverage_row[col] = coverage(t["reported"], t["actual"])
        else:  # scores, ranks and context are never summed
            reported = int(sheet[col].notna().sum())
            coverage_row[col] = coverage(reported, int(units["counted"].sum()))
    return pd.concat([sheet, pd.DataFrame([total_row, coverage_row])], ignore_index=True)


def _rankings(comp: Compilation) -> pd.DataFrame:
    r = comp.rankings
    return pd.DataFrame({
        "Chỉ tiêu": [comp.indicator(i).label for i in r["indicator"]], "Thứ tự": r["rank"], "Đơn vị": r["name"],
        "Giá trị": r["value"], "Như đơn vị ghi": r["raw"], "Bản": r["version"]})


def _comparison(comp: Compilation) -> pd.DataFrame:
    """One row per unit: each summed figure of this period beside the same period last year."""
    c, previous = comp.comparison, comp.previous
    assert previous is not None  # only called when last year's cycle exists
    units = comp.units[comp.units["unit_id"].isin(set(c["unit_id"].astype(str)))]
    ids = list(dict.fromkeys(c["indicator"].astype(str)))
    unit_ids = units["unit_id"].tolist()
    now = figure_grid(c.rename(columns={"current": "value"}), unit_ids, ids)
    before = figure_grid(c.rename(columns={"previous": "value"}), unit_ids, ids)
    sheet = pd.DataFrame({"TT": range(1, len(units) + 1), "Đơn vị": units["name"].to_numpy(),
                          "Đơn vị năm trước": units["unit_id"].map(comp.predecessors).to_numpy()})
    for iid in ids:
        title = indicator_column(comp, iid)
        sheet[f"{title}: kỳ này"] = now[iid].to_numpy()
        sheet[f"{title}: cùng kỳ {previous.label}"] = before[iid].to_numpy()
    return sheet


def _findings(comp: Compilation, findings: list[Finding]) -> pd.DataFrame:
    known = {i.id for i in comp.indicators}
    return pd.DataFrame({
        "TT": range(1, len(findings) + 1),
        "Mức độ": [SEVERITIES[f.severity] for f in findings],
        "Loại": [f.kind for f in findings],
        "Đơn vị": [f.unit_name for f in findings],
        "Chỉ tiêu": [comp.indicator(f.indicator).label if f.indicator in known else f.indicator for f in findings],
        "Bản": [f.version for f in findings],
        "Mục": [f.section for f in findings],
        "Nội dung": [f.message for f in findings],
    })


def _write_sheet(book: Workbook, title: str, df: pd.DataFrame) -> None:
    """``df`` as a sheet: a bold header row that stays in view, columns as wide as their first
    rows, dates as dd/mm/yyyy, and an empty cell (never 0) where a value is missing."""
    ws = book.create_sheet(title)
    columns = [_cells(df[c]) for c in df.columns]
    for n, (name, values) in enumerate(zip(df.columns, columns, strict=True), 1):
        width = max((len(str(v)) for v in [name, *values[:199]] if v is not None), default=8)
        ws.column_dimensions[get_column_letter(n)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    header = []
    for name in df.columns:
        cell = WriteOnlyCell(ws, value=str(name))
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    for n, values in enumerate(columns):
        if any(isinstance(v, date) for v in values):
            columns[n] = [_date_cell(ws, v) if isinstance(v, date) else v for v in values]
    for row in zip(*columns, strict=True):
        ws.append([write_only_value(ws, v) for v in row])


def _cells(series: pd.Series) -> list:
    """A column as plain Python values, None where missing."""
    values = series.to_numpy(dtype=object)
    return [None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else
            v.item() if isinstance(v, np.generic) else v for v in values]


def _date_cell(ws, value: date) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "DD/MM/YYYY"
    return cell
