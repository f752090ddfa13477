"""The day's status workbook is written row by row (openpyxl's write-only mode); its sheets must
hold what a sheet written by pandas and laid out by ``table_sheet`` holds: values, number
formats, header style, widths, filter, frozen panes and print layout."""

from __future__ import annotations

from datetime import date

import pandas as pd
from openpyxl import Workbook, load_workbook

from tasks.sheets import frame_rows, table_sheet, write_only_table

PERCENT = ("Tỷ lệ báo cáo",)


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "Mã": ["01", "02", "=1+1"],
        "Đơn vị": ["Thành phố Hà Nội", "", "Tỉnh An Giang có một tên rất dài để đo độ rộng của cột trong bảng"],
        "Ngày nhận": [date(2024, 5, 30), None, float("nan")],
        "Phiên bản hiện hành": pd.array([1, None, 3], dtype="Int64"),
        "Số lần gửi": [1, 2, 3],
        "Tỷ lệ báo cáo": [0.5, float("nan"), 1.0],
    })


def described(path, title):
    ws = load_workbook(path)[title]
    cells = [[(c.value, c.number_format, c.font.b, c.alignment.wrap_text, c.alignment.vertical,
               c.data_type if c.value is not None else None) for c in row] for row in ws.iter_rows()]
    return (cells, {k: v.width for k, v in ws.column_dimensions.items()}, ws.freeze_panes, ws.auto_filter.ref,
            ws.print_title_rows, ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.oddHeader.center.text,
            ws.oddFooter.center.text)


def test_a_table_written_row_by_row_is_the_table_laid_out_by_table_sheet(tmp_path):
    data = frame()
    with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="openpyxl") as writer:
        data.to_excel(writer, sheet_name="Đơn vị", index=False)
        table_sheet(writer.sheets["Đơn vị"], percent_columns=PERCENT)
        writer.sheets["Đơn vị"].oddHeader.center.text = "dân vận năm 2023"
    book = Workbook(write_only=True)
    write_only_table(book, "Đơn vị", list(data.columns), frame_rows(data), percent_columns=PERCENT,
                     caption="dân vận năm 2023")
    book.save(tmp_path / "rows.xlsx")

    written = described(tmp_path / "rows.xlsx", "Đơn vị")
    assert written == described(tmp_path / "pandas.xlsx", "Đơn vị")
    cells = written[0]
    assert cells[3][0][:1] == ("=1+1",) and cells[3][0][-1] == "s"  # a text, never a formula
    assert cells[1][2][1] == "dd/mm/yyyy" and cells[1][5][1] == "[$-42A]0.0%"
