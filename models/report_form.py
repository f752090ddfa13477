"""The report form: a plain dict (from JSON, YAML or a filled workbook) turned into ReportData.

Every problem is collected, not only the first, and each names where it is: file, sheet, cell
and field. The dict form, documented in docs/intake.md::

    cycle: danvan-2023-annual        unit: "89"            sender: (a successor sending for it)
    number: 529/BC-UBND              date: 2024-05-24       signer: ...
    state: signed | draft            answers_request: 2748/BNV-CTTN      data_until: 2023-12-14
    sections:   {"III.6": {status: reported, text: "..."}, "VI": {status: empty}, "I": "text"}
    indicators: {reception_visits: "22.153", mass_delegations: "Không có",
                 par_index_score: {value: "81,32", approximate: false}}

Sections and indicators left out are "not reported"; every section of the stream and every
indicator of its catalogue is present in the result, so that the same content gives the same
report whatever form it came in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from models import vnformat
from models.catalogue import Indicator, read_figure
from models.deadlines import parse_date
from models.errors import UserError
from models.limits import MAX_TEXT, column_limit, control_character, text_problem, without_controls
from models.numbers import Figure, NumberError
from models.reports import SECTION_STATUSES, ReportData, SectionEntry, ValueEntry
from models.streams import Section
from models.tables import CycleRow, SubmissionRow, UnitRow, ValueRow
from models.text import name_key, nfc, strip_accents

SCHEMA = "dvtracker-report/1"
META_FIELDS = {
    "cycle": "Mã kỳ báo cáo",
    "unit": "Đơn vị báo cáo (mã hoặc tên)",
    "sender": "Đơn vị gửi thay (đơn vị kế thừa, nếu có)",
    "number": "Số văn bản (ví dụ 529/BC-UBND)",
    "date": "Ngày văn bản",
    "signer": "Người ký",
    "state": "Tình trạng văn bản",
    "answers_request": "Trả lời công văn số",
    "data_until": "Số liệu tính đến ngày",
}
DOC_STATES = {"signed": "Đã ký ban hành", "draft": "Dự thảo"}
YES_WORDS = {"co", "x", "true", "1", "yes", "uoc tinh"}
TOP_KEYS = {"schema", "sections", "indicators", "compiled_from", *META_FIELDS}
# A lower collector's compilation sent up as a report (``dvtracker rollup``): where it came from.
COMPILED_FROM = {"collector": "mã đơn vị thu thập", "cycle": "mã kỳ báo cáo của đơn vị thu thập",
                 "version": "số bản tổng hợp (số nguyên từ 1)", "draft_sha256": "mã SHA-256 của dự thảo (64 ký tự hex)"}
# Each short field as long as the column that keeps it (the unit and sender are names of the roster).
_LIMITS = {
    "cycle": column_limit(CycleRow, "id"), "unit": column_limit(UnitRow, "name"), "sender": column_limit(UnitRow, "name"),
    "number": column_limit(SubmissionRow, "doc_number"), "signer": column_limit(SubmissionRow, "signer"),
    "answers_request": column_limit(SubmissionRow, "answers_request"), "date": 100, "data_until": 100, "state": 100,
}
RAW_LIMIT = column_limit(ValueRow, "raw")


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    place: str | None = None  # in a prose report: "đoạn 12", "trang 3, dòng 5", "phong bì edXML (Code)"

    def __str__(self) -> str:
        where = [f"tệp {self.file}" if self.file else None,
                 f"trang '{self.sheet}'" if self.sheet else None,
                 f"ô {self.cell}" if self.cell else None,
                 self.place,
                 f"mục {self.field}" if self.field else None]
        prefix = ", ".join(w for w in where if w)
        return f"{prefix}: {self.message}" if prefix else self.message

    def to_dict(self) -> dict:
        return dict(file=self.file, sheet=self.sheet, cell=self.cell, field=self.field, message=self.message,
                    place=self.place)


Locations = dict[str, "tuple[str, str] | str"]  # field -> (sheet, cell) of a workbook, or a place in a document


def located(message: str, file: str | None, locations: Locations, key: str) -> Problem:
    """A problem of ``key``, said where the field was read: a workbook's cell or a document's place."""
    where = locations.get(key)
    if isinstance(where, str):
        return Problem(message, file, field=key, place=where)
    sheet, cell = where or (None, None)
    return Problem(message, file, sheet, cell, key)


@dataclass
class FormResult:
    report: ReportData | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _Collector:
    def __init__(self, file: str | None, locations: Locations):
        self.file, self.locations = file, locations
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, key: str, message: str) -> Problem:
        return located(message, self.file, self.locations, key)

    def error(self, key: str, message: str) -> None:
        self.errors.append(self.problem(key, message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(self.problem(key, message))


def form_cycle(form: dict) -> str | None:
    value = form.get("cycle") if isinstance(form, dict) else None
    return _text(value)


def read_form(form: object, *, sections: list[Section], indicators: list[Indicator], file: str | None = None,
              locations: Locations | None = None) -> FormResult:
    """Validate a report form against its stream's sections and indicator catalogue."""
    c = _Collector(file, locations or {})
    if not isinstance(form, dict):
        c.error("", "nội dung phải là một bảng khoá - giá trị (JSON object / YAML mapping).")
        return FormResult(None, c.errors, c.warnings)
    schema = _text(form.get("schema"))
    if schema and schema != SCHEMA:
        c.error("schema", f"phiên bản mẫu '{schema}' không được hỗ trợ (cần {SCHEMA}).")
    for key in sorted(set(map(str, form)) - TOP_KEYS):
        c.error(key, f"mục '{key}' không có trong mẫu báo cáo (các mục: {', '.join(sorted(TOP_KEYS))}).")

    too_long = False
    for key, limit in _LIMITS.items():
        value = _text(form.get(key)) if not isinstance(form.get(key), (dict, list)) else None
        problem = text_problem(value, limit) if value else None
        if problem:
            c.error(key, f"{META_FIELDS[key]} {problem}.")
            too_long = True
    if too_long:  # the fields below would be read from values that cannot be kept
        return FormResult(None, c.errors, c.warnings)

    unit = _text(form.get("unit"))
    if not unit:
        c.error("unit", "thiếu đơn vị báo cáo.")
    number = _text(form.get("number"))
    prefix = re.match(r"so\s*[:.]?\s*", strip_accents(number or ""), re.IGNORECASE)
    if number and prefix:  # "Số: 529/BC-UBND"
        number = number[prefix.end():].strip() or None
    if number and not (number[0].isalnum() or number[0] == "/"):  # "=HYPERLINK(...)", "+cmd|...", "@SUM(...)"
        c.error("number", f"số văn bản '{number[:40]}' không hợp lệ: phải bắt đầu bằng chữ hoặc số "
                          "(ví dụ 529/BC-UBND).")
        number = None
    doc_date = _date(c, form, "date")
    state = _state(c, form.get("state"))
    report = ReportData(
        unit=unit or "",
        cycle_id=form_cycle(form),
        doc_number=number,
        doc_date=doc_date,
        signer=_text(form.get("signer")),
        sender=_text(form.get("sender")),
        answers_request=_text(form.get("answers_request")),
        data_until=_date(c, form, "data_until"),
        draft=state == "draft",
        sections=_sections(c, form.get("sections"), sections),
        values=_values(c, form.get("indicators"), indicators),
        compiled_from=_compiled_from(c, form.get("compiled_from")),
    )
    if state != "draft" and report.is_draft and not any(p.field in ("number", "date") for p in c.errors):
        missing = "số văn bản" if not number or number.startswith("/") else "ngày văn bản"
        c.warn("number" if missing == "số văn bản" else "date",
               f"thiếu {missing}: báo cáo được lưu là dự thảo, chưa tính là đã nộp.")
    _check_parts(c, report.values, indicators)
    return FormResult(None if c.errors else report, c.errors, c.warnings)


def _compiled_from(c: _Collector, given: object) -> dict | None:
    """The link of a report made from a lower collector's compilation, checked field by field."""
    if given is None:
        return None
    if not isinstance(given, dict) or set(map(str, given)) != set(COMPILED_FROM):
        c.error("compiled_from", "mục 'compiled_from' phải là bảng gồm đúng các khoá "
                                 f"{', '.join(COMPILED_FROM)} (bản tổng hợp được gửi lên).")
        return None
    link = {k: given[k] for k in COMPILED_FROM}
    version = link["version"]
    if isinstance(version, str) and version.isdigit():
        link["version"] = version = int(version)
    bad = [k for k in ("collector", "cycle") if not isinstance(link[k], str) or not 0 < len(link[k]) <= 80]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        bad.append("version")
    if not (isinstance(link["draft_sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", link["draft_sha256"])):
        bad.append("draft_sha256")
    for key in bad:
        c.error(f"compiled_from.{key}", f"Nguồn của báo cáo tổng hợp: {COMPILED_FROM[key]} không hợp lệ.")
    return None if bad else link


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = nfc(str(value)).strip()
    return text or None


def _date(c: _Collector, form: dict, key: str) -> date | None:
    value = form.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    text = text.rsplit(",", 1)[-1].strip()  # "An Giang, ngày 24 tháng 5 năm 2024"
    if not re.search(r"\d", re.sub(r"\b\d{4}\b", "", text)):
        return None  # "ngày   tháng   năm 2023": not dated yet, a draft
    try:
        return parse_date(text, field=META_FIELDS[key])
    except UserError as exc:
        c.error(key, exc.message)
        return None


def _state(c: _Collector, value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    key = name_key(text)
    for state, label in DOC_STATES.items():
        if key in (state, name_key(label)):
            return state
    c.error("state", f"tình trạng '{text}' không hợp lệ (cần: {', '.join(DOC_STATES.values())}).")
    return None


def _section_status(text: str | None) -> str | None:
    if text is None:
        return None
    key = name_key(text)
    for status, label in SECTION_STATUSES.items():
        if key in (status, name_key(label), name_key(status.replace("_", " "))):
            return status
    return ""


def _sections(c: _Collector, given: object, stream_sections: list[Section]) -> dict[str, SectionEntry]:
    known = {s.id: s for s in stream_sections}
    result = {s.id: SectionEntry("not_reported") for s in stream_sections}
    if given is None:
        return result
    if not isinstance(given, dict):
        c.error("sections", "mục 'sections' phải là bảng: mã phần -> nội dung.")
        return result
    for raw_id, entry in given.items():
        sid = _text(raw_id) or ""
        key = f"sections.{sid}"
        if sid not in known:
            c.error(key, f"phần '{sid}' không có trong đề cương báo cáo (các phần: {', '.join(known)}).")
            continue
        status_text, text = (_text(entry.get("status")), _text(entry.get("text"))) if isinstance(entry, dict) \
            else (None, _text(entry))
        status = _section_status(status_text)
        if status == "":
            c.error(key, f"tình trạng '{status_text}' không hợp lệ (cần: {', '.join(SECTION_STATUSES.values())}).")
            continue
        if status is None:
            status = "reported" if text else "not_reported"
        if status == "reported" and not text:
            c.warn(f"{key}.text", f"phần {sid} ghi '{SECTION_STATUSES['reported']}' nhưng không có nội dung.")
        if text and control_character(text):  # Word tables leave BEL in copied text: what a person typed is kept
            text = without_controls(text).strip() or None
            c.warn(f"{key}.text", f"phần {sid}: đã bỏ các ký tự điều khiển (không in được) trong nội dung.")
        if text and len(text) > MAX_TEXT:
            c.error(f"{key}.text", f"phần {sid} dài {vnformat.number(len(text))} ký tự, tối đa "
                                   f"{vnformat.number(MAX_TEXT)}: hãy gửi phần tóm tắt.")
            continue
        result[sid] = SectionEntry(status, text)
    return result


def _values(c: _Collector, given: object, catalogue: list[Indicator]) -> dict[str, ValueEntry]:
    known = {i.id: i for i in catalogue}
    result = {i.id: ValueEntry("not_reported") for i in catalogue}
    if given is None:
        return result
    if not isinstance(given, dict):
        c.error("indicators", "mục 'indicators' phải là bảng: mã chỉ tiêu -> số liệu.")
        return result
    for raw_id, entry in given.items():
        iid = _text(raw_id) or ""
        key = f"indicators.{iid}"
        indicator = known.get(iid)
        if indicator is None:
            c.error(key, f"chỉ tiêu '{iid}' không có trong danh mục chỉ tiêu của luồng báo cáo.")
            continue
        cell, flag = (entry.get("value"), entry.get("approximate")) if isinstance(entry, dict) else (entry, None)
        problem = text_problem(cell, RAW_LIMIT) if isinstance(cell, str) else None
        if problem:
            c.error(key, f"{indicator.label}: số liệu {problem}.")
            continue
        try:
            figure = read_figure(indicator, _plain(cell))
        except NumberError as exc:
            c.error(key, f"{indicator.label}: {exc}")
            continue
        approximate = figure.approximate or _yes(flag)
        if figure.status == "not_reported" and _yes(flag):
            c.warn(f"{key}.approximate", f"{indicator.label}: đánh dấu ước tính nhưng không có số liệu.")
        if indicator.aggregation == "sum" and figure.value is not None and not float(figure.value).is_integer():
            c.warn(key, f"{indicator.label}: số lẻ '{figure.raw or figure.value}' ở chỉ tiêu đếm — kiểm tra dấu "
                        "ngăn cách hàng nghìn (viết 22.153 cho hai mươi hai nghìn).")
        result[iid] = _entry(figure, approximate)
    return result


def _plain(cell: object) -> object:
    return nfc(cell) if isinstance(cell, str) else cell


def _yes(flag: object) -> bool:
    if isinstance(flag, bool):
        return flag
    text = _text(flag)
    return text is not None and strip_accents(text).casefold() in YES_WORDS


def _entry(figure: Figure, approximate: bool) -> ValueEntry:
    return ValueEntry(figure.status, figure.value, approximate, figure.raw)


def _check_parts(c: _Collector, values: dict[str, ValueEntry], catalogue: list[Indicator]) -> None:
    """Parts that add up to more than their total: a warning, the report is still accepted."""
    parts: dict[str, list[str]] = defaultdict(list)
    for i in catalogue:
        if i.part_of:
            parts[i.part_of].append(i.id)
    labels = {i.id: i.label for i in catalogue}
    for total_id, part_ids in parts.items():
        total = values.get(total_id)
        reported = [v for p in part_ids if p in values and (v := values[p].value) is not None]
        if total is None or total.value is None or not reported:
            continue
        added = sum(reported)
        if added > total.value:
            terms = " + ".join(_fmt(v) for v in reported)
            c.warn(f"indicators.{total_id}",
                   f"{labels[total_id]}: các chỉ tiêu thành phần cộng lại lớn hơn tổng số "
                   f"({terms} = {_fmt(added)} > {_fmt(total.value)}).")


def _fmt(value: float) -> str:
    return vnformat.number(value, 3)
