"""What every spreadsheet and CSV file dvtracker writes goes through: values, never formulas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from models.limits import control_character, csv_text, without_controls

__all__ = ["DATE_FORMAT", "DECIMAL", "INTEGER", "PERCENT", "SHARE", "cells_as_values", "csv_text", "frame_rows",
           "print_layout", "write_only_table", "write_only_value"]

# Number formats. An xlsx number format is rendered in the reader's locale: in "#,##0.00" the ","
# stands for the thousands separator and the "." for the decimal one, whatever they are. The
# prefix [$-42A] (Vietnamese, LCID 0x042A) gives the format a language: LibreOffice then shows
# 22.153 and 24,51% on any machine, whatever its own language; Excel takes the separators from
# Windows' regional settings (Vietnamese: the same) and reads the prefix only for names of days
# and months. A percentage is stored as the fraction it is (0.245087 for 24,5087%): the value
# stays exact, the format rounds it for display, and a formula over the cell counts it as a
# percentage (a percent number with a "%" only in the header would be 100 times too big there).
VI = "[$-42A]"
INTEGER = VI + "#,##0"
DECIMAL = VI + "#,##0.00"  # scores: 85,50 and 7,97 in one column, not 85,5 beside 7,97
PERCENT = VI + "0.00%"  # the figures' rates, with the draft's two decimals: 81,67%
SHARE = VI + "0.0%"  # the share of units that reported, as the status lists write it: 30,0%
DATE_FORMAT = "dd/mm/yyyy"


def cells_as_values(worksheet) -> None:
    """Every cell of an openpyxl sheet written by dvtracker holds a value: a text that starts like
    a formula is stored as text, never as a formula that Excel would run. (The inputs refuse such
    texts already; this is the second defence, for whatever else reaches a cell.)"""
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
            elif isinstance(cell.value, str) and control_character(cell.value):
                cell.value = without_controls(cell.value)


def write_only_value(worksheet, value: object) -> object:
    """``cells_as_values`` for a sheet written row by row (openpyxl's write-only mode, where a text
    starting with "=" would be stored as a formula): such a text becomes a cell holding text."""
    if not isinstance(value, str):
        return value
    text = without_controls(value) if control_character(value) else value
    if not text.startswith("="):
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value=text)
    cell.data_type = "s"
    return cell


def print_layout(worksheet, *, header_rows: int = 1, freeze: str = "A2", caption: str = "") -> None:
    """A sheet as a coordinator prints it: landscape A4 fitted to the page width (as many pages
    down as it takes), the ``header_rows`` repeated on every page, the panes frozen at ``freeze``
    (the header above, the columns left of it), ``caption`` at the top of each page and the page
    number at the bottom. Works on sheets written row by row too (set before the first row)."""
    worksheet.freeze_panes = freeze
    worksheet.print_title_rows = f"1:{header_rows}"
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; not on write-only sheets)
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_options.horizontalCentered = True
    worksheet.page_margins.left = worksheet.page_margins.right = 0.4
    if caption:
        worksheet.oddHeader.center.text = caption[:200].replace("&", "&&")
    worksheet.oddFooter.center.text = "Trang &P/&N"


def table_sheet(worksheet, *, max_width: int = 60, date_format: str = DATE_FORMAT,
                percent_columns: tuple[str, ...] = ()) -> None:
    """A sheet whose first row is the header, laid out as a coordinator opens and prints it:
    bold header frozen with an autofilter, columns as wide as their content (at most
    ``max_width``), dates dd/mm/yyyy, landscape A4 fitted to the page width with the header row
    repeated on every page; then every cell made a value (``cells_as_values``)."""
    from datetime import date as _date

    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for cell in worksheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col in worksheet.iter_cols(min_row=1):
        letter = get_column_letter(col[0].column)
        header = str(col[0].value or "")
        width = max([len(header) if len(header) <= 24 else 24, 8,
                     *(len(str(c.value)) for c in col[1:] if c.value is not None)])
        worksheet.column_dimensions[letter].width = min(max_width, width + 2)
        for cell in col[1:]:
            if isinstance(cell.value, _date):
                cell.number_format = date_format
            elif header in percent_columns and isinstance(cell.value, int | float):
                cell.number_format = SHARE
    if worksheet.max_row >= 1 and worksheet.max_column >= 1:
        worksheet.auto_filter.ref = worksheet.dimensions
    print_layout(worksheet)
    cells_as_values(worksheet)


def frame_rows(frame) -> list[list]:
    """The rows of a DataFrame as ``DataFrame.to_excel`` writes its cells: numpy numbers as
    Python's, a missing value as an empty cell (None), dates as they are, anything else as its
    text."""
    import numpy as np
    import pandas as pd

    def value(v: object) -> object:
        kind = type(v)
        if kind is str:
            return v or None  # an empty text is an empty cell
        if kind is float:
            return None if v != v else v
        if kind is int or kind is date:
            return v
        if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)):
            return None
        if pd.api.types.is_bool(v):
            return bool(v)
        if pd.api.types.is_integer(v):
            return int(v)  # type: ignore[call-overload]
        if pd.api.types.is_float(v):
            return float(v)  # type: ignore[arg-type]
        if isinstance(v, Decimal | date):
            return v
        if isinstance(v, timedelta):
            return v.total_seconds() / 86400
        return str(v) or None

    columns = []
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
            columns.append(column.tolist())  # numpy's integers: no missing value to look for
        else:
            columns.append([value(v) for v in column.tolist()])
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def write_only_table(book, title: str, header: Sequence[str], rows: list[list], *, max_width: int = 60,
                     date_format: str = DATE_FORMAT, percent_columns: tuple[str, ...] = (), caption: str = ""):
    """``table_sheet`` for a workbook written row by row (openpyxl's write-only mode): the sheet
    ``title`` of ``book`` with ``header`` and ``rows`` (``frame_rows``), laid out the same way
    (bold wrapped header frozen with a filter, widths from the content, dates and shares in their
    formats, the print layout, every cell a value); ``caption``: the text at the top of each
    printed page. Returns the sheet (a chart can still be added)."""
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    letters = [get_column_letter(i + 1) for i in range(len(header))]
    for i, (letter, name) in enumerate(zip(letters, header, strict=True)):
        name = str(name or "")
        width = max([len(name) if len(name) <= 24 else 24, 8,
                     *(len(str(v)) for row in rows if (v := row[i]) is not None)])
        ws.column_dimensions[letter].width = min(max_width, width + 2)
    print_layout(ws)
    if caption:
        ws.oddHeader.center.text = caption[:200].replace("&", "&&")
    if header:
        ws.auto_filter.ref = f"A1:{letters[-1]}{len(rows) + 1}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    heads = []
    for name in header:
        cell = write_only_value(ws, name)
        cell = cell if isinstance(cell, Cell) else WriteOnlyCell(ws, value=cell)
        cell.font, cell.alignment = bold, wrap
        heads.append(cell)
    ws.append(heads)
    shares = {i for i, name in enumerate(header) if name in percent_columns}
    for row in rows:
        out = []
        for i, v in enumerate(row):
            if isinstance(v, str):
                v = write_only_value(ws, v)
            elif isinstance(v, date | datetime):
                v = WriteOnlyCell(ws, value=v)
                v.number_format = date_format
            elif i in shares and isinstance(v, int | float):
                v = WriteOnlyCell(ws, value=v)
                v.number_format = SHARE
            out.append(v)
        ws.append(out)
    return ws
