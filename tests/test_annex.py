"""The compilation's Excel annex as a drafter opens and prints it: Vietnamese words only, numbers in
Vietnamese format, the unit's name in view, landscape A4 fitted to the width with the header on
every page, groups and units in the official order. Read back with openpyxl, and rendered by
LibreOffice as it prints."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from models.catalogue import load_catalogue
from models.checks import KINDS, kind_label
from tasks.compile import compile_cycle
from tasks.sheets import DECIMAL, INTEGER, PERCENT, SHARE
from tests.compilation_cases import REPORTS, V1_DAY
from tests.helpers import open_2023_danvan, submit_seed_000
from tests.prose_documents import to_pdf
from wiring.app import open_app
from wiring.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
CATALOGUE_IDS = {i.id for f in (PROJECT / "data" / "indicators").glob("*.csv") for i in load_catalogue(f)}
VISITS, RATE = "Số lượt tiếp công dân (lượt)", "Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền (%)"
PAR = "Chỉ số cải cách hành chính (PAR INDEX): điểm (điểm)"


@pytest.fixture
def annex(app, cycle_2023) -> Path:
    return compile_cycle(app, cycle_2023.id, as_of=V1_DAY).files["xlsx"]


def rows_of(ws) -> dict[str, dict[str, object]]:
    """Each row of a sheet by its name (the frozen column), each cell by its column's header."""
    header = [c.value for c in ws[1]]
    key = column_index_from_string(re.match(r"[A-Z]+", ws.freeze_panes).group()) - 2
    return {row[key].value: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)}


def test_every_sheet_prints_landscape_fitted_to_the_width_with_the_header_and_the_name_in_view(annex):
    wb = load_workbook(annex)
    frozen = {}
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title  # the header on every page
        assert ws.oddFooter.center.text == "Trang &P/&N" and ws.oddHeader.center.text.startswith(f"Phụ lục: {ws.title}")
        column, row = re.fullmatch(r"([A-Z]+)(\d+)", ws.freeze_panes).groups()
        assert row == "2", ws.title  # frozen below the header
        frozen[ws.title] = ws[f"{chr(ord(column) - 1)}1"].value  # the last column kept in view
        assert all(ws.column_dimensions[c.column_letter].width for c in ws[1]), ws.title
    assert frozen == {"Tình hình báo cáo": "Nhóm", "Tổng hợp": "Chỉ tiêu", "Bộ, ngành": "Đơn vị", "Địa phương": "Đơn vị",
                      "Xếp hạng": "Đơn vị", "Cần kiểm tra": "Đơn vị"}
    central = wb["Bộ, ngành"]
    widths = {c.value: central.column_dimensions[c.column_letter].width for c in central[1]}
    assert widths["Đơn vị"] >= len("Bộ Nông nghiệp và Phát triển nông thôn")
    assert max(widths[VISITS], widths[RATE], widths[PAR]) <= 14  # long labels wrap in the header instead


def test_numbers_carry_vietnamese_formats_and_rates_stay_exact(annex):
    wb = load_workbook(annex)
    assert INTEGER.endswith("#,##0") and DECIMAL.endswith("#,##0.00") and PERCENT.endswith("0.00%")
    assert all(f.startswith("[$-42A]") for f in (INTEGER, DECIMAL, PERCENT, SHARE))  # Vietnamese separators
    central = rows_of(wb["Bộ, ngành"])
    assert (central["Văn phòng Chính phủ"][VISITS].value, central["Văn phòng Chính phủ"][VISITS].number_format) == (
        103, INTEGER)
    petitions = "Số đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh tiếp nhận (đơn)"
    assert central["Tổng cộng"][petitions].value == 22153 and central["Tổng cộng"][petitions].number_format == INTEGER
    rate = central["Tổng cộng"][RATE]
    assert rate.number_format == PERCENT and rate.value == pytest.approx(49 / 60)  # 81,67%, the fraction kept exact
    assert rate.value != round(rate.value, 4)
    assert central["Văn phòng Chính phủ"]["Ngày nhận"].number_format == "dd/mm/yyyy"
    provinces = rows_of(wb["Địa phương"])
    assert provinces["Tỉnh Cà Mau"][PAR].value == 85.5 and provinces["Tỉnh Cà Mau"][PAR].number_format == DECIMAL
    totals = rows_of(wb["Tổng hợp"])
    overall = totals["Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền"]["Tổng cộng"]
    assert (overall.value, overall.number_format) == (pytest.approx(0.79), PERCENT)
    assert totals["Số lượt tiếp công dân"]["Tổng cộng"].number_format == INTEGER
    reporting = rows_of(wb["Tình hình báo cáo"])
    assert reporting["Địa phương"]["Tỷ lệ báo cáo"].value == pytest.approx(53 / 63)
    assert reporting["Địa phương"]["Tỷ lệ báo cáo"].number_format == SHARE


def test_no_cell_shows_a_code_of_the_catalogue_or_of_a_finding(annex):
    wb = load_workbook(annex)
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    codes = CATALOGUE_IDS | set(KINDS)
    assert not [t for t in texts if any(re.search(rf"\b{code}\b", t) for code in codes)]
    findings = rows_of(wb["Cần kiểm tra"])
    assert findings["Bộ Tài chính"]["Loại"].value == "Tỷ lệ không khớp với số liệu"


def test_every_kind_of_finding_has_a_vietnamese_name():
    added = {m for f in (PROJECT / "models").glob("*.py")
             for m in re.findall(r'\.add\(\s*"(?:error|warning|info)",\s*"(\w+)"', f.read_text(encoding="utf-8"))}
    assert added and added <= set(KINDS), sorted(added - set(KINDS))
    assert kind_label("not_named_yet") == "Khác"
    assert all(not re.search(r"[a-z]_[a-z]", label) for label in KINDS.values())


def test_groups_and_units_come_in_the_official_order(annex):
    wb = load_workbook(annex)
    assert wb.sheetnames[:4] == ["Tình hình báo cáo", "Tổng hợp", "Bộ, ngành", "Địa phương"]
    central = list(rows_of(wb["Bộ, ngành"]))
    # The Government's list (Nghị định), neither alphabetical nor by code; then the two total rows.
    assert central[:5] == ["Bộ Quốc phòng", "Bộ Công an", "Bộ Ngoại giao", "Bộ Nội vụ", "Bộ Tư pháp"]
    assert central[-2:] == ["Tổng cộng", "Số đơn vị có số liệu"]
    assert [c.value for c in wb["Bộ, ngành"]["A"][1:31]] == list(range(1, 31))
    assert list(rows_of(wb["Địa phương"]))[:3] == ["Thành phố Hà Nội", "Tỉnh Hà Giang", "Tỉnh Cao Bằng"]


def test_a_collector_that_lists_its_provinces_first_gets_them_first(database_url, tmp_path):
    """The order is the calendar's, not the ids' or the labels': reversed there, reversed here."""
    data = tmp_path / "data"
    shutil.copytree(PROJECT / "data", data)
    calendar = yaml.safe_load((data / "calendar.yaml").read_text(encoding="utf-8"))
    calendar["groups"] = dict(reversed(list(calendar["groups"].items())))
    (data / "calendar.yaml").write_text(yaml.safe_dump(calendar, allow_unicode=True, sort_keys=False), encoding="utf-8")
    app = open_app(Settings(var_dir=tmp_path / "var", database_url=database_url, data_dir=data))
    try:
        cycle = open_2023_danvan(app)
        submit_seed_000(app, cycle, REPORTS)
        wb = load_workbook(compile_cycle(app, cycle.id, as_of=V1_DAY).files["xlsx"])
    finally:
        app.close()
    assert wb.sheetnames[2:4] == ["Địa phương", "Bộ, ngành"]
    assert list(rows_of(wb["Tình hình báo cáo"])) == ["Địa phương", "Bộ, ngành", "Tổng cộng"]
    header = [c.value for c in wb["Tổng hợp"][1]]
    assert header.index("Địa phương") < header.index("Bộ, ngành") < header.index("Tổng cộng")


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and pdftotext render the annex")
def test_the_annex_prints_on_a_few_landscape_pages_in_vietnamese(annex):
    pdf = to_pdf(annex)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert pages <= 8 and width > height  # one page wide per sheet, landscape (was 107 portrait pages)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    squeezed = re.sub(r"\s+", " ", text)
    for words in ("Phụ lục: Tổng hợp", "Số lượt tiếp công dân", "Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền",
                  "Tổng không bằng các thành phần" if "part_sum" in text else "Tỷ lệ không khớp với số liệu",
                  "Trang 1/"):
        assert words in squeezed, words
    # Vietnamese separators whatever the machine's language: 22.153 and 81,67%, never 22,153 or 81.67%.
    assert "22.153" in text and "1.000" in text and "81,67%" in text and "79,00%" in text and "84,1%" in text
    assert not re.search(r"\b22,153\b|\b81\.67%|\b24\.5087\b", text)
    assert not [code for code in CATALOGUE_IDS | set(KINDS) if re.search(rf"\b{code}\b", text)]
    totals = next(p for p in text.split("\f") if "Phụ lục: Tổng hợp" in p)
    header = totals[:totals.index("Số chương trình")]
    assert "Chỉ tiêu" in header and "Đơn vị tính" in header and "Mã chỉ tiêu" not in header
