"""What every spreadsheet and CSV file dvtracker writes goes through: values, never formulas."""

from __future__ import annotations

from models.limits import control_character, csv_text, without_controls

__all__ = ["cells_as_values", "csv_text", "write_only_value"]


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


def table_sheet(worksheet, *, max_width: int = 60, date_format: str = "dd/mm/yyyy",
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
                cell.number_format = "0.0%"
    worksheet.freeze_panes = "A2"
    if worksheet.max_row >= 1 and worksheet.max_column >= 1:
        worksheet.auto_filter.ref = worksheet.dimensions
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_title_rows = "1:1"
    cells_as_values(worksheet)
