"""The Word draft of the national report, in the form of Nghị định 30/2020/NĐ-CP (header block,
number and date lines, title, Times New Roman), following seed 000's outline: the generated
footnote on who reported, the figures in place with their coverage, every unit's words per
section for the drafter, and a "Cần kiểm tra" part listing every finding."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

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

from models.checks import SEVERITIES, Finding
from models.compilation import OVERALL, Compilation, coverage, format_total, indicator_title
from models.footnote import Footnote, join_names
from models.groups import groups_phrase, heading
from models.streams import Collector
from models.vnformat import change, day, number
from tasks.docx_footnotes import Footnotes

FONT = "Times New Roman"
BODY_PT, TABLE_PT, NOTE_PT = 14, 12, 10
CHECK_HEADING = "CẦN KIỂM TRA"
FIGURES_NOTE = ("Ghi chú: (n/N đơn vị) = số đơn vị có số liệu/số đơn vị đã gửi báo cáo; đơn vị không báo cáo số liệu "
                "không được tính là 0; tỷ lệ tính lại từ tổng tử số và tổng mẫu số.")
DRAFTER_NOTE = "Tư liệu từ báo cáo của các đơn vị (để người soạn thảo tổng hợp; xóa trước khi trình ký):"


def write_report(path: Path, comp: Compilation, *, collector: Collector, footnote: Footnote, findings: list[Finding],
                 exemplary: dict[str, dict[str, list[str]]], version: int, changes: dict) -> Path:
    """``exemplary``: per section id, the names of the exemplary units that reported, per group."""
    doc = Document()
    _page_and_styles(doc)
    notes = Footnotes(doc, FONT, NOTE_PT)
    _header(doc, comp, collector)
    _opening(doc, comp, collector, footnote, notes)
    _body(doc, comp, exemplary, notes)
    _closing(doc, comp, collector)
    doc.add_page_break()
    _checks(doc, comp, findings, version, changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


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
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.first_line_indent = Pt(6), Mm(10)
    normal.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


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
    run = p.add_run(text)
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
    cell.paragraphs[0].text = ""
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


def _header(doc, comp: Compilation, collector: Collector) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    issuer = [collector.parent.upper()] if collector.parent else []
    _cell(left, [*issuer, collector.name.upper(), "", f"Số:      /{collector.report_symbol}"], size=13)
    left.paragraphs[len(issuer)].runs[0].bold = True
    _cell(right, ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""], bold=True, size=13)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    run = p.add_run(f"{collector.place}, ngày      tháng      năm {comp.as_of.year}")
    run.italic, run.font.size = True, Pt(13)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "BÁO CÁO", bold=True, align=center, indent=False).paragraph_format.space_before = Pt(12)
    _para(doc, f"{comp.stream.report_title} {comp.cycle.label}", bold=True, align=center, indent=False)
    _para(doc, "(Dự thảo tổng hợp)", italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, size=13)


def _title_lower(title: str) -> str:
    return title[:1].lower() + title[1:]


def _opening(doc, comp: Compilation, collector: Collector, footnote: Footnote, notes: Footnotes) -> None:
    basis = "; ".join(comp.stream.basis)
    request = comp.requests[0] if comp.requests else None
    askees = groups_phrase([label for g, label in comp.status.labels.items() if g != OVERALL])
    asked = (f"; {collector.name} ban hành Công văn số {request.number} ngày {day(request.issued_on)} đề nghị "
             f"{askees} báo cáo" if request else "")
    p = _para(doc, f"Thực hiện {basis}{asked}. Trên cơ sở báo cáo của {askees}")
    notes.add(p, footnote.lines)
    title = _title_lower(comp.stream.report_title)
    p.add_run(f", {collector.name} tổng hợp, báo cáo {title} {comp.cycle.label} như sau:")


def _body(doc, comp: Compilation, exemplary: dict[str, dict[str, list[str]]], notes: Footnotes) -> None:
    parts = comp.stream.parts
    current_part, noted = None, False
    for section in comp.stream.sections:
        part, _, sub = section.id.partition(".")
        if part != current_part:
            current_part = part
            heading = parts.get(part) or (section.heading.upper() if not sub else "")
            doc.add_heading(f"{part}. {heading}".rstrip(". "), level=1)
        if sub:
            doc.add_heading(f"{sub}. {section.heading}", level=2)
        noted = _figures(doc, comp, section.id, with_note=not noted) or noted
        _rankings(doc, comp, section.id)
        names = exemplary.get(section.id) or {}
        if any(names.values()):
            p = _para(doc, "Đơn vị tiêu biểu", italic=True)
            notes.add(p, [_exemplary_text(names, comp.status.labels)])
            p.add_run(".")
        _texts(doc, comp, section.id)


def _exemplary_text(names: dict[str, list[str]], labels: dict[str, str]) -> str:
    """"Tiêu biểu như: Bộ A, Bộ B; các địa phương: X, Y." — the first group's names plainly, the
    others after their words, as the national report writes it."""
    parts: list[str] = []
    for group, label in labels.items():
        listed = names.get(group) or []
        if listed:
            parts.append(join_names(listed) if not parts and group == next(iter(labels))
                         else f"các {label}: " + join_names(listed))
    return "Tiêu biểu như: " + "; ".join(parts) + "."


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


def _rankings(doc, comp: Compilation, section_id: str) -> None:
    for ind in (i for i in comp.indicators if i.section == section_id and i.aggregation == "list"):
        rows = comp.rankings[comp.rankings["indicator"] == ind.id]
        if rows.empty:
            continue
        _para(doc, f"{ind.label} ({len(rows)} đơn vị có số liệu, không cộng dồn):", italic=True, indent=False)
        table = doc.add_table(rows=1, cols=3)
        table.style = doc.styles["Table Grid"]
        for cell, text in zip(table.rows[0].cells, ["Thứ tự", "Đơn vị", ind.unit.capitalize()], strict=True):
            _cell(cell, text, bold=True)
        grid = _grid(table)
        for r in rows.itertuples():
            cells = _add_row(table, grid)
            _cell(cells[0], str(r.rank))
            _cell(cells[1], r.name, align=WD_ALIGN_PARAGRAPH.LEFT)
            _cell(cells[2], r.raw if isinstance(r.raw, str) and r.raw.strip() else number(r.value))


def _texts(doc, comp: Compilation, section_id: str) -> None:
    reporters = comp.units[comp.units["counted"]]
    if reporters.empty:
        return
    rows = comp.sections[comp.sections["section_id"] == section_id]
    _para(doc, DRAFTER_NOTE, italic=True, bold=True, size=NOTE_PT + 2)
    if rows.empty:
        _para(doc, "Chưa đơn vị nào báo cáo nội dung này.", italic=True, size=BODY_PT - 1)
        return
    for r in rows[rows["status"] == "reported"].itertuples():
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
    _para(doc, f"Trên đây là Báo cáo {_title_lower(comp.stream.report_title)} {comp.cycle.label}, {collector.name} "
               f"trân trọng báo cáo {collector.report_to} theo quy định./.")
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    _cell(left, ["Nơi nhận:", f"- {collector.report_to};", "- Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ;",
                 "- UBND các tỉnh, thành phố trực thuộc Trung ương;", "- Lưu: VT."], size=NOTE_PT + 1,
          align=WD_ALIGN_PARAGRAPH.LEFT)
    left.paragraphs[0].runs[0].bold = left.paragraphs[0].runs[0].italic = True
    _cell(right, ["QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ", "", "", "", "Họ và tên"], bold=True, size=13)


def _checks(doc, comp: Compilation, findings: list[Finding], version: int, changes: dict) -> None:
    doc.add_heading(CHECK_HEADING, level=1)
    _para(doc, f"Phần dành cho người soạn thảo, xóa trước khi trình ký. Bản tổng hợp số {version}, số liệu nhận "
               f"đến ngày {day(comp.as_of)}. Các điểm dưới đây được phát hiện khi tổng hợp; số liệu của đơn vị "
               "không được tự động sửa.", italic=True)
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
    if changes:
        doc.add_heading(f"Thay đổi so với bản {changes['previous_version']}", level=2)
        for line in change_lines(changes):
            _para(doc, f"- {line}")


def change_lines(changes: dict) -> list[str]:
    """What changed since the previous version, one Vietnamese line each (also used in Markdown)."""
    lines = []
    if changes.get("units_added"):
        lines.append(f"Đơn vị mới có báo cáo ({len(changes['units_added'])}): {', '.join(changes['units_added'])}")
    if changes.get("units_removed"):
        lines.append(f"Không còn tính ({len(changes['units_removed'])}): {', '.join(changes['units_removed'])}")
    for u in changes.get("units_updated", []):
        lines.append(f"{u['name']} gửi bản mới: bản {u['before']} → bản {u['after']}")
    for t in changes.get("overall_changed", []):
        before = format_total(t["before"], t["reported_before"], t["aggregation"])
        after = format_total(t["after"], t["reported_after"], t["aggregation"])
        lines.append(f"{t['label']}: {before} ({t['reported_before']} đơn vị) → {after} ({t['reported_after']} đơn vị)")
    if changes.get("findings_added"):
        lines.append(f"Điểm cần kiểm tra mới: {len(changes['findings_added'])}")
    if changes.get("findings_resolved"):
        lines.append(f"Điểm cần kiểm tra không còn: {len(changes['findings_resolved'])}")
    return lines or ["Không có thay đổi về số liệu."]

