"""The Word draft of the national report, in the form of Nghị định 30/2020/NĐ-CP (header block,
number and date lines, title, Times New Roman), following seed 000's outline: the generated
footnote on who reported, the figures in place with their coverage, every unit's words per
section for the drafter, and a "Cần kiểm tra" part listing every finding."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from copy import deepcopy
from datetime import datetime, time
from pathlib import Path

import numpy as np
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from models.catalogue import STANDINGS
from models.checks import SEVERITIES, Finding
from models.compilation import OVERALL, Compilation, coverage, format_total, indicator_title
from models.compilation_summary import change_clauses
from models.footnote import Footnote
from models.groups import groups_phrase, heading
from models.national import NationalFigure
from models.report_prose import Sentence, exemplary_text, groups, placeholder, section_sentences
from models.streams import Collector, Section
from models.text import lower_first
from models.vnformat import change, day, number, text_day
from tasks.docx_footnotes import Footnotes
from tasks.docx_stream import BodySpool

FONT = "Times New Roman"
BODY_PT, TABLE_PT, NOTE_PT = 14, 12, 10
CHECK_HEADING = "CẦN KIỂM TRA"
FIGURES_NOTE = ("Ghi chú: (n/N đơn vị) = số đơn vị có số liệu/số đơn vị đã gửi báo cáo; đơn vị không báo cáo số liệu "
                "không được tính là 0; tỷ lệ tính lại từ tổng tử số và tổng mẫu số.")
DRAFTER_NOTE = "Nội dung báo cáo của các đơn vị:"
# The materials and the review hold a paragraph or a row per unit: what is complete is written
# out (``BodySpool``) every SPILL_EVERY of them, so that memory does not grow with the units.
SPILL_EVERY = 500


REPORT_TITLE = "BÁO CÁO"
MATERIALS_TITLE = "TƯ LIỆU TỔNG HỢP"
REVIEW_TITLE = "CẦN KIỂM TRA"
LANGUAGE = "vi-VN"


def write_report(path: Path, comp: Compilation, *, collector: Collector, footnote: Footnote,
                 exemplary: dict[str, dict[str, list[str]]], version: int, guidance: str = "",
                 national: list[NationalFigure] | None = None) -> Path:
    """The draft to be signed, and only it: the form of Nghị định 30/2020, the outline of the
    real report with its sub-items, each section opening with the sentences written from the
    figures (``models.report_prose``) and a marked place for what only the drafter can write.
    ``exemplary``: per section id, the names of the exemplary units that reported, per group."""
    doc = Document()
    _page_and_styles(doc)
    _page_numbers(doc)
    notes = Footnotes(doc, FONT, NOTE_PT)
    title = f"{comp.stream.report_title} {comp.cycle.label}"
    _header(doc, comp, collector, title)
    _opening(doc, comp, collector, footnote, notes, guidance)
    _body(doc, comp, exemplary, notes, national or [])
    _closing(doc, comp, collector)
    _properties(doc, comp, collector, f"{REPORT_TITLE} {title}", version, "Dự thảo báo cáo để trình ký")
    return _save(doc, path)


def write_materials(path: Path, comp: Compilation, *, collector: Collector,
                    exemplary: dict[str, dict[str, list[str]]], version: int) -> Path:
    """"Tư liệu tổng hợp", the drafter's working file: per section of the outline, the totals
    with their coverage, the scores and ranks, the exemplary units named, and every unit's own
    words; then the figures each unit gave. Never sent."""
    doc = Document()
    _page_and_styles(doc)
    _page_numbers(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    spool = BodySpool(doc, path.parent)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, MATERIALS_TITLE, bold=True, align=center, indent=False)
    _para(doc, f"{comp.stream.report_title} {comp.cycle.label}", bold=True, align=center, indent=False)
    _para(doc, f"Tài liệu làm việc của người soạn thảo, kèm bản tổng hợp số {version}; số liệu nhận đến ngày "
               f"{day(comp.as_of)}. Không gửi kèm báo cáo.", italic=True, align=center, indent=False, size=13)
    noted = False
    for section in _outline(doc, comp):
        noted = _figures(doc, comp, section.id, with_note=not noted) or noted
        _rankings(doc, comp, section.id, spool)
        names = exemplary.get(section.id) or {}
        if any(names.values()):
            _para(doc, f"Đơn vị tiêu biểu do người soạn thảo nêu: {exemplary_text(names, groups(comp))}", italic=True)
        _texts(doc, comp, section.id, spool)
        spool.spill()
    _unit_figures(doc, comp, spool)
    _properties(doc, comp, collector, f"{MATERIALS_TITLE} {comp.stream.report_title} {comp.cycle.label}", version,
                "Tư liệu của người soạn thảo, không gửi kèm báo cáo")
    return spool.save(path)


def write_review(path: Path, comp: Compilation, *, collector: Collector, findings: list[Finding], version: int,
                 changes: dict, national: list[NationalFigure] | None = None) -> Path:
    """"Cần kiểm tra": every finding of the compilation and what changed since the previous version."""
    doc = Document()
    _page_and_styles(doc)
    _page_numbers(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    spool = BodySpool(doc, path.parent)
    _checks(doc, comp, findings, version, changes, national or [], spool)
    _properties(doc, comp, collector, f"{REVIEW_TITLE} {comp.stream.report_title} {comp.cycle.label}", version,
                "Các điểm cần kiểm tra trước khi trình ký")
    return spool.save(path)


def _save(doc, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _properties(doc, comp: Compilation, collector: Collector, title: str, version: int, comments: str) -> None:
    """Core properties of the file: its own title, author and dates, not python-docx's of 2013."""
    props = doc.core_properties
    moment = datetime.combine(comp.as_of, time())
    props.title, props.subject = title, comp.stream.name
    props.author = props.last_modified_by = collector.department or collector.name
    props.category, props.language = "Báo cáo", LANGUAGE
    props.keywords = f"{comp.cycle.id}; bản {version}"
    props.comments = f"{comments}; bản tổng hợp số {version}, số liệu nhận đến ngày {day(comp.as_of)}."
    props.created = props.modified = moment
    props.last_printed = moment
    props.revision = version
    props.identifier = f"{comp.cycle.id}-v{version}"


# --- layout ------------------------------------------------------------------------------------
def _page_and_styles(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.start_type = WD_SECTION.NEW_PAGE
    for name, size in (("Normal", BODY_PT), ("Heading 1", BODY_PT), ("Heading 2", BODY_PT), ("Heading 3", BODY_PT),
                       ("Table Grid", TABLE_PT)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        _times(style.element.get_or_add_rPr().get_or_add_rFonts())
        if name.startswith("Heading"):
            style.font.bold, style.font.italic = True, name == "Heading 3"
            style.font.color.rgb = None
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(6), Pt(6)
            style.paragraph_format.keep_with_next = True
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for rfonts in defaults.iter(qn("w:rFonts")) if defaults is not None else ():
        _times(rfonts)
    _language(doc)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.first_line_indent = Pt(6), Mm(10)
    normal.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _language(doc) -> None:
    """vi-VN for every run (the template's en-US makes Word mark every word misspelt)."""
    for rpr in doc.styles.element.iter(qn("w:rPr")):
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        lang = OxmlElement("w:lang")
        for attr in ("w:val", "w:eastAsia"):
            lang.set(qn(attr), LANGUAGE)
        lang.set(qn("w:bidi"), "ar-SA")
        rpr.append(lang)
    settings = doc.settings.element
    for old in settings.findall(qn("w:themeFontLang")):
        old.set(qn("w:val"), LANGUAGE)


def _page_numbers(doc) -> None:
    """Arabic page numbers centred in the top margin, size 14, not on the first page."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    section.header_distance = Mm(10)
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    run = _run(p, "", size=BODY_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _times(rfonts) -> None:
    """Times New Roman for every script; theme fonts would take precedence over it in Word."""
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def _para(container, text: str = "", *, bold=False, italic=False, size=None, align=None, indent=True) -> Paragraph:
    p = _new_paragraph(container)
    if text:
        _run(p, text, bold=bold, italic=italic, size=size or None)
    if align is not None:
        p.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = Mm(0)
    return p


def _new_paragraph(container) -> Paragraph:
    """``container.add_paragraph()``. In the document's body, the new paragraph goes straight
    before the section properties, its last element: python-docx searches the whole body for
    them on every paragraph, which makes a compilation of thousands of units quadratic."""
    body = getattr(getattr(container, "element", None), "body", None)
    try:
        last = body[-1]  # type: ignore[index]  # direct; len(body) would count the children one by one
    except (TypeError, IndexError):  # not a document (a table cell), or an empty body
        return container.add_paragraph()
    if last.tag != qn("w:sectPr"):
        return container.add_paragraph()
    p = OxmlElement("w:p")
    last.addprevious(p)
    return Paragraph(p, container._body)


_RUN_PROPERTIES: dict[tuple, object] = {}
_BREAKS = re.compile(r"[\t\r\n]")  # what python-docx turns into <w:tab/> and <w:br/>


def _run(p: Paragraph, text: str, *, bold=None, italic=None, size=None) -> Run:
    """``p.add_run(text)`` with these properties (None: not set). The properties python-docx
    writes for them are made once and copied into each run: setting them one by one costs a
    fraction of a millisecond, paid for every line of thousands of units' reports."""
    key = (bold, italic, size)
    if key not in _RUN_PROPERTIES:
        model = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]  # a model to copy, in no story
        if bold is not None:
            model.bold = bold
        if italic is not None:
            model.italic = italic
        if size is not None:
            model.font.size = Pt(size)
        _RUN_PROPERTIES[key] = model._r.rPr
    if _BREAKS.search(text):
        run = p.add_run(text)
    else:  # what add_run writes for a text without tabs or line breaks, without its loop over every character
        r = p._p.add_r()
        if text:
            r.add_t(text)
        run = Run(r, p)
    if _RUN_PROPERTIES[key] is not None:
        run._r.insert(0, deepcopy(_RUN_PROPERTIES[key]))
    return run


def _grid(table: Table) -> list:
    return [col.w for col in table._tbl.tblGrid.gridCol_lst]


def _add_row(table: Table, grid: list) -> tuple[_Cell, ...]:
    """``table.add_row().cells``, the table's column widths (``grid``) read once: python-docx
    looks them up again for every row, a search that grows with the table (a ranking of
    thousands of units)."""
    tr = table._tbl.add_tr()
    for width in grid:
        tc = tr.add_tc()
        if width is not None:
            tc.width = width
    return _Row(tr, table).cells


def _no_borders(table: Table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def _cell(cell, lines: list[str] | str, *, bold=False, italic=False, size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER):
    lines = [lines] if isinstance(lines, str) else lines
    first = cell.paragraphs[0]._p
    for run in first.r_lst:  # not ``.text = ""``, which leaves an empty run before the text
        first.remove(run)
    for n, line in enumerate(lines):
        p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        _cell_paragraph_format(p, align)
        _run(p, line, bold=bold, italic=italic, size=size)


_CELL_PARAGRAPH_PROPERTIES: dict = {}


def _cell_paragraph_format(p: Paragraph, align) -> None:
    """A table cell's paragraph: aligned, no indent, no space after. As for runs, the properties
    are made once and copied (a ranking of thousands of units has tens of thousands of cells)."""
    if align not in _CELL_PARAGRAPH_PROPERTIES:
        model = Paragraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]  # a model to copy, in no story
        model.alignment = align
        model.paragraph_format.first_line_indent = Mm(0)
        model.paragraph_format.space_after = Pt(0)
        _CELL_PARAGRAPH_PROPERTIES[align] = model._p.pPr
    if p._p.pPr is None:
        p._p.insert(0, deepcopy(_CELL_PARAGRAPH_PROPERTIES[align]))
    else:
        p.alignment = align
        p.paragraph_format.first_line_indent = Mm(0)
        p.paragraph_format.space_after = Pt(0)


HEADER_WIDTHS = (Mm(66), Mm(99))  # 4:6 of the 165 mm text width: the national title on one line
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
CHAR_MM = {12: 2.45, 13: 2.65, 14: 2.85}  # mean width of a bold capital letter or a motto letter, in mm


def _widths(table: Table, *widths) -> None:
    """Fixed column widths (Word and LibreOffice otherwise share the page evenly)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def rule(container, length, within) -> Paragraph:
    """A short solid rule, centred: an empty paragraph with a top border, indented so that the
    border is ``length`` long inside a column ``within`` wide."""
    p = container.add_paragraph()
    side = max(int((within - length) / 2), 0)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.first_line_indent, fmt.space_before, fmt.space_after = Mm(0), Pt(0), Pt(0)
    fmt.line_spacing = Pt(2)
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(attr), value)
    border.append(top)
    p._p.get_or_add_pPr().append(border)
    return p


def text_length(text: str, size: int) -> int:
    """An estimate of the printed length of ``text`` in EMU (for the rules under the names)."""
    return int(Mm(len(text) * CHAR_MM.get(size, 2.65)))


PARENT_PT = 12  # the parent body, regular


def balanced_lines(text: str, size: int, width: int) -> list[str]:
    """``text`` on one line if it fits in ``width``, else on two lines as even as the words allow:
    "ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NINH", never "ỦY BAN NHÂN DÂN TỈNH QUẢNG" / "NINH"."""
    words = text.split()
    if text_length(text, size) <= width or len(words) < 2:
        return [text]
    cut = min(range(1, len(words)), key=lambda n: max(len(" ".join(words[:n])), len(" ".join(words[n:]))))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _header(doc, comp: Compilation, collector: Collector, title: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = HEADER_WIDTHS
    _widths(table, *widths)
    left, right = table.rows[0].cells
    issuer = balanced_lines(collector.parent.upper(), PARENT_PT, widths[0] - Mm(4)) if collector.parent else []
    _cell(left, [*issuer, collector.name.upper()], size=PARENT_PT if issuer else 13)
    left.paragraphs[-1].runs[0].bold = True
    left.paragraphs[-1].runs[0].font.size = Pt(13)
    rule(left, text_length(collector.name.upper(), 13) * 2 // 5, widths[0])
    p = left.add_paragraph()
    _cell_paragraph_format(p, WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_before = Pt(6)
    _run(p, f"Số:      /{collector.report_symbol}", size=13)
    _cell(right, [NATIONAL_TITLE, MOTTO], bold=True, size=12)
    right.paragraphs[1].runs[0].font.size = Pt(14)
    rule(right, text_length(MOTTO, 13), widths[1])
    p = right.add_paragraph()
    _cell_paragraph_format(p, WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_before = Pt(6)
    _run(p, f"{collector.place}, ngày      tháng      năm {comp.as_of.year}", italic=True, size=BODY_PT)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, REPORT_TITLE, bold=True, align=center, indent=False).paragraph_format.space_before = Pt(18)
    p = _para(doc, title, bold=True, align=center, indent=False)
    p.paragraph_format.space_after = Pt(0)
    rule(doc, text_length(title[:60], 13) * 2 // 5, Mm(165)).paragraph_format.space_after = Pt(12)


def _opening(doc, comp: Compilation, collector: Collector, footnote: Footnote, notes: Footnotes,
             guidance: str) -> None:
    """"Thực hiện <basis>; <collector> ban hành <the year's guidance> hướng dẫn …" (seed 000); without
    the guidance in the draft's data, the request letter of the cycle."""
    basis = "; ".join(comp.stream.basis)
    request = comp.requests[0] if comp.requests else None
    askees = groups_phrase([label for g, label in comp.status.labels.items() if g != OVERALL])
    if guidance:
        asked = f"; {collector.name} ban hành {guidance} hướng dẫn {askees} triển khai thực hiện"
    elif request:
        asked = (f"; {collector.name} ban hành Công văn số {request.number} ngày {text_day(request.issued_on)} đề nghị "
                 f"{askees} báo cáo")
    else:
        asked = ""
    p = _para(doc, f"Thực hiện {basis}{asked}. Trên cơ sở báo cáo của {askees}")
    notes.add(p, footnote.lines)
    title = lower_first(comp.stream.report_title)
    p.add_run(f", {collector.name} tổng hợp, báo cáo {title} {comp.cycle.label} như sau:")


ITEM_LETTERS = "abcdefgh"


def _body(doc, comp: Compilation, exemplary: dict[str, dict[str, list[str]]], notes: Footnotes,
          national: list[NationalFigure]) -> None:
    for section in _outline(doc, comp):
        if section.lead:
            _para(doc, section.lead)
        for sentence in section_sentences(comp, section.id, national=national, exemplary=exemplary.get(section.id)):
            _sentence(doc, sentence, notes)
        what = lower_first(section.title or section.heading)
        for n, item in enumerate(section.items):
            doc.add_heading(f"{ITEM_LETTERS[n]}) {item}", level=3)
            _sentence(doc, placeholder(f"Người soạn thảo viết nội dung mục này từ Tư liệu tổng hợp, mục "
                                       f"{section.id}."), notes)
        if not section.items:
            _sentence(doc, placeholder(f"Người soạn thảo viết: {what}, từ Tư liệu tổng hợp, mục {section.id}."), notes)


def _outline(doc, comp: Compilation) -> Iterator[Section]:
    """The report's outline (seed 000's I–VI and their numbered items): writes each part's and
    item's heading, then yields the section for its content."""
    current_part = None
    for section in comp.stream.sections:
        part, _, sub = section.id.partition(".")
        if part != current_part:
            current_part = part
            title = comp.stream.parts.get(part) or (section.heading.upper() if not sub else "")
            doc.add_heading(f"{part}. {title}".rstrip(". "), level=1)
        if sub:
            doc.add_heading(f"{sub}. {section.title or section.heading}", level=2)
        yield section


def _sentence(doc, sentence: Sentence, notes: Footnotes) -> None:
    p = _para(doc)
    run = _run(p, sentence.text, italic=True if sentence.placeholder else None)
    if sentence.placeholder:
        highlight = OxmlElement("w:highlight")
        highlight.set(qn("w:val"), "yellow")
        run._r.get_or_add_rPr().append(highlight)
    if sentence.notes:
        notes.add(p, sentence.notes)


def _figures(doc, comp: Compilation, section_id: str, with_note: bool) -> bool:
    """The table of the section's totals; False when the section has no figures."""
    ids = [i.id for i in comp.indicators if i.section == section_id and i.aggregation in ("sum", "rate")]
    if not ids:
        return False
    totals = comp.totals.set_index(["indicator", "group"])
    has_previous = comp.previous is not None
    groups = [g for g in comp.status.labels if g != OVERALL]
    header = ["Chỉ tiêu", *[heading(comp.status.labels[g]) for g in groups], "Tổng cộng"]
    if comp.previous is not None:
        header.append(f"Cùng kỳ {comp.previous.label}")
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    for iid in ids:
        cells = table.add_row().cells
        ind = comp.indicator(iid)
        _cell(cells[0], indicator_title(ind), align=WD_ALIGN_PARAGRAPH.LEFT)
        for cell, group in zip(cells[1:2 + len(groups)], [*groups, OVERALL], strict=True):
            t = totals.loc[(iid, group)]
            _cell(cell, [format_total(t["value"], t["reported"], t["aggregation"], t["approximate"]),
                         f"({coverage(t['reported'], t['actual'])} đơn vị)"])
        if has_previous:
            t = totals.loc[(iid, OVERALL)]
            prev = [format_total(t["previous_value"], t["previous_reported"], t["aggregation"]),
                    f"({coverage(t['previous_reported'], t['previous_actual'])} đơn vị)"]
            moved = change(t["value"], t["previous_value"]) if t["reported"] and t["previous_reported"] else ""
            _cell(cells[-1], prev + ([moved] if moved else []))
    if with_note:
        _para(doc, FIGURES_NOTE, italic=True, size=NOTE_PT + 1)
    return True


def _rankings(doc, comp: Compilation, section_id: str, spool: BodySpool) -> None:
    for ind in (i for i in comp.indicators if i.section == section_id and i.aggregation in STANDINGS):
        rows = comp.rankings[comp.rankings["indicator"] == ind.id]
        if rows.empty:
            continue
        _para(doc, f"{ind.label} ({len(rows)} đơn vị có số liệu, không cộng dồn):", italic=True, indent=False)
        table = doc.add_table(rows=1, cols=3)
        table.style = doc.styles["Table Grid"]
        for cell, text in zip(table.rows[0].cells, ["Thứ tự", "Đơn vị", ind.unit.capitalize()], strict=True):
            _cell(cell, text, bold=True)
        grid = _grid(table)
        for n, r in enumerate(rows.itertuples(), 1):
            cells = _add_row(table, grid)
            _cell(cells[0], str(r.rank))
            _cell(cells[1], r.name, align=WD_ALIGN_PARAGRAPH.LEFT)
            _cell(cells[2], r.raw if isinstance(r.raw, str) and r.raw.strip() else number(r.value))
            if n % SPILL_EVERY == 0:
                spool.spill_rows(table)
        spool.end_table(table)


def _texts(doc, comp: Compilation, section_id: str, spool: BodySpool) -> None:
    reporters = comp.units[comp.units["counted"]]
    if reporters.empty:
        return
    rows = comp.sections[comp.sections["section_id"] == section_id]
    _para(doc, DRAFTER_NOTE, italic=True, bold=True, size=NOTE_PT + 2)
    if rows.empty:
        _para(doc, "Chưa đơn vị nào báo cáo nội dung này.", italic=True, size=BODY_PT - 1)
        return
    for written, r in enumerate(rows[rows["status"] == "reported"].itertuples(), 1):
        if written % SPILL_EVERY == 0:
            spool.spill()
        lines = [line for line in (r.text or "").splitlines() if line.strip()] or [""]
        for n, line in enumerate(lines):
            p = _para(doc)
            if n == 0:
                _run(p, f"{r.name} (bản {r.version}): ", bold=True, size=BODY_PT - 1)
            _run(p, line, italic=True, size=BODY_PT - 1)
    empty = rows.loc[rows["status"] == "empty", "name"].tolist()
    if empty:
        _para(doc, f"Báo cáo ghi không có nội dung: {', '.join(empty)}.", italic=True, size=BODY_PT - 1)
    mentioned = set(rows.loc[rows["status"].isin(["reported", "empty"]), "unit_id"])
    silent = [n for u, n in zip(reporters["unit_id"], reporters["name"], strict=True) if u not in mentioned]
    if silent:
        _para(doc, f"Không đề cập ({len(silent)} đơn vị): {', '.join(silent)}.", italic=True, size=BODY_PT - 1)


def _closing(doc, comp: Compilation, collector: Collector) -> None:
    _para(doc, f"Trên đây là Báo cáo {lower_first(comp.stream.report_title)} {comp.cycle.label}, {collector.name} "
               f"trân trọng báo cáo {collector.report_to} theo quy định./.")
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, Mm(80), Mm(85))
    left, right = table.rows[0].cells
    recipients = collector.report_recipients or [collector.report_to]
    keep = f"- Lưu: VT{', ' + collector.department_symbol if collector.department_symbol else ''}."
    _cell(left, ["Nơi nhận:", *[f"- {r};" for r in recipients if r], keep], size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    first = left.paragraphs[0].runs[0]
    first.bold = first.italic = True
    first.font.size = Pt(12)
    signer = collector.report_signer or collector.signer
    _cell(right, [*signer.lines, "", "", "", signer.name or ""], bold=True, size=BODY_PT)


def _checks(doc, comp: Compilation, findings: list[Finding], version: int, changes: dict,
            national: list[NationalFigure], spool: BodySpool) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, CHECK_HEADING, bold=True, align=center, indent=False)
    _para(doc, f"{comp.stream.report_title} {comp.cycle.label}", bold=True, align=center, indent=False)
    _para(doc, f"Bản tổng hợp số {version}, số liệu nhận đến ngày {day(comp.as_of)}. Các điểm dưới đây được phát hiện "
               "khi tổng hợp; số liệu của đơn vị không được tự động sửa. Không gửi kèm báo cáo.", italic=True)
    doc.add_heading(f"Các điểm cần kiểm tra ({len(findings)})", level=1)
    if not findings:
        _para(doc, "Không phát hiện điểm nào cần kiểm tra.")
    else:
        table = doc.add_table(rows=1, cols=6)
        table.style = doc.styles["Table Grid"]
        for cell, text in zip(table.rows[0].cells, ["TT", "Mức độ", "Đơn vị", "Chỉ tiêu", "Bản", "Nội dung"], strict=True):
            _cell(cell, text, bold=True)
        grid = _grid(table)
        for n, f in enumerate(findings, 1):
            cells = _add_row(table, grid)
            label = comp.indicator(f.indicator).label if f.indicator and f.indicator in {
                i.id for i in comp.indicators} else (f.indicator or (f"Mục {f.section}" if f.section else ""))
            for cell, text in zip(cells, [str(n), SEVERITIES[f.severity], f.unit_name or "", label,
                                          str(f.version) if f.version else "", f.message], strict=True):
                _cell(cell, text, align=WD_ALIGN_PARAGRAPH.LEFT)
            if n % SPILL_EVERY == 0:
                spool.spill_rows(table)
        spool.end_table(table)
    if national:
        doc.add_heading(f"Số liệu toàn quốc do người soạn thảo nhập ({len(national)})", level=1)
        for figure in national:
            parts = "; ".join(f"{k}: {number(v)}" for k, v in figure.parts)
            within = f"; trong đó {parts}" if parts else ""
            _para(doc, f"- {figure.label}: {number(figure.value)} {figure.unit} (nguồn: {figure.source}){within}.")
    if changes:
        doc.add_heading(f"Thay đổi so với bản {changes['previous_version']}", level=1)
        for line in change_lines(changes):
            _para(doc, f"- {line}")


def _unit_figures(doc, comp: Compilation, spool: BodySpool) -> None:
    """The figures each unit gave, unit by unit, in official order (one pass over the figures)."""
    values = comp.values
    if values.empty:
        return
    doc.add_heading("SỐ LIỆU TỪNG ĐƠN VỊ BÁO CÁO", level=1)
    labels = {i.id: indicator_title(i) for i in comp.indicators}
    order = {i.id: n for n, i in enumerate(comp.indicators)}
    names = comp.units["name"].tolist()
    rank = {unit_id: n for n, unit_id in enumerate(comp.units["unit_id"])}  # the roster's order
    # The figures in the units' order, each unit's in the order the sort by indicator gives (the
    # sort main's groupby followed): positions into the columns, not a sorted copy of every figure.
    by_indicator = values["indicator"].map(order).reset_index(drop=True).sort_values(kind="stable").index.to_numpy()
    unit_rank = values["unit_id"].map(rank).to_numpy(dtype=float)[by_indicator]
    known = ~np.isnan(unit_rank)
    at = by_indicator[known][np.argsort(unit_rank[known], kind="stable")]
    columns = (values[c].to_numpy()[at].tolist() for c in ("unit_id", "indicator", "raw", "value"))
    for written, (unit_id, figures) in enumerate(
            itertools.groupby(zip(*columns, strict=True), key=lambda row: row[0]), 1):
        given = "; ".join(f"{labels.get(indicator, indicator)}: "
                          f"{raw if isinstance(raw, str) and raw.strip() else number(value)}"
                          for _unit, indicator, raw, value in figures)
        p = _para(doc)
        _run(p, f"{names[rank[unit_id]]}: ", bold=True, size=BODY_PT - 1)
        _run(p, given + ".", size=BODY_PT - 1)
        if written % SPILL_EVERY == 0:
            spool.spill()


def change_lines(changes: dict) -> list[str]:
    """What changed since the previous version, one line each (the digest says the same clauses)."""
    return [c[:1].upper() + c[1:] for c in change_clauses(changes, totals_apart=True)]
