"""A report as a PDF: the lines of its text layer (pdfplumber, with the position of each line),
joined back into paragraphs.

A PDF without a text layer (a scan) has no words to read: it is received for its envelope (the
document-exchange package says who sent what, with which number and date) and flagged "cần nhập
số liệu". No OCR: a misread digit in a number or a date would decide timeliness and figures on
a guess (docs/intake.md).

Hostile files are bounded before pdfminer reads them: the number of pages, and the size every
compressed stream inflates to (a few kilobytes of Flate can inflate to gigabytes).
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
import zlib
from dataclasses import dataclass

from models.report_form import Problem
from models.report_text import Paragraph, clean

MAX_PAGES = 300
MAX_INFLATED = 200 * 1024 * 1024  # all streams together, inflated
MIN_TEXT_CHARS = 20  # per page on average: fewer, and the PDF is a scan
_STREAM = re.compile(rb"stream\r?\n")
_LIST_START = re.compile(r"^\s*([IVX]{1,5}\s*[.)]|\d{1,2}\s*[.)]\s|[a-zđ]\)\s|[-+•–]\s|\[\d+\]|Phần thứ)")


@dataclass
class PdfText:
    paragraphs: list[Paragraph]
    scanned: bool  # no text layer to speak of
    pages: int


def is_pdf(content: bytes) -> bool:
    return content[:1024].lstrip().startswith(b"%PDF-")


def inflated_too_much(content: bytes, limit: int = MAX_INFLATED) -> bool:
    """Whether the Flate streams of ``content`` inflate to more than ``limit`` bytes in all, found
    by inflating each in bounded pieces (never more than a megabyte in memory at once)."""
    total = 0
    for match in _STREAM.finditer(content):
        head = content[max(0, match.start() - 300): match.start()]
        if b"FlateDecode" not in head and b"/Fl " not in head and b"/Fl/" not in head:
            continue
        inflater = zlib.decompressobj()
        data = memoryview(content)[match.end():]
        fed = 0
        try:
            while fed < len(data) and not inflater.eof:
                chunk = bytes(data[fed: fed + 65536])
                fed += len(chunk)
                total += len(inflater.decompress(chunk, 1 << 20))
                while inflater.unconsumed_tail:
                    total += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
                    if total > limit:
                        return True
                if total > limit:
                    return True
        except zlib.error:
            continue  # encrypted or broken: pdfminer will say
    return False


def read_pdf(content: bytes, filename: str) -> tuple[PdfText | None, list[Problem]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    def fail(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(message, filename)]

    if inflated_too_much(content):
        return fail(f"tệp PDF giải nén quá lớn (hơn {MAX_INFLATED // 1_048_576} MB): không phải văn bản báo cáo.")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                return fail(f"tệp PDF có {len(pdf.pages)} trang (tối đa {MAX_PAGES}): không phải văn bản báo cáo.")
            pages = [page.extract_text_lines(return_chars=False) for page in pdf.pages]
            widths = [(float(page.bbox[0]), float(page.bbox[2])) for page in pdf.pages]
    except PDFPasswordIncorrect:
        return fail("tệp PDF có mật khẩu: hãy gửi bản không đặt mật khẩu.")
    except RecursionError:
        return fail("tệp PDF lồng nhau quá sâu: không đọc được.")
    except Exception as exc:  # pdfminer raises many kinds on broken files
        return fail(f"không đọc được tệp PDF ({type(exc).__name__}): tệp hỏng hoặc không phải PDF; hãy gửi lại tệp, "
                    "hoặc ghi nhận báo cáo bằng 'dvtracker record'.")
    chars = sum(len(line["text"].strip()) for lines in pages for line in lines)
    if not pages or chars < MIN_TEXT_CHARS * len(pages):
        return PdfText([], True, len(pages)), []
    return PdfText(_paragraphs(pages, widths), False, len(pages)), []


def _paragraphs(pages: list[list[dict]], widths: list[tuple[float, float]]) -> list[Paragraph]:
    """Lines joined into paragraphs: a paragraph ends at a wider gap than between its lines, before
    a heading or a list item, or after a short line that ends a sentence."""
    out: list[Paragraph] = []
    for number, (lines, (left_edge, right_edge)) in enumerate(zip(pages, widths, strict=True), start=1):
        carried = out[-1] if out and not out[-1].text.endswith((".", ":", ";", "/.")) else None
        lines = [ln for ln in lines if ln["text"].strip()]
        if not lines:
            continue
        gaps = [b["top"] - a["top"] for a, b in itertools.pairwise(lines) if b["top"] > a["top"]]
        usual = statistics.median(gaps) if gaps else 0
        right = max(ln["x1"] for ln in lines)
        left = min(ln["x0"] for ln in lines)
        width = max(right - left, (right_edge - left_edge) / 2, 1)
        current: list[str] = []
        start_line, number_carried = 1, None
        previous = None
        for index, line in enumerate(lines, start=1):
            text = clean(line["text"]).strip()
            if index == 1 and carried is not None and text[:1].islower():  # a paragraph going on over the page
                out.pop()
                current, start_line, number_carried = [carried.text], 0, carried.where
            breaks = (previous is None and not current) or (previous is not None and (
                (usual and line["top"] - previous["top"] > usual * 1.35)
                or _LIST_START.match(text)
                or (previous["x1"] < right - 0.15 * width and current
                    and (current[-1].endswith((".", ":", ";", ")")) or text[:1].isupper() or text[:1].isdigit()))
                or line["x0"] > left + 0.04 * width >= previous["x0"] - left
                or _capitals(text) or _capitals(current[-1] if current else "")
            ))
            if breaks and current:
                out.append(Paragraph(_join(current), number_carried or f"trang {number}, dòng {start_line}"))
                current, number_carried = [], None
            if not current:
                start_line = index
            current.append(text)
            previous = line
        if current:
            out.append(Paragraph(_join(current), number_carried or f"trang {number}, dòng {start_line}"))
    return out


def _capitals(text: str) -> bool:
    """A short line in capitals (a heading, the signer's title): a paragraph of its own."""
    return bool(text) and len(text) <= 80 and text == text.upper() and any(ch.isalpha() for ch in text)


def _join(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        text = text[:-1] + line if text.endswith("-") and not text.endswith(" -") else f"{text} {line}"
    return text
