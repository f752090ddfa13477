"""The Excel annex of a compilation: the totals, one sheet per group (every unit's status, dates
and figures, then the totals and coverage rows), the rankings, last year's comparison and the
findings. A figure a unit did not report is an empty cell, never a 0."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.checks import SEVERITIES, Finding
from models.compilation import GROUP_LABELS, OVERALL, Compilation, coverage, indicator_title
from models.roster import GROUPS

TOTAL_ROW, COVERAGE_ROW = "Tổng cộng", "Số đơn vị có số liệu"
GROUP_SHEETS = {"central": "Bộ, ngành", "provincial": "Địa phương"}
UNIT_COLUMNS = {"order": "TT", "code": "Mã", "name": "Đơn vị", "status_label": "Trạng thái",
                "received_on": "Ngày nhận", "doc_number": "Số văn bản", "doc_date": "Ngày văn bản", "version": "Bản",
                "data_until": "Số liệu đến ngày"}


def indicator_column(comp: Compilation, indicator_id: str) -> str:
    return indicator_title(comp.indicator(indicator_id))


def write_annex(path: Path, comp: Compilation, findings: list[Finding]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        _reporting(comp).to_excel(writer, sheet_name="Tình hình báo cáo", index=False)
        _totals(comp).to_excel(writer, sheet_name="Tổng hợp", index=False)
        for group, sheet in GROUP_SHEETS.items():
            _group_sheet(comp, group).to_excel(writer, sheet_name=sheet, index=False)
        _rankings(comp).to_excel(writer, sheet_name="Xếp hạng", index=False)
        if comp.previous is not None:
            _comparison(comp).to_excel(writer, sheet_name="Cùng kỳ năm trước", index=False)
        _findings(comp, findings).to_excel(writer, sheet_name="Cần kiểm tra", index=False)
        for ws in writer.book.worksheets:
            _format(ws)
    return path


def _reporting(comp: Compilation) -> pd.DataFrame:
    g = comp.status.groups
    return pd.DataFrame({
        "Nhóm": [GROUP_LABELS.get(x, x) for x in g["group"]],
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
    for group in [*GROUPS, OVERALL]:
        label = GROUP_LABELS[group].capitalize()
        rows = by.xs(group, level="group").reindex(out["Mã chỉ tiêu"])
        out[label] = rows["value"].where(rows["reported"] > 0).round(4).to_numpy()
        out[f"{label}: có số liệu"] = [coverage(r, a) for r, a in zip(rows["reported"], rows["actual"])]
    if comp.previous is not None:
        rows = by.xs(OVERALL, level="group").reindex(out["Mã chỉ tiêu"])
        previous = rows["previous_value"].where(rows["previous_reported"] > 0)
        out[f"Cùng kỳ {comp.previous.label}"] = previous.round(4).to_numpy()
        out["Cùng kỳ: có số liệu"] = [coverage(r, a) for r, a in zip(rows["previous_reported"].fillna(0),
                                                                        rows["previous_actual"].fillna(0))]
    return out


def _group_sheet(comp: Compilation, group: str) -> pd.DataFrame:
    units = comp.units[comp.units["group"] == group]
    ids = [i.id for i in comp.indicators]
    values = comp.values[comp.values["group"] == group]
    wide = values.pivot_table(index="unit_id", columns="indicator", values="value", aggfunc="first") if len(values) \
        else pd.DataFrame()
    sheet = units[list(UNIT_COLUMNS)].rename(columns=UNIT_COLUMNS).reset_index(drop=True)
    sheet["TT"] = range(1, len(sheet) + 1)
    sheet["Bản"] = sheet["Bản"].astype(object).where(units["counted"].to_numpy(), None)
    for iid in ids:
        column = wide[iid] if iid in wide.columns else pd.Series(dtype=float)
        sheet[indicator_column(comp, iid)] = units["unit_id"].map(column).to_numpy()
    totals = comp.totals[comp.totals["group"] == group].set_index("indicator")
    total_row = {"Đơn vị": TOTAL_ROW}
    coverage_row = {"Đơn vị": COVERAGE_ROW}
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
    c = comp.comparison
    return pd.DataFrame({
        "Đơn vị": c["name"], "Chỉ tiêu": [indicator_column(comp, i) for i in c["indicator"]],
        "Kỳ này": c["current"], f"Cùng kỳ {comp.previous.label}": c["previous"], "Đơn vị năm trước": c["predecessors"]})


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


def _format(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), 1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        ws.column_dimensions[get_column_letter(n)].width = min(max(width + 2, 8), 60)
        for c in column[1:]:
            if hasattr(c.value, "year"):
                c.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
