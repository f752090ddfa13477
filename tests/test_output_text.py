"""What data puts into the outputs stays text: a formula-like value is a value in the xlsx and
the CSV (``cells_as_values``, ``csv_text``), and a unit's name or a reason with Markdown in it
neither breaks a table nor becomes a link in the Prefect artifacts (``markdown_text``)."""

from __future__ import annotations

import csv
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from models.limits import markdown_text
from models.status import compute_status
from tasks.day_summary import day_summary
from tasks.exports import write_status
from tasks.summary import _table
from tests.helpers import open_2023_danvan

HOSTILE = ["=HYPERLINK(\"http://e.example\",\"x\")", "+1", "@SUM(A1:A2)", "-2+3"]


def status_with(app, reasons: list[str], names: list[str] | None = None):
    cycle = open_2023_danvan(app)
    with app.session() as session:
        report = compute_status(session, cycle, app.roster, app.calendar, date(2024, 6, 3))
    units = report.units.copy()
    for i, reason in enumerate(reasons):  # written past the inputs' own refusal: the second defence
        units.loc[i, ["status", "status_label", "exempt_reason", "doc_number"]] = ["exempted", "Miễn báo cáo", reason,
                                                                                   reason]
    for i, name in enumerate(names or []):
        units.loc[len(reasons) + i, "name"] = name
    report.units = units
    return report


def test_a_formula_like_value_stays_text_in_the_xlsx_and_the_csv(app, tmp_path):
    report = status_with(app, HOSTILE)
    wb = load_workbook(write_status(report, tmp_path / "s.xlsx", title="dân vận năm 2023"))
    cells = [c for row in wb["Đơn vị"].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {c.value for c in cells} >= set(HOSTILE)
    ws = wb["Đơn vị"]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$1"
    assert wb["Thông tin"]["B2"].value == "dân vận năm 2023"

    path = write_status(report, tmp_path / "s.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    values = {v for r in rows for v in r}
    assert {"'=HYPERLINK(\"http://e.example\",\"x\")", "'@SUM(A1:A2)", "'-2+3", "+1"} <= values  # +1 is a number
    assert not [v for v in values if v[:1] in ("=", "@")]


def test_markdown_from_data_cannot_break_a_table_or_make_a_link(app):
    name = "Tỉnh X | [bấm vào](http://e.example) *đậm*"
    assert markdown_text(name) == "Tỉnh X \\| \\[bấm vào\\](http://e.example) \\*đậm\\*"
    table = _table(["Đơn vị", "Lý do"], [[name, "a|b"]])
    assert table[2].count(" | ") == 1  # two cells, whatever the data says

    report = status_with(app, [], names=[name])
    summary = day_summary(app, report)
    line = next(x for x in summary.splitlines() if "Tỉnh X" in x)
    assert line.startswith("- Tỉnh X \\| \\[bấm vào\\](http://e.example) \\*đậm\\*:")
    ours = f"]({app.settings.files_url}/"  # the summary's own links to the file server
    assert "](http" not in summary.replace("\\](http", "").replace(ours, "")
    assert ours in summary
    assert pd.notna(report.units.loc[0, "name"])


def test_a_formula_like_number_stays_text_in_the_compilation_annex(app, tmp_path):
    """The annex is written row by row (write-only mode, where "=…" would become a formula): a
    document number that got past the inputs is still a text cell there."""
    from tasks.compile import compile_cycle
    from tests.helpers import submit

    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "Tỉnh An Giang", date(2024, 5, 24), number=HOSTILE[0])
    result = compile_cycle(app, cycle.id, as_of=date(2024, 6, 3), out_dir=tmp_path / "out")
    wb = load_workbook(result.files["xlsx"])
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and HOSTILE[0] in c.value for c in cells)
