"""The Excel annex of a compilation: the totals, one sheet per group (every unit's status, dates
and figures, then the totals and coverage rows), the rankings, last year's comparison and the
findings. A figure a unit did not report is an empty cell, never a 0.

Laid out for a drafter who prints it: Vietnamese words only (the catalogue's labels, never its
ids), numbers in Vietnamese format, the header and the unit's name in view while scrolling,
landscape A4 fitted to the width with the header repeated on every page, groups and units in
the official order (the roster's, as ``comp.units`` and ``comp.status.labels`` come)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from models.catalogue import Indicator
from models.checks import SEVERITIES, Finding, kind_label
from models.compilation import OVERALL, Compilation, coverage, figure_grid, indicator_title
from models.groups import heading
from tasks.sheets import DATE_FORMAT, DECIMAL, INTEGER, PERCENT, SHARE, print_layout, write_only_value

TOTAL_ROW, COVERAGE_ROW = "Tổng cộng", "Số đơn vị có số liệu"
UNIT_COLUMNS = {"order": "TT", "name": "Đơn vị", "code": "Mã", "status_label": "Trạng thái",
                "received_on": "Ngày nhận", "doc_number": "Số văn bản", "doc_date": "Ngày văn bản", "version": "Bản",
                "data_until": "Số liệu đến ngày"}
# The documents' font (Nghị định 30/2020/NĐ-CP), set on every cell: a bold cell without a font
# name would be shown in another font than the others.
PLAIN, BOLD = Font(name="Times New Roman", size=11), Font(name="Times New Roman", size=11, bold=True)
TOP, WRAP = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
RIGHT = Alignment(vertical="top", horizontal="right")  # "3/9" units, under or beside the figure they count
COUNT = re.compile(r"\d+/\d+")
HEADER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CHARS_PER_WIDTH = 1.15  # Times New Roman's letters per unit of column width (the width of a "0")
LINE_HEIGHT = 15  # points, one line of the default 11-point font
HEADER_WIDTH = 10  # a header wraps: longer headers make taller rows, not wider columns
MAX_WIDTH = {"Đơn vị": 40, "Đơn vị năm trước": 40, "Chỉ tiêu": 50, "Nội dung": 70}


@dataclass
class _Sheet:
    title: str
    frame: pd.DataFrame
    frozen: str  # the column that stays in view with the header: the unit's name, the indicator's
    # A column's number format, or one per row (sheets with one indicator per row).
    formats: dict[str, str | list[str]] = field(default_factory=dict)
    bold_rows: int = 0  # the last rows (totals, coverage) in bold


def indicator_column(comp: Compilation, indicator_id: str) -> str:
    return indicator_title(comp.indicator(indicator_id))


def is_percent(ind: Indicator) -> bool:
    """A figure that is itself a percentage (the catalogue's unit "%"): 24.5087 means 24,5087%."""
    return ind.unit == "%"


def shown(ind: Indicator, values):
    """``values`` of ``ind`` as a cell holds them: a percentage as the fraction it is (24.5087 →
    0.245087), exact, which the percent format shows as "24,51%"; any other figure as it is."""
    return values / 100 if is_percent(ind) else values


def number_format(ind: Indicator, values: Iterable) -> str:
    """The format of ``ind``'s cells: a percentage with two decimals (as the draft writes it), a
    figure with decimals (scores) with two, whole numbers with thousands separators."""
    if is_percent(ind):
        return PERCENT
    given = [float(v) for v in values if isinstance(v, int | float) and not pd.isna(v)]
    return DECIMAL if any(v != round(v) for v in given) else INTEGER


def write_annex(path: Path, comp: Compilation, findings: list[Finding]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written row by row (openpyxl's write-only mode): a province's thousands of communes would
    # otherwise keep every cell of every sheet in memory at once.
    book = Workbook(write_only=True)
    caption = f"{comp.stream.report_title} {comp.cycle.label}"
    styles: dict[tuple, StyleArray] = {}
    for sheet in _sheets(comp, findings):  # one sheet's frame at a time: each is dropped once written
        _write_sheet(book, sheet, caption, styles)
    book.save(path)
    return path


def _sheets(comp: Compilation, findings: list[Finding]) -> Iterator[_Sheet]:
    yield _reporting(comp)
    yield _totals(comp)
    for group, label in comp.status.labels.items():
        if group != OVERALL:
            yield _group_sheet(comp, group, label)
    yield _rankings(comp)
    if comp.previous is not None:
        yield _comparison(comp)
    yield _findings(comp, findings)


def _reporting(comp: Compilation) -> _Sheet:
    g = comp.status.groups
    counts = {"Phải báo cáo": g["expected"], "Đã báo cáo": g["actual"], "Đúng hạn": g["on_time"], "Muộn": g["late"],
              "Chưa báo cáo": g["missing"] + g["not_due"], "Mới có dự thảo": g["draft_only"],
              "Miễn báo cáo": g["exempted"]}
    frame = pd.DataFrame({"Nhóm": [heading(comp.status.labels.get(x, x)) for x in g["group"]], **counts,
                          # The exact share (the status rounds it to 4 decimals); the format rounds it.
                          "Tỷ lệ báo cáo": (g["actual"] / g["expected"]).where(g["expected"] > 0)})
    return _Sheet("Tình hình báo cáo", frame, "Nhóm", {**dict.fromkeys(counts, INTEGER), "Tỷ lệ báo cáo": SHARE})


def _totals(comp: Compilation) -> _Sheet:
    t = comp.totals
    ids = list(dict.fromkeys(t["indicator"]))
    inds = [comp.indicator(i) for i in ids]
    out = pd.DataFrame({"Chỉ tiêu": [i.label for i in inds], "Đơn vị tính": [i.unit for i in inds],
                        "Cách tổng hợp": [{"sum": "cộng", "rate": "tỷ lệ tính lại"}[i.aggregation] for i in inds]})
    by = t.set_index(["indicator", "group"])
    value_columns = []

    def add(label: str, values: pd.Series, reported: pd.Series, actual: pd.Series) -> None:
        out[label] = [shown(i, v) if r > 0 and not pd.isna(v) else None
                      for i, v, r in zip(inds, values, reported.fillna(0), strict=True)]
        out[f"{label}: có số liệu"] = [coverage(r, a) for r, a in zip(reported.fillna(0), actual.fillna(0), strict=True)]
        value_columns.append(label)

    for group, words in comp.status.labels.items():
        rows = by.xs(group, level="group").reindex(ids)
        add(heading(words), rows["value"], rows["reported"], rows["actual"])
    if comp.previous is not None:
        rows = by.xs(OVERALL, level="group").reindex(ids)
        add(f"Cùng kỳ {comp.previous.label}", rows["previous_value"], rows["previous_reported"], rows["previous_actual"])
    per_row = [number_format(i, out.loc[n, value_columns]) for n, i in enumerate(inds)]
    return _Sheet("Tổng hợp", out, "Chỉ tiêu", dict.fromkeys(value_columns, per_row))


def _group_sheet(comp: Compilation, group: str, label: str) -> _Sheet:
    units = comp.units[comp.units["group"] == group]  # in the roster's order
    inds = comp.indicators
    figures = figure_grid(comp.values, units["unit_id"].tolist(), [i.id for i in inds])
    sheet = units[list(UNIT_COLUMNS)].rename(columns=UNIT_COLUMNS).reset_index(drop=True)
    sheet["TT"] = range(1, len(sheet) + 1)
    sheet["Bản"] = sheet["Bản"].astype(object).where(units["counted"].to_numpy(), None)
    totals = comp.totals[comp.totals["group"] == group].set_index("indicator")
    total_row: dict[str, object] = {"Đơn vị": TOTAL_ROW}
    coverage_row: dict[str, object] = {"Đơn vị": COVERAGE_ROW}
    formats: dict[str, str | list[str]] = {"Bản": INTEGER}
    for ind in inds:
        col = indicator_column(comp, ind.id)
        sheet[col] = shown(ind, figures[ind.id]).to_numpy()
        if ind.id in totals.index:
            t = totals.loc[ind.id]
            given = t["reported"] and not pd.isna(t["value"])
            total_row[col] = shown(ind, float(t["value"])) if given else None
            coverage_row[col] = coverage(t["reported"], t["actual"])
        else:  # scores, ranks and context are never summed
            coverage_row[col] = coverage(int(sheet[col].notna().sum()), int(units["counted"].sum()))
        formats[col] = number_format(ind, [*sheet[col], total_row.get(col)])
    frame = pd.concat([sheet, pd.DataFrame([total_row, coverage_row])], ignore_index=True)
    return _Sheet(heading(label), frame, "Đơn vị", formats, bold_rows=2)


def _rankings(comp: Compilation) -> _Sheet:
    r = comp.rankings
    inds = [comp.indicator(i) for i in r["indicator"]]
    per_indicator = {i.id: number_format(i, r.loc[r["indicator"] == i.id, "value"]) for i in set(inds)}
    frame = pd.DataFrame({"Chỉ tiêu": [i.label for i in inds], "Thứ tự": r["rank"], "Đơn vị": r["name"],
                          "Giá trị": [shown(i, v) for i, v in zip(inds, r["value"], strict=True)],
                          "Như đơn vị ghi": r["raw"], "Bản": r["version"]})
    return _Sheet("Xếp hạng", frame, "Đơn vị",
                  {"Thứ tự": INTEGER, "Bản": INTEGER, "Giá trị": [per_indicator[i.id] for i in inds]})


def _comparison(comp: Compilation) -> _Sheet:
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
    formats: dict[str, str | list[str]] = {}
    for iid in ids:
        ind, title = comp.indicator(iid), indicator_column(comp, iid)
        pair = {f"{title}: kỳ này": now[iid], f"{title}: cùng kỳ {previous.label}": before[iid]}
        for col, values in pair.items():
            sheet[col] = shown(ind, values).to_numpy()
        formats.update(dict.fromkeys(pair, number_format(ind, [*now[iid], *before[iid]])))
    return _Sheet("Cùng kỳ năm trước", sheet, "Đơn vị", formats)


def _findings(comp: Compilation, findings: list[Finding]) -> _Sheet:
    known = {i.id for i in comp.indicators}
    frame = pd.DataFrame({
        "TT": range(1, len(findings) + 1),
        "Đơn vị": [f.unit_name for f in findings],
        "Mức độ": [SEVERITIES[f.severity] for f in findings],
        "Loại": [kind_label(f.kind) for f in findings],
        "Chỉ tiêu": [comp.indicator(f.indicator).label if f.indicator in known else f.indicator for f in findings],
        "Bản": [f.version for f in findings],
        "Mục": [f.section for f in findings],
        "Nội dung": [f.message for f in findings],
    })
    return _Sheet("Cần kiểm tra", frame, "Đơn vị", {"Bản": INTEGER})


def _write_sheet(book: Workbook, sheet: _Sheet, caption: str, styles: dict[tuple, StyleArray]) -> None:
    """``sheet`` as a worksheet: a bold wrapped header, columns as wide as their content, numbers
    and dates in their formats, an empty cell (never 0) where a value is missing; then the print
    layout (``print_layout``) with the header and the ``frozen`` column in view."""
    names, length = list(sheet.frame.columns), len(sheet.frame)
    columns = [_cells(sheet.frame[c]) for c in names]
    sheet.frame = pd.DataFrame()  # dropped: its columns as plain values are all that is written
    ws = book.create_sheet(sheet.title)
    widths, wraps = [], []
    for n, (name, values) in enumerate(zip(names, columns, strict=True), 1):
        width, wrap = _width(str(name), values)
        ws.column_dimensions[get_column_letter(n)].width = width
        widths.append(width)
        wraps.append(wrap)
    frozen = names.index(sheet.frozen) + 2
    print_layout(ws, header_rows=1, freeze=f"{get_column_letter(frozen)}2",
                 caption=f"Phụ lục: {sheet.title} – {caption}")
    ws.print_title_cols = f"A:{get_column_letter(frozen - 1)}"  # should it be printed more pages wide
    header = []
    for name in names:
        cell = WriteOnlyCell(ws, value=str(name))
        cell.font, cell.alignment = BOLD, HEADER
        header.append(cell)
    _fit_height(ws, 1, [str(c) for c in names], [w * 0.9 for w in widths])  # bold is wider
    ws.append(header)
    formats = [sheet.formats.get(c) for c in names]
    first_bold = length - sheet.bold_rows
    for r, row in enumerate(zip(*columns, strict=True)):
        _fit_height(ws, r + 2, [v if wrap and isinstance(v, str) else "" for v, wrap in zip(row, wraps, strict=True)],
                    widths)
        ws.append([_cell(ws, v, f[r] if isinstance(f, list) else f, wrap, r >= first_bold, styles)
                   for v, f, wrap in zip(row, formats, wraps, strict=True)])


def _fit_height(ws, row: int, texts: list[str], widths: list[float]) -> None:
    """Make ``row`` tall enough for its wrapped ``texts``: LibreOffice keeps the default height of
    a row the file gives none, and a wrapped text would spill over the next rows when printed."""
    lines = max((len(textwrap.wrap(t, max(int(w * CHARS_PER_WIDTH) - 2, 4))) for t, w in zip(texts, widths, strict=True) if t),
                default=1)
    if lines > 1:
        ws.row_dimensions[row].height = LINE_HEIGHT * lines


def _cell(ws, value, number_format: str | None, wrap: bool, bold: bool, styles: dict[tuple, StyleArray]):
    """A body cell: in the annex's font, at the top of its row, numbers and dates in their formats.
    ``styles``: the workbook's style of each combination met so far, set once through openpyxl (which
    looks each font, alignment and format up in the workbook's lists) and then copied."""
    if value is None:
        return None
    cell = write_only_value(ws, value)
    if not isinstance(cell, Cell):  # a text starting with "=" comes back as a text cell already
        cell = WriteOnlyCell(ws, value=cell)
    fmt = None
    if isinstance(value, date):
        fmt = DATE_FORMAT
    elif isinstance(value, int | float) and not isinstance(value, bool):
        fmt = number_format or (INTEGER if float(value) == round(value) else DECIMAL)
    align = "wrap" if wrap else "right" if isinstance(value, str) and COUNT.fullmatch(value) else "top"
    key = (fmt, bold, align)
    style = styles.get(key)
    if style is not None:
        cell._style = StyleArray(style)
        return cell
    if fmt is not None:
        cell.number_format = fmt
    cell.font = BOLD if bold else PLAIN
    cell.alignment = {"wrap": WRAP, "right": RIGHT, "top": TOP}[align]
    styles[key] = StyleArray(cell._style)
    return cell


def _width(header: str, values: list) -> tuple[float, bool]:
    """A column's width in characters (the longest word of its header, the header up to
    ``HEADER_WIDTH``, the widest of its first values), and whether its texts wrap (wider than the
    column's most)."""
    most = MAX_WIDTH.get(header, 30)
    sample = [v for v in values[:500] if v is not None]
    texts = [len(str(v)) for v in sample if isinstance(v, str)]
    numbers = [len(f"{abs(float(v)):,.2f}") for v in sample if isinstance(v, int | float)]
    dates = [10 for v in sample if isinstance(v, date)]
    words = max((len(w) for w in header.split()), default=0)
    content = max([*texts, *numbers, *dates], default=0)
    width = max(words, min(len(header), HEADER_WIDTH), min(content, most), 4) + 2
    return width, content > most


def _cells(series: pd.Series) -> list:
    """A column as plain Python values, None where missing."""
    values = series.to_numpy(dtype=object)
    return [None if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else
            v.item() if isinstance(v, np.generic) else v for v in values]
