"""The Excel form a unit fills in (phụ lục biểu mẫu), and reading it back.

Three sheets: "Thông tin" (metadata), "Nội dung" (sections by id), "Số liệu" (indicators). A
very hidden sheet carries the schema version, the stream and the cycle, so that the reader
knows what it reads. Keys (field, section and indicator ids) sit in column A; rows may be
reordered. Figure cells are text cells, so that "22.153" stays as the unit wrote it and is read
the Vietnamese way.
"""

from __future__ import annotations

import io
import pyexpat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, XMLParser
from zlib import error as zlib_error

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from models import vnformat
from models.cycles import get_cycle, requests_of
from models.errors import UserError
from models.limits import MAX_CELL, runs_as_formula
from models.report_form import DOC_STATES, META_FIELDS, SCHEMA, Problem
from models.reports import SECTION_STATUSES
from models.roster import Unit
from models.tables import ExpectedUnitRow
from tasks import sheet_xml
from wiring.app import App

SHEET_META, SHEET_SECTIONS, SHEET_VALUES, SHEET_MARKER = "Thông tin", "Nội dung", "Số liệu", "_dvtracker"
HEADER_ROW = 3
MAX_ROWS = 1000  # a form has a few dozen rows; more means it is not our form
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XML_ELEMENTS = 100_000  # per part; a filled form has a few thousand in all
APPROX_YES = "Có"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class WorkbookForm:
    form: dict | None
    locations: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)


# --- writing -------------------------------------------------------------------------------------
def write_template(app: App, cycle_id: str, *, unit: str | None = None, path: Path | None = None) -> Path:
    """Write the form of ``cycle_id`` (prefilled for ``unit`` when given); returns its path."""
    found: Unit | None = None
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        requests = requests_of(session, cycle.id)
        if unit:
            found = app.roster.find(unit, cycle.reference_date)
            if session.get(ExpectedUnitRow, (cycle.id, found.id)) is None:
                raise UserError(f"{found.name_on(cycle.reference_date)} không thuộc danh sách phải báo cáo của kỳ "
                                f"'{cycle.id}'.")
    stream = app.config.stream(cycle.stream_id)
    if path is None:
        suffix = f"-{found.code or found.slug or found.id}" if found else ""
        path = app.settings.exports_dir / f"mau-bao-cao-{cycle.id}{suffix}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)

    wb = Workbook()
    meta = wb.active
    meta.title = SHEET_META
    title = f"PHỤ LỤC BIỂU MẪU: Báo cáo {stream.report_title.lower()} {cycle.label}"
    _header(meta, title, "Điền vào cột màu vàng. Báo cáo chưa có số hoặc ngày văn bản được lưu là dự thảo.",
            ["Mã", "Thông tin", "Nội dung"], [2, 42, 60])
    prefill = {"cycle": cycle.id, "unit": found.name_on(cycle.reference_date) if found else None,
               "state": DOC_STATES["signed"],
               "answers_request": requests[0].number if requests else None}
    for row, (key, label) in enumerate(META_FIELDS.items(), start=HEADER_ROW + 1):
        meta.cell(row, 1, key)
        meta.cell(row, 2, label)
        _input(meta.cell(row, 3, prefill.get(key))).number_format = "@"  # dates as written: 24/05/2024
    _validation(meta, "list", f'"{",".join(DOC_STATES.values())}"', _row_of(meta, "state"), 3,
                "Tình trạng văn bản", "Chọn: đã ký ban hành hoặc dự thảo.")
    for key in ("date", "data_until"):
        _validation(meta, None, None, _row_of(meta, key), 3, META_FIELDS[key], "Ghi ngày dạng 24/05/2024.")
    meta.column_dimensions["A"].hidden = True

    sec = wb.create_sheet(SHEET_SECTIONS)
    _header(sec, "NỘI DUNG BÁO CÁO THEO ĐỀ CƯƠNG", "Mỗi phần: chọn tình trạng và dán nội dung; phần không có nội dung "
            "(ví dụ kiến nghị: không có) chọn 'Không có nội dung'.", ["Mã phần", "Tiêu đề", "Tình trạng", "Nội dung"],
            [9, 50, 20, 100])
    for row, s in enumerate(stream.sections, start=HEADER_ROW + 1):
        sec.cell(row, 1, s.id)
        sec.cell(row, 2, s.heading).alignment = _WRAP
        _input(sec.cell(row, 3))
        _input(sec.cell(row, 4)).alignment = _WRAP
    last = HEADER_ROW + len(stream.sections)
    _validation(sec, "list", f'"{",".join(SECTION_STATUSES.values())}"', f"C{HEADER_ROW + 1}:C{last}", None,
                "Tình trạng", "Có báo cáo / Không báo cáo / Không có nội dung")

    val = wb.create_sheet(SHEET_VALUES)
    _header(val, "SỐ LIỆU", "Ghi số như văn bản: 22.153 (hai mươi hai nghìn), 81,32; 'Không có' hoặc 0 nếu bằng 0; "
            "để trống nếu không báo cáo; 'hơn', 'khoảng'... hoặc cột Ước tính nếu là số ước tính.",
            ["Mã chỉ tiêu", "Phần", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Ước tính", "Ghi chú"],
            [28, 8, 60, 12, 16, 10, 36])
    indicators = app.catalogue(cycle.stream_id)
    by_id = {c.id: c for c in indicators}
    for row, i in enumerate(indicators, start=HEADER_ROW + 1):
        val.cell(row, 1, i.id)
        val.cell(row, 2, i.section)
        val.cell(row, 3, i.label).alignment = _WRAP
        val.cell(row, 4, i.unit)
        _input(val.cell(row, 5)).number_format = "@"
        _input(val.cell(row, 6))
        val.cell(row, 7, _hint(i, by_id))
    last = HEADER_ROW + len(indicators)
    _validation(val, "custom", f'LEFT(TRIM(E{HEADER_ROW + 1}),1)<>"-"', f"E{HEADER_ROW + 1}:E{last}", None,
                "Số liệu", "Ghi 22.153 (hai mươi hai nghìn), 81,32; 'Không có' nếu bằng 0; để trống nếu không báo cáo. "
                "Không ghi số âm.")
    _validation(val, "list", f'"{APPROX_YES}"', f"F{HEADER_ROW + 1}:F{last}", None, "Ước tính",
                "Chọn 'Có' nếu số liệu là ước tính.")

    marker = wb.create_sheet(SHEET_MARKER)
    for row, (k, v) in enumerate([("schema", SCHEMA), ("stream", stream.id), ("cycle", cycle.id),
                                  ("unit", found.id if found else "")], start=1):
        marker.cell(row, 1, k)
        marker.cell(row, 2, v)
    marker.sheet_state = "veryHidden"
    marker.protection.sheet = True
    for ws in (meta, sec, val):
        ws.protection.sheet = True
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    wb.save(path)
    return path


def _header(ws, title: str, note: str, columns: list[str], widths: list[int]) -> None:
    ws.cell(1, 1, title).font = Font(bold=True, size=13)
    ws.cell(2, 1, note).font = Font(italic=True)
    for col, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        c = ws.cell(HEADER_ROW, col, name)
        c.font, c.fill = _BOLD, _HEAD_FILL
        ws.column_dimensions[get_column_letter(col)].width = width


def _input(cell):
    cell.fill, cell.protection = _INPUT_FILL, _UNLOCKED
    return cell


def _row_of(ws, key: str) -> int:
    return next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def _validation(ws, kind: str | None, formula: str | None, row_or_range, col: int | None, title: str,
                prompt: str) -> None:
    """A validation on a cell or range; ``kind`` None only shows the prompt (Excel: any value)."""
    ref = row_or_range if col is None else f"{get_column_letter(col)}{row_or_range}"
    dv = DataValidation(type=kind, formula1=formula, allow_blank=True, showInputMessage=True,
                        promptTitle=title[:32], prompt=prompt[:255], showErrorMessage=kind is not None,
                        errorTitle="Giá trị không hợp lệ", error=prompt[:225])
    ws.add_data_validation(dv)
    dv.add(ref)


def _hint(i, catalogue: dict) -> str:
    if i.aggregation == "score":
        return "Số điểm; có thể ghi kèm thang điểm, ví dụ 81,32 hoặc 7,97/10"
    if i.aggregation == "rank":
        return "Thứ hạng (hạng 1 là cao nhất); có thể ghi kèm số đơn vị được xếp hạng, ví dụ 35 hoặc 35/63"
    if i.aggregation == "rate":
        return "Tỷ lệ %, ví dụ 95,5 (được tính lại khi tổng hợp)"
    if i.part_of:
        return f"Thuộc chỉ tiêu: {catalogue[i.part_of].label}"
    return ""


# --- reading -------------------------------------------------------------------------------------
def read_workbook(content: bytes, filename: str) -> WorkbookForm:
    """A filled form as the dict that models.report_form reads, with the cell of every field.

    A workbook whose structure (every part but the sheets' cells, the shared strings and the
    core properties) was read by openpyxl before is read directly from its sheet XML
    (``tasks.sheet_xml``), with openpyxl's own rules; anything that reader does not know goes to
    openpyxl, which stays the reference."""
    def fail(message: str, sheet: str | None = None, cell: str | None = None) -> WorkbookForm:
        return WorkbookForm(None, {}, [Problem(message, filename, sheet, cell)])

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = set(zf.namelist())
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError):
        if content.startswith(OLE_MAGIC):
            return fail("bảng tính được đặt mật khẩu hoặc là định dạng Excel 97-2003 (.xls): hãy bỏ mật khẩu và "
                        "lưu lại dạng .xlsx theo mẫu.")
        return fail("không phải tệp Excel .xlsx hợp lệ (tệp hỏng, bị cắt cụt hoặc là loại tệp khác).")
    if "xl/workbook.xml" not in names:
        return fail("tệp nén không phải bảng tính Excel .xlsx (không có xl/workbook.xml).")
    if total > MAX_UNCOMPRESSED:
        return fail(f"bảng tính quá lớn khi giải nén ({total // 1_000_000} MB): không phải mẫu báo cáo.")
    problem = oversized_part(content)
    if problem:
        return fail(problem)
    shape = sheet_xml.Shape.of(content)
    structure = sheet_xml.KNOWN.get(shape.key) if shape is not None else None
    if shape is not None and structure is not None:
        try:
            sheets = sheet_xml.SheetXml(structure, shape)
            return _read_sheets(sheets.names, sheets.rows, filename)
        except Exception:  # anything unusual: openpyxl reads the file, and says what is wrong
            pass
    try:
        # Links to other workbooks are not even read: a value must be in the form itself.
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on broken parts
        return fail(f"không mở được bảng tính ({type(exc).__name__}: {exc}).")
    try:
        result = _read_sheets(wb.sheetnames, _openpyxl_rows(wb), filename)
        if shape is not None and structure is None:
            sheet_xml.learn(wb, shape)
        return result
    finally:
        wb.close()


def _openpyxl_rows(wb):
    """``rows`` for ``_read_sheets`` over a workbook opened by openpyxl."""
    def rows(sheet: str, first: int, last: int, width: int):
        return wb[sheet].iter_rows(min_row=first, max_row=last, max_col=width)
    return rows


class _TextTooLong(Exception):
    pass


class _Counter:
    """A parser target that only counts elements and the length of each text: no tree is built,
    memory stays flat. A text longer than a cell of Excel can hold (a shared string that cells
    would repeat without end) is refused before anything reads it."""

    def __init__(self, limit: int = MAX_XML_ELEMENTS, max_text: int = MAX_CELL):
        self.elements, self.limit, self.max_text = 0, limit, max_text
        self.text = 0

    def start(self, _tag, _attrib):
        self.elements += 1
        self.text = 0
        if self.elements > self.limit:
            raise OverflowError

    def end(self, _tag):
        self.text = 0

    def data(self, text):
        self.text += len(text)
        if self.text > self.max_text:
            raise _TextTooLong

    def close(self):
        pass


def oversized_part(content: bytes, *, what: str = "bảng tính", max_elements: int = MAX_XML_ELEMENTS,
                   max_text: int = MAX_CELL, kind: str = "Excel .xlsx", verdict: str = "không phải mẫu báo cáo"
                   ) -> str | None:
    """Why an Office file (a workbook, a Word document: both are zips of XML parts) is refused
    before its library reads it, if it is. openpyxl and python-docx build trees of their parts: a
    part of millions of tiny elements (a sheet of a million rows, a bloated style table) would take
    gigabytes of memory. Each XML part is streamed once through a counter that stops at
    ``max_elements``, and refuses a text of more than ``max_text`` characters (a shared string that
    cells would repeat without end)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for info in zf.infolist():
            if not info.filename.endswith((".xml", ".rels")) or _fits(zf, info, max_elements, max_text):
                continue
            parser = XMLParser(target=_Counter(max_elements, max_text))
            try:
                with zf.open(info) as part:
                    while chunk := part.read(1 << 16):
                        parser.feed(chunk)
                parser.close()
            except OverflowError:
                return (f"{what} có phần quá lớn ({info.filename}: hơn {max_elements:,} phần tử)"
                        .replace(",", ".") + f": {verdict}.")
            except _TextTooLong:
                if max_text == MAX_CELL:
                    return (f"{what} có một ô văn bản dài hơn {vnformat.number(max_text)} ký tự (phần {info.filename}), "
                            f"giới hạn của một ô Excel: {verdict}.")
                return f"{what} có một đoạn văn bản dài hơn {vnformat.number(max_text)} ký tự (phần {info.filename}): {verdict}."
            except ParseError as exc:
                return f"không mở được {what} (phần {info.filename} hỏng: {exc})."
            except (zipfile.BadZipFile, zlib_error, EOFError, NotImplementedError) as exc:
                return f"không phải tệp {kind} hợp lệ (phần {info.filename} hỏng: {exc})."
    return None


def _fits(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_elements: int, max_text: int) -> bool:
    """True if the part ``info`` is well-formed, has at most ``max_elements`` elements and no text
    longer than ``max_text``: the counts of ``_Counter``, with pyexpat's handlers (its character
    data buffered: a text comes in one call, not in one call per line and entity). False on
    anything else (a limit, an error, an entity it skips): ElementTree and ``_Counter`` then
    read the part again and say what is wrong in their own words."""
    parser = pyexpat.ParserCreate(None, "}")  # namespaces resolved, as ElementTree does: an unbound prefix fails
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    elements = text = 0

    def start(_tag, _attrib):
        nonlocal elements, text
        elements += 1
        text = 0
        if elements > max_elements:
            raise OverflowError

    def end(_tag):
        nonlocal text
        text = 0

    def data(chunk):
        nonlocal text
        text += len(chunk)
        if text > max_text:
            raise OverflowError

    def unexpanded(*_args):
        raise OverflowError  # ElementTree refuses an entity it does not expand (undeclared, external)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    parser.SkippedEntityHandler = parser.ExternalEntityRefHandler = unexpanded
    try:
        with zf.open(info) as part:
            while chunk := part.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except Exception:  # the reference reading says what it is
        return False
    return True


def _read_sheets(names: list[str], rows, filename: str) -> WorkbookForm:
    """The form in the sheets ``names``; ``rows(sheet, first, last, width)`` gives the rows of a
    sheet as openpyxl's ``iter_rows`` does."""
    result = WorkbookForm({}, {}, [])
    if SHEET_MARKER not in names:
        result.errors.append(Problem(
            "không phải mẫu báo cáo của dvtracker (thiếu trang ẩn đánh dấu phiên bản mẫu): hãy dùng mẫu tạo bởi "
            "'dvtracker template'.", filename))
    else:
        marker_rows = rows(SHEET_MARKER, 1, 1 + MAX_ROWS, 2)
        marker = {key: value for _row, (key, value) in _rows(marker_rows, result, filename, SHEET_MARKER, 2, first=1)}
        if marker.get("schema") != SCHEMA:
            result.errors.append(Problem(f"phiên bản mẫu '{marker.get('schema')}' không được hỗ trợ (cần {SCHEMA}).",
                                         filename, SHEET_MARKER, "B1"))
    missing = [s for s in (SHEET_META, SHEET_SECTIONS, SHEET_VALUES) if s not in names]
    if missing:
        result.errors.append(Problem(
            f"thiếu trang {', '.join(repr(m) for m in missing)} (bảng tính có: {', '.join(map(repr, names))}).", filename))
    if result.errors:
        result.form = None
        return result

    form, loc = result.form, result.locations
    assert form is not None  # set by the reader above when no error was found
    for row, (key, _label, value) in _keyed(rows, result, filename, SHEET_META, 3):
        if key in META_FIELDS:
            form[key] = value
            loc[key] = (SHEET_META, f"C{row}")
    sections = form.setdefault("sections", {})
    for row, (sid, _heading, status, text) in _keyed(rows, result, filename, SHEET_SECTIONS, 4):
        sections[sid] = {"status": status, "text": text}
        loc[f"sections.{sid}"] = (SHEET_SECTIONS, f"C{row}")
        loc[f"sections.{sid}.text"] = (SHEET_SECTIONS, f"D{row}")
    values = form.setdefault("indicators", {})
    for row, (iid, *_labels, value, approx, _note) in _keyed(rows, result, filename, SHEET_VALUES, 7):
        values[iid] = {"value": value, "approximate": approx}
        loc[f"indicators.{iid}"] = (SHEET_VALUES, f"E{row}")
        loc[f"indicators.{iid}.approximate"] = (SHEET_VALUES, f"F{row}")
    if result.errors:
        result.form = None
    return result


def _keyed(rows, result: WorkbookForm, filename: str, sheet: str, width: int):
    """(row number, values) of the data rows: those below the header with a key in column A."""
    first = HEADER_ROW + 1
    for number, values in _rows(rows(sheet, first, first + MAX_ROWS, width), result, filename, sheet, width,
                                first=first):
        key = values[0]
        if key is None or (isinstance(key, str) and not key.strip()):
            continue
        yield number, (str(key).strip(), *values[1:])


def _rows(sheet_rows, result: WorkbookForm, filename: str, sheet: str, width: int, *, first: int):
    """(row number, cell values) of the non-empty rows of ``sheet_rows`` (rows ``first`` to
    ``first + MAX_ROWS``, ``width`` columns); formulas and oversized sheets are errors."""
    last = first + MAX_ROWS
    for row in sheet_rows:
        cells = [c for c in row if getattr(c, "value", None) is not None]
        if not cells:
            continue
        if cells[0].row == last:
            result.errors.append(Problem(f"trang có hơn {MAX_ROWS} dòng: không phải mẫu báo cáo.", filename, sheet))
            return
        values: list[object] = [None] * width
        for cell in cells:
            value = cell.value
            if cell.data_type == "f" or (isinstance(value, str) and runs_as_formula(value)):
                result.errors.append(Problem(f"ô chứa công thức '{value}': hãy nhập giá trị, không dùng công thức.",
                                             filename, sheet, cell.coordinate))
                continue
            values[cell.column - 1] = value.strip() if isinstance(value, str) else value
        yield cells[0].row, values


def is_workbook(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def fill_form(app: App, cycle_id: str, path, *, unit: str | None = None, meta: dict | None = None,
              sections: dict | None = None, values: dict | None = None) -> Path:
    """Write the form of ``cycle_id`` and fill it in as a unit would in Excel (for the demo, the
    benchmark and the tests).

    ``meta``: field key -> value; ``sections``: id -> (status label, text); ``values``: indicator
    id -> cell value, or (cell value, approximate mark)."""
    write_template(app, cycle_id, unit=unit, path=path)
    wb = load_workbook(path)

    def rows(sheet):
        ws = wb[sheet]
        return ws, {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}

    ws, at = rows("Thông tin")
    for key, value in (meta or {}).items():
        ws.cell(at[key], 3).value = value
    ws, at = rows("Nội dung")
    for sid, (status, text) in (sections or {}).items():
        ws.cell(at[sid], 3).value, ws.cell(at[sid], 4).value = status, text
    ws, at = rows("Số liệu")
    for iid, value in (values or {}).items():
        value, mark = value if isinstance(value, tuple) else (value, None)
        ws.cell(at[iid], 5).value, ws.cell(at[iid], 6).value = value, mark
    wb.save(path)
    return path
