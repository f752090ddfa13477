"""The công văn đôn đốc of an escalation stage: drafted once, kept in the database and written to
the exports, and the Word document itself in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I,
công văn): the issuing body and the number (left blank for the văn thư in a draft) with the
trích yếu under it, the national title and the place and date, "Kính gửi", the body, "Nơi nhận"
and the signature block from data, then the list of the units it chases and their status."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from sqlmodel import select

from models import vnformat
from models.audit import audit
from models.blobs import read_blob, store_blob
from models.db import insert_once
from models.reminders import ScheduledStage
from models.streams import Collector
from models.tables import CycleRow, ReminderLetterRow, RequestRow
from models.vnformat import long_day, text_day
from notifications.messages import addressee, day_words, succession, vn
from notifications.render import Renderer
from tasks import outputs
from tasks.documents import _cell, _no_borders, _page_and_styles, _para
from wiring.app import App

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


# --- the letter of a cycle ---------------------------------------------------------------------------
DRAFT_STATUS = {"missing": "Chưa gửi báo cáo", "not_due": "Chưa gửi báo cáo",
                "draft_only": "Mới gửi dự thảo (chưa có số, ngày ban hành)"}


def letter_context(app: App, letter: ReminderLetterRow, issued: RequestRow | None, deadline: date) -> dict:
    """The letter as the templates see it; ``issued`` None: the draft, its number left blank."""
    dated = issued.issued_on if issued is not None else letter.drafted_on
    return dict(
        number=issued.number if issued is not None else "",
        day=text_day(dated), dated=vn(dated), as_of=text_day(letter.drafted_on),
        working_days_late=vnformat.count(app.calendar.working_days_between(deadline, letter.drafted_on)),
        count=vnformat.count(len(letter.units)),
        resend_by=day_words(letter.resend_by),
        units=letter.units, draft=letter.path,
    )


def draft_letter(app: App, renderer: Renderer, base: dict, cycle: CycleRow, deadline: date, stage: ScheduledStage,
                  as_of: date, policy, chased: list[dict]) -> ReminderLetterRow:
    """Draft the công văn đôn đốc of ``stage`` once: the Word file, kept in the database and
    written to the exports; a second run (or one at the same moment) takes the first draft."""
    roster, ref = app.roster, cycle.reference_date
    units = []
    for r in chased:
        unit, via = roster.get(r["unit_id"]), roster.get(roster.successor_on(r["unit_id"], as_of))
        now = succession(roster, unit, via, as_of)
        units.append(dict(unit_id=unit.id, addressee=addressee(unit, ref) + (f" (nay: {addressee(via, as_of)})" if now else ""),
                          to=addressee(via, as_of), status=DRAFT_STATUS[r["status"]]))
    row = ReminderLetterRow(cycle_id=cycle.id, stage=stage.id, drafted_on=as_of, units=units,
                            resend_by=app.calendar.add_working_days(as_of, policy.letter_working_days),
                            draft_sha256="", path="")
    ctx = dict(base, letter=letter_context(app, row, None, deadline), stage=dict(id=stage.id, label=stage.label))
    summary, paragraphs = renderer.letter_document(ctx)
    addressees = list(dict.fromkeys(u["to"] for u in units))
    content = letter_bytes(LetterDocument(app.config.collector, None, as_of, summary, addressees, base["groups"],
                                          paragraphs, units))
    path = app.settings.exports_dir / cycle.id / "cong-van-don-doc" / f"{stage.id}-du-thao.docx"
    with app.session() as session:
        row.draft_sha256, row.path = store_blob(session, content, path.name), str(path)
        inserted, first = insert_once(session, row, select(ReminderLetterRow).where(
            ReminderLetterRow.cycle_id == cycle.id, ReminderLetterRow.stage == stage.id))
        row = first or row
        if inserted:
            audit(session, "draft", "reminder_letter", f"{cycle.id}:{stage.id}", units=len(units), path=str(path))
            outputs.record(session, app.settings, path, content, cycle_id=cycle.id, kind="letter")
        else:
            content = _draft(session, row)
    if not Path(row.path).exists():
        _write_file(Path(row.path), content)
    return row


def _draft(session, letter: ReminderLetterRow) -> bytes:
    content = read_blob(session, letter.draft_sha256)
    if content is None:  # the foreign key keeps it: only a damaged database comes here
        raise RuntimeError(f"the draft {letter.draft_sha256} of {letter.cycle_id}:{letter.stage} is not in the database")
    return content


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def letter_state(app: App, letter: ReminderLetterRow | None, requests: list[RequestRow], chased: int) -> dict:
    if letter is None:
        return dict(state="would_draft" if chased else "none", units=chased, path=None, number=None, issued_on=None)
    issued = next((r for r in requests if r.id == letter.request_id), None)
    if issued is not None:
        return dict(state="linked", units=len(letter.units), path=letter.path, number=issued.number,
                    issued_on=issued.issued_on.isoformat(), drafted_on=letter.drafted_on.isoformat())
    if not Path(letter.path).exists():  # the exports were cleared: the draft is kept in the database
        with app.session() as session:
            _write_file(Path(letter.path), _draft(session, letter))
    return dict(state="draft", units=len(letter.units), path=letter.path, number=None, issued_on=None,
                drafted_on=letter.drafted_on.isoformat())
