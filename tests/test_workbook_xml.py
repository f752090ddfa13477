"""A form whose structure openpyxl has read once is read straight from its sheet XML
(tasks.sheet_xml): the same form, cells and refusals as through openpyxl, for inline strings,
shared strings with rich text, dates and numbers typed as such, booleans and formulas."""

import io
import re
import zipfile
from datetime import date, datetime

import pytest

import tasks.workbook as workbook
from tasks import sheet_xml
from tasks.workbook import oversized_part, read_workbook
from tests.helpers import fill_template, open_2023_danvan

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
META = {"number": "529/BC-UBND", "date": date(2024, 5, 24), "signer": "Nguyễn Văn A"}
VALUES = {"reception_visits": 22153, "staff_trained": 81.5, "dialogues_held": ("12", True),
          "reception_persons": "hơn 300"}


def parts_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


def as_shared_strings(parts: dict[str, bytes], rich: str) -> dict[str, bytes]:
    """The workbook as Excel and LibreOffice save it: every text in a shared string table; the
    text ``rich`` written as rich text (two runs, one bold)."""
    strings: list[str] = []
    parts = dict(parts)

    def shared(match: re.Match) -> str:
        text = match.group(2)
        strings.append(text)
        return f'{match.group(1)} t="s"><v>{len(strings) - 1}</v></c>'

    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        xml = parts[name].decode()
        parts[name] = re.sub(r'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared,
                             xml).encode()
    items = []
    for text in strings:
        if text == rich:
            half = len(text) // 2
            items.append(f"<si><r><t>{text[:half]}</t></r><r><rPr><b/></rPr><t>{text[half:]}</t></r></si>")
        else:
            items.append(f"<si><t>{text}</t></si>")
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}" count="{len(items)}">{"".join(items)}</sst>'.encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return parts


@pytest.fixture
def form(app, tmp_path):
    cycle = open_2023_danvan(app)
    return parts_of(fill_template(app, cycle.id, tmp_path / "mau.xlsx", unit="89", meta=META, values=VALUES,
                                  sections={"I": ("Có báo cáo", "Tỉnh An Giang nằm ở phía Tây Nam Tổ quốc")}))


def read_twice(content: bytes, monkeypatch):
    """(through openpyxl, from the sheet XML): the structure is learnt the second time a shape
    comes; the third read may not open the workbook with openpyxl."""
    sheet_xml.KNOWN.clear()
    sheet_xml.SEEN.clear()
    first = read_workbook(content, "mau.xlsx")
    assert not sheet_xml.KNOWN
    assert read_workbook(content, "mau.xlsx") == first
    assert len(sheet_xml.KNOWN) == 1  # its structure is known now
    with monkeypatch.context() as m:
        m.setattr(workbook, "load_workbook", lambda *a, **k: pytest.fail("read through openpyxl again"))
        second = read_workbook(content, "mau.xlsx")
    return first, second


@pytest.mark.parametrize("kind", ["inline strings", "shared strings and rich text"])
def test_a_form_reads_the_same_from_its_sheet_xml(form, kind, monkeypatch):
    parts = form if kind == "inline strings" else as_shared_strings(form, rich="529/BC-UBND")
    first, second = read_twice(zipped(parts), monkeypatch)
    assert second == first
    assert not first.errors
    assert first.form["number"] == "529/BC-UBND"  # rich text: its runs joined
    assert first.form["date"] == datetime(2024, 5, 24)  # typed as a date
    assert first.form["indicators"]["reception_visits"] == {"value": 22153, "approximate": None}
    assert first.form["indicators"]["staff_trained"]["value"] == 81.5
    assert first.form["indicators"]["dialogues_held"] == {"value": "12", "approximate": True}  # a boolean cell
    assert first.locations["indicators.reception_persons"][0] == "Số liệu"


def test_a_formula_is_refused_in_openpyxl_words_once_the_structure_is_known(form, monkeypatch):
    sheet_xml.KNOWN.clear()
    for _ in range(2):
        read_workbook(zipped(form), "mau.xlsx")  # the structure, learnt from a clean form
    assert len(sheet_xml.KNOWN) == 1
    values = form["xl/worksheets/sheet3.xml"].decode()
    first, second = "E4", "E5"  # the first two figures (row 3 is the header)
    values = re.sub(rf'<c r="{first}"[^>]*?(?:/>|>.*?</c>)',
                    f'<c r="{first}"><f t="shared" ref="{first}:{second}" si="0">A4&amp;"x"</f><v>x</v></c>', values)
    values = re.sub(rf'<c r="{second}"[^>]*?(?:/>|>.*?</c>)', f'<c r="{second}"><f t="shared" si="0"/><v>y</v></c>',
                    values)
    result = read_workbook(zipped(form | {"xl/worksheets/sheet3.xml": values.encode()}), "mau.xlsx")
    assert result.form is None
    assert [(e.message, e.cell) for e in result.errors] == [
        ("ô chứa công thức '=A4&\"x\"': hãy nhập giá trị, không dùng công thức.", first),
        ("ô chứa công thức '=A5&\"x\"': hãy nhập giá trị, không dùng công thức.", second)]  # translated, as Excel shows it


@pytest.mark.parametrize("xml, message", [
    (b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>', "undefined entity &e;: line 1, column 57"),
    (b"<a>&nbsp;</a>", "undefined entity: line 1, column 3"),
    (b"<a>" + b"<b/>" * 100_001 + b"</a>", "hơn 100.000 phần tử"),
    (b"<a>" + b"&#7888;" * 32_768 + b"</a>", "một ô văn bản dài hơn 32.767 ký tự"),
])
def test_a_part_refused_is_refused_in_the_same_words(xml, message):
    """The parts are counted with pyexpat first; a refusal is worded by ElementTree, as before."""
    assert message in oversized_part(zipped({"xl/workbook.xml": b"<workbook/>", "xl/part.xml": xml}))
