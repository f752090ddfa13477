"""A report written in Word (.docx): its paragraphs in reading order, those of tables included
(the header block of an administrative document is usually a two-column table).

A .docx is a zip of XML parts, read with the workbook's guards: the inflated size and the number
of elements of every part are bounded before python-docx builds its tree.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn

from models.report_form import Problem
from models.report_text import Paragraph, clean
from tasks.workbook import MAX_UNCOMPRESSED, OLE_MAGIC, oversized_part

MAX_DOCX_ELEMENTS = 400_000  # per part; a 100-page report has about a tenth of that
MAX_PARAGRAPHS = 20_000
MAX_RUN = 200_000  # characters in one text element: a whole report is a few hundred thousand
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def is_docx(content: bytes) -> bool:
    if content[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


def read_docx(content: bytes, filename: str) -> tuple[list[Paragraph], list[Problem]]:
    def fail(message: str) -> tuple[list[Paragraph], list[Problem]]:
        return [], [Problem(message, filename)]

    if content.startswith(OLE_MAGIC):
        return fail("tệp Word 97-2003 (.doc) hoặc tệp Word có mật khẩu không được hỗ trợ: hãy lưu lại dạng .docx "
                    "hoặc PDF.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError):
        return fail("không phải tệp Word .docx hợp lệ (tệp hỏng, bị cắt cụt hoặc là loại tệp khác).")
    if "word/document.xml" not in names:
        return fail("tệp nén không phải văn bản Word .docx (không có word/document.xml).")
    if total > MAX_UNCOMPRESSED:
        return fail(f"tệp Word quá lớn khi giải nén ({total // 1_000_000} MB): không phải văn bản báo cáo.")
    problem = oversized_part(content, what="tệp Word", max_elements=MAX_DOCX_ELEMENTS, max_text=MAX_RUN, kind="Word .docx",
                             verdict="không phải văn bản báo cáo")
    if problem:
        return fail(problem)
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        return fail(f"không mở được tệp Word .docx ({type(exc).__name__}).")
    paragraphs: list[Paragraph] = []
    for text in _texts(document.element.body):
        text = clean(text.replace("\t", " ")).strip()
        if text:
            paragraphs.append(Paragraph(text, f"đoạn {len(paragraphs) + 1}"))
            if len(paragraphs) > MAX_PARAGRAPHS:
                return fail(f"tệp Word có hơn {MAX_PARAGRAPHS:,} đoạn: không phải văn bản báo cáo.".replace(",", "."))
    return paragraphs, []


def _texts(body):
    """The text of each paragraph of ``body``, in reading order; a table's cells row by row, a
    merged cell once."""
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield _paragraph_text(child)
        elif child.tag == qn("w:tbl"):
            for row in child.iterchildren(qn("w:tr")):
                for cell in row.iterchildren(qn("w:tc")):
                    yield from _texts(cell)


def _paragraph_text(p) -> str:
    parts = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:cr"), qn("w:tab")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append(" ")
        else:
            parts.append("\n")
    return "".join(parts)


def write_docx(path, lines: list[str], *, header: tuple[list[str], list[str]] | None = None):
    """A report as a unit writes it in Word: ``header`` the two columns of its header block (issuing
    body and number | motto, place and date), then one paragraph a line (the demo's sample reports)."""
    document = docx.Document()
    if header:
        table = document.add_table(rows=1, cols=2)
        for cell, column in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].text = column[0]
            for line in column[1:]:
                cell.add_paragraph(line)
    for line in lines:
        document.add_paragraph(line)
    document.save(path)
    return path
