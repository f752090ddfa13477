"""What every spreadsheet and CSV file dvtracker writes goes through: values, never formulas."""

from __future__ import annotations

from models.limits import control_character, csv_text, without_controls

__all__ = ["cells_as_values", "csv_text"]


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
