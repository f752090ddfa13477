"""Reading a filled form's cells straight from its sheet XML, with openpyxl's own rules.

openpyxl's workbook model costs most of the time of reading a form: the styles, the workbook and
its relations, the properties are turned into objects for every file, and every cell becomes a
dict and then an object. Yet forms made from one template differ only in their cells: every
other part (styles, workbook, relations, content types, the sheets outside ``<sheetData>``) is
the template's, and forms saved again by one program on one machine share theirs too.

So when a workbook of a given structure comes again (see ``learn``), openpyxl reads it (the
reference), and what it found is kept: the sheets and their parts, the shared strings' part, the
date styles, the epoch; only if openpyxl also read every sheet through to its end without an
error, so every part outside the cells is known to read. A later workbook whose parts outside the
cells are byte for byte the same (``Shape.key``; the app properties and the theme, which openpyxl
does not parse, excepted) is read here: its cells are parsed with lxml and converted exactly as
openpyxl's ``WorkSheetParser`` converts them (numbers, dates by style and epoch, booleans, shared
and inline strings, rich text through openpyxl's own ``Text``, the rows as
``ReadOnlyWorksheet.iter_rows`` gives them). What this reader does not know (a formula, an
element out of place, a comment or a DOCTYPE in a part, a broken value) makes it give up, and the
caller lets openpyxl read the file: the result is always openpyxl's.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from openpyxl.cell.text import Text
from openpyxl.packaging.core import DocumentProperties
from openpyxl.packaging.manifest import Manifest
from openpyxl.reader.strings import read_string_table
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet import _reader as sheet_reader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.xml.constants import ARC_APP, ARC_CONTENT_TYPES, ARC_CORE, ARC_THEME, SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring

SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml\Z")
STRINGS_PART = "xl/sharedStrings.xml"
PER_FILE = (STRINGS_PART, ARC_CORE)  # parts that differ from one form to the next, besides the sheets
UNREAD = (ARC_APP, ARC_THEME)  # parts openpyxl does not parse (the theme is kept as bytes): their content is no matter
MAX_FIXED_BYTES = 1 << 20  # the parts compared byte for byte: a form has about 30 KB of them
MAX_KNOWN = 32  # structures kept (one per template version and per program that saved a form)
MAX_SEEN = 4096

_ROW, _CELL, _VALUE, _FORMULA, _INLINE = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("row", "c", "v", "f", "is"))
_TEXT, _STRING_ITEM, _SHEET_DATA = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("t", "si", "sheetData"))
# Sheet-level elements that openpyxl's parser acts on wherever they are: none may be in the cells.
_SHEET_LEVEL = tuple(f"{{{SHEET_MAIN_NS}}}{tag}" for tag in (
    "col", "sheetProtection", "extLst", "conditionalFormatting", "legacyDrawing", "rowBreaks", "colBreaks",
    "customSheetViews", "printOptions", "pageMargins", "pageSetup", "headerFooter", "autoFilter", "dataValidations",
    "sheetPr", "sheetViews", "sheetFormatPr", "scenarios", "tableParts", "hyperlinks", "mergeCells", "dimension"))
_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(?:row|c|sheetData)[\s/>]")
_COORDINATES: dict[str, tuple[int, int]] = {}  # "E12" -> (12, 5): the same few hundred in every form
MAX_COORDINATES = 1 << 16
_LOCAL = threading.local()  # an lxml parser is not to be shared between threads


def _parse_xml(data: bytes):
    """The tree of a part; no entity resolved, nothing fetched (a part with a DOCTYPE never gets
    here: ``_plain``)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


class Unusual(Exception):
    """Something this reader does not read as openpyxl would: openpyxl reads the file."""


def _plain(data: bytes) -> bool:
    """An XML part that lxml and openpyxl's parser (ElementTree) turn into the same texts: UTF-8
    or Latin-1, no DOCTYPE (entities), no comment or processing instruction (ElementTree joins
    the text around them, lxml splits it)."""
    if b"\x00" in data[:4] or b"<!DOCTYPE" in data or b"<!--" in data:
        return False
    first = data.find(b"<?")
    return first < 0 or (first <= 3 and data.find(b"<?", first + 2) < 0)


def _frame(data: bytes) -> bytes | None:
    """A sheet's XML without its cells (what lies outside ``<sheetData>``), or None if the sheet
    is not one this reader reads."""
    start, end = data.find(b"<sheetData"), data.find(b"</sheetData>")
    if start < 0 or end < start or data.find(b"<sheetData", start + 1) >= 0 or not _plain(data):
        return None
    head, tail = data[:start], data[end + len(b"</sheetData>"):]
    if _ROW_OR_CELL.search(head) or _ROW_OR_CELL.search(tail):
        return None
    return head + b"\0" + tail


@dataclass(frozen=True)
class Shape:
    """A workbook split into what identifies its structure (``key``, a digest of every part
    outside the cells) and its per-file parts."""

    key: bytes
    parts: dict[str, bytes]  # the sheets (whole XML), the shared strings, the core properties
    content_types: bytes | None

    @classmethod
    def of(cls, content: bytes) -> Shape | None:
        digest = hashlib.blake2b(digest_size=32)

        def add(*fields: bytes) -> None:
            for f in fields:
                digest.update(len(f).to_bytes(8, "little") + f)

        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
            if len({i.filename for i in infos}) != len(infos):
                return None  # two parts of one name: openpyxl reads the last one; leave it to openpyxl
            parts, fixed_bytes = {}, 0
            for info in infos:
                name = info.filename
                if SHEET_PART.match(name):
                    data = zf.read(info)
                    frame = _frame(data)
                    if frame is None:
                        return None
                    parts[name] = data
                    add(b"sheet", name.encode(), frame)
                elif name in PER_FILE:
                    parts[name] = zf.read(info)
                    add(b"per file", name.encode())
                elif name in UNREAD:
                    add(b"unread", name.encode())
                else:
                    fixed_bytes += info.file_size
                    if fixed_bytes > MAX_FIXED_BYTES:
                        return None
                    data = zf.read(info)
                    if name == ARC_CONTENT_TYPES:
                        parts[name] = data
                    add(b"fixed", name.encode(), data)
        return cls(digest.digest(), parts, parts.pop(ARC_CONTENT_TYPES, None))


@dataclass(frozen=True)
class Structure:
    """What openpyxl found in a workbook of a given shape."""

    sheets: tuple[tuple[str, str], ...]  # (title, sheet part), in openpyxl's order
    strings: str | None  # the shared strings' part, if the content types name one
    epoch: datetime
    date_formats: frozenset[int]
    timedelta_formats: frozenset[int]


KNOWN: dict[bytes, Structure] = {}
SEEN: dict[bytes, None] = {}  # shapes read once by openpyxl: a structure is learnt when it comes again


def learn(wb, shape: Shape) -> None:
    """Keep the structure of ``wb`` (opened read-only by openpyxl from the file of ``shape``) if
    every one of its sheets reads through to the end. Not the first time a shape comes: a
    workbook that Excel saved on one machine (its window size, its path in xl/workbook.xml) may
    be the only one of its shape, and learning costs another reading of its sheets."""
    if shape.key not in SEEN:
        if len(SEEN) >= MAX_SEEN:
            SEEN.clear()
        SEEN[shape.key] = None
        return
    sheets = []
    for ws in wb._sheets:
        if not isinstance(ws, ReadOnlyWorksheet) or ws._worksheet_path not in shape.parts:
            return
        sheets.append((ws.title, ws._worksheet_path))
    if shape.content_types is None:
        return
    try:
        found = Manifest.from_tree(fromstring(shape.content_types)).find(SHARED_STRINGS)
        strings = found.PartName[1:] if found is not None else None
        if strings is not None and strings != STRINGS_PART:
            return
        for ws in wb._sheets:
            parser = sheet_reader.WorkSheetParser(io.BytesIO(shape.parts[ws._worksheet_path]), ws._shared_strings,
                                                  data_only=False, epoch=wb.epoch, date_formats=wb._date_formats,
                                                  timedelta_formats=wb._timedelta_formats)
            for _row in parser.parse():
                pass
    except Exception:  # a workbook openpyxl cannot read to the end is always left to it
        return
    if len(KNOWN) >= MAX_KNOWN:
        KNOWN.clear()
    KNOWN[shape.key] = Structure(tuple(sheets), strings, wb.epoch, frozenset(wb._date_formats),
                                 frozenset(wb._timedelta_formats))


class Cell:
    """What ``tasks.workbook`` reads of an openpyxl ``ReadOnlyCell``."""

    __slots__ = ("column", "data_type", "row", "value")

    def __init__(self, row: int, column: int, value, data_type: str):
        self.row, self.column, self.value, self.data_type = row, column, value, data_type

    @property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


class SheetXml:
    """The sheets of a workbook of a known structure, read as openpyxl reads them."""

    def __init__(self, structure: Structure, shape: Shape):
        self.structure, self.parts = structure, shape.parts
        self.names = [title for title, _path in structure.sheets]
        if ARC_CORE in self.parts:  # openpyxl reads the core properties, and fails on broken ones
            DocumentProperties.from_tree(fromstring(self.parts[ARC_CORE]))
        self.strings = self._strings() if structure.strings else []
        self._parsed: dict[str, list] = {}

    def _strings(self) -> list[str]:
        data = self.parts[STRINGS_PART]
        if _plain(data):
            root = _parse_xml(data)
            items = list(root)
            strings = []
            for si in items:
                if si.tag != _STRING_ITEM or si.attrib or len(si) != 1 or si[0].tag != _TEXT:
                    break
                strings.append((si[0].text or "").replace("x005F_", ""))
            else:
                if sum(1 for _ in root.iter(_STRING_ITEM)) == len(items):
                    return strings
        return read_string_table(io.BytesIO(data))  # rich text and anything else: openpyxl's own reading

    def rows(self, sheet: str, first: int, last: int, width: int) -> Iterator[list]:
        """The rows ``first`` to ``last`` of ``sheet``, ``width`` cells each (None where empty), as
        ``ReadOnlyWorksheet.iter_rows`` gives them; rows it would give empty are left out."""
        path = next(p for title, p in self.structure.sheets if title == sheet)
        if path not in self._parsed:
            self._parsed[path] = self._parse(self.parts[path])
        counter = first
        for number, cells in self._parsed[path]:
            if number > last:
                break
            counter = max(counter, number)
            if counter == number:  # a row before ``first`` or out of order is not given
                row: list = [None] * width
                for column, cell in cells:
                    if 1 <= column <= width:
                        row[column - 1] = cell  # the last of a column wins, even empty
                counter += 1
                yield row

    def _parse(self, data: bytes) -> list[tuple[int, list[tuple[int, Cell | None]]]]:
        """(row number, [(column, cell)]) of every row, as ``WorkSheetParser.parse`` gives them."""
        root = _parse_xml(data)
        sheet_data = root.find(_SHEET_DATA)
        if sheet_data is None or next(sheet_data.iter(*_SHEET_LEVEL), None) is not None:
            raise Unusual
        rows, counter, count = [], 0, 0
        for row in sheet_data:
            if row.tag != _ROW:
                raise Unusual
            number = row.get("r")
            if number is not None:
                try:
                    counter = int(number)
                except ValueError:
                    as_float = float(number)
                    if not as_float.is_integer():
                        raise ValueError(f"{number} is not a valid row number") from None
                    counter = int(as_float)
            else:
                counter += 1
            column, cells = 0, []
            for c in row:
                if c.tag != _CELL:
                    raise Unusual
                column, cell = self._cell(c, counter, column)
                cells.append((column, cell))
            count += len(cells)
            rows.append((counter, cells))
        if sum(1 for _ in sheet_data.iter(_ROW)) != len(rows) or sum(1 for _ in sheet_data.iter(_CELL)) != count:
            raise Unusual  # rows or cells nested where openpyxl would find them too
        return rows

    def _cell(self, element, row_counter: int, col_counter: int) -> tuple[int, Cell | None]:
        """(column, cell) as ``WorkSheetParser.parse_cell`` reads it, formulas excepted (openpyxl
        words their refusal); the cell None when it has no value."""
        get = element.get
        data_type = get("t", "n")
        coordinate = get("r")
        style_id = get("s", 0)
        if style_id:
            style_id = int(style_id)
        if coordinate:
            place = _COORDINATES.get(coordinate)
            if place is None:
                if len(_COORDINATES) > MAX_COORDINATES:
                    _COORDINATES.clear()
                place = _COORDINATES[coordinate] = coordinate_to_tuple(coordinate)
            row, column = place
        else:
            row, column = row_counter, col_counter + 1
        if len(element) == 1:  # the usual cell: one <v> or one <is>
            child = element[0]
            tag = child.tag
            if tag == _FORMULA:
                raise Unusual
            value = (child.text or None) if tag == _VALUE and data_type != "inlineStr" else None
            inline = child if tag == _INLINE else None
        else:
            if element.find(_FORMULA) is not None:
                raise Unusual
            value = None if data_type == "inlineStr" else (element.findtext(_VALUE, None) or None)
            inline = element.find(_INLINE) if data_type == "inlineStr" else None
        if value is not None:
            if data_type == "n":
                value = sheet_reader._cast_number(value)
                if style_id in self.structure.date_formats:
                    data_type = "d"
                    value = from_excel(value, self.structure.epoch,
                                       timedelta=style_id in self.structure.timedelta_formats)
            elif data_type == "s":
                value = self.strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "str":
                data_type = "s"
            elif data_type == "d":
                value = from_ISO8601(value)
        elif data_type == "inlineStr" and inline is not None:
            data_type = "s"
            if not inline.attrib and len(inline) == 1 and inline[0].tag == _TEXT:
                value = inline[0].text or ""
            else:
                value = Text.from_tree(inline).content
        return column, (None if value is None else Cell(row, column, value, data_type))
