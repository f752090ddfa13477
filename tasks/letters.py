"""The công văn đôn đốc as a Word document in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I,
công văn): the issuing body and the number (left blank for the văn thư in a draft) with the
trích yếu under it, the national title and the place and date, "Kính gửi", the body, "Nơi nhận"
and the signature block from data, then the list of the units it chases and their status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from models.streams import Collector
from models.vnformat import long_day
from tasks.documents import _cell, _no_borders, _page_and_styles, _para

# More addressees than this and "Kính gửi" names them through the list.
KINH_GUI_MAX = 6
BLANK_NUMBER = "      "


@dataclass(frozen=True)
class LetterDocument:
    collector: Collector
    number: str | None  # None: a draft, the number left blank
    dated: date
    summary: str  # "V/v đôn đốc gửi báo cáo …"
    addressees: list[str]  # the units it is sent to, as a letter names them
    groups: str  # "các bộ, ngành và địa phương": how "Kính gửi" names many addressees
    paragraphs: list[str]
    units: list[dict]  # {addressee, status}, the list annexed


def number_line(collector: Collector, number: str | None) -> str:
    return f"Số: {number}" if number else f"Số: {BLANK_NUMBER}/{collector.symbol}"


def kinh_gui(doc: LetterDocument) -> list[str]:
    """The lines of "Kính gửi": each addressee, or the groups named through the list."""
    if len(doc.addressees) == 1:
        return [f"Kính gửi: {doc.addressees[0]}."]
    if len(doc.addressees) <= KINH_GUI_MAX:
        return ["Kính gửi:", *[f"- {a}{'.' if n == len(doc.addressees) - 1 else ';'}"
                              for n, a in enumerate(doc.addressees)]]
    return [f"Kính gửi: {doc.groups[:1].upper()}{doc.groups[1:]} có tên tại danh sách kèm theo."]


def letter_bytes(doc: LetterDocument) -> bytes:
    word = Document()
    _page_and_styles(word)
    _header(word, doc)
    for line in kinh_gui(doc):
        p = _para(word, line, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER if len(kinh_gui(doc)) == 1 else None)
        if line.startswith("- "):
            p.paragraph_format.left_indent = Mm(30)
    for text in doc.paragraphs:
        _para(word, text)
    _closing(word, doc)
    _annex(word, doc)
    out = BytesIO()
    word.save(out)
    return out.getvalue()


def _header(word, doc: LetterDocument) -> None:
    c = doc.collector
    table = word.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _widths(table, Mm(68), Mm(97))
    issuer = [c.parent.upper()] if c.parent else []
    _cell(left, [*issuer, c.name.upper(), "", number_line(c, doc.number)], size=13)
    left.paragraphs[len(issuer)].runs[0].bold = True
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    p.add_run(doc.summary).font.size = Pt(12)
    _cell(right, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""], bold=True, size=12)
    right.paragraphs[1].runs[0].font.size = Pt(13)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    run = p.add_run(f"{c.place}, {long_day(doc.dated)}")
    run.italic, run.font.size = True, Pt(14)
    _para(word, "")


def _closing(word, doc: LetterDocument) -> None:
    c = doc.collector
    table = word.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    _widths(table, Mm(60), Mm(105))
    keep = f"- Lưu: VT{', ' + c.department_symbol if c.department_symbol else ''}."
    _cell(left, ["Nơi nhận:", "- Như trên;", *[f"- {x};" for x in c.copies], keep], size=11,
          align=WD_ALIGN_PARAGRAPH.LEFT)
    first = left.paragraphs[0].runs[0]
    first.bold = first.italic = True
    first.font.size = Pt(12)
    _cell(right, [*c.signer.lines, "", "", "", c.signer.name], bold=True, size=13)


def _widths(table, *widths) -> None:
    """Fixed column widths (Word and LibreOffice otherwise share the page evenly)."""
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
        for cell in col.cells:
            cell.width = width


def _annex(word, doc: LetterDocument) -> None:
    c = doc.collector
    word.add_page_break()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(word, "DANH SÁCH", bold=True, align=center, indent=False)
    _para(word, "CƠ QUAN, ĐƠN VỊ CHƯA GỬI BÁO CÁO", bold=True, align=center, indent=False)
    number = doc.number or f"{BLANK_NUMBER}/{c.symbol}"
    _para(word, f"(Kèm theo Công văn số {number} {long_day(doc.dated)} của {c.name})", italic=True,
          align=center, indent=False)
    table = word.add_table(rows=1, cols=3)
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, Mm(15), Mm(95), Mm(55))
    for cell, text in zip(table.rows[0].cells, ["STT", "Cơ quan, đơn vị", "Tình trạng"], strict=True):
        _cell(cell, text, bold=True)
    for n, u in enumerate(doc.units, 1):
        cells = table.add_row().cells
        for cell, width in zip(cells, (Mm(15), Mm(95), Mm(55)), strict=True):
            cell.width = width
        _cell(cells[0], str(n))
        _cell(cells[1], u["addressee"], align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell(cells[2], u["status"], align=WD_ALIGN_PARAGRAPH.LEFT)
