"""A report as units send it: a prose document (.docx, .pdf), possibly with the filled workbook,
possibly inside an edXML package; turned into the same form dict every other report is, so that
it takes the one path of ``tasks.intake.ingest`` (validation, storage, audit).

What each value is read from, first found first taken: the envelope (the exchange system's
record of who sent what, with which number and date), then the workbook annex, then the
document's own text. Disagreements are warnings; figures read in sentences are proposals for a
coordinator to review (``models.reviews``), never the report's figures by themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import select

from models import vnformat
from models.cycles import cycle_id_for
from models.errors import UserError
from models.report_form import Problem
from models.report_text import Candidate, Header, Paragraph, read_body, read_header
from models.tables import CycleRow, RequestRow
from tasks.edxml import Envelope, is_edxml, read_edxml
from tasks.report_docx import is_docx, read_docx
from tasks.report_pdf import is_pdf, read_pdf
from wiring.app import App

ENVELOPE = "phong bì edXML"
FormReader = Callable[[bytes, str], tuple[dict | None, dict, list[Problem]]]


@dataclass
class Part:
    name: str
    kind: str  # docx | pdf | form
    paragraphs: list[Paragraph] = field(default_factory=list)
    scanned: bool = False
    form: dict = field(default_factory=dict)  # a workbook's or a JSON/YAML form
    locations: dict = field(default_factory=dict)


@dataclass
class Package:
    kind: str  # edxml | docx | pdf
    envelope: Envelope | None = None
    parts: list[Part] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class ProseIntake:
    form: dict | None
    locations: dict
    errors: list[Problem]
    warnings: list[Problem]
    candidates: list[Candidate]
    figures_pending: bool
    info: dict


def document_kind(content: bytes, filename: str) -> str | None:
    """edxml, docx or pdf when the file is a prose report or a package; None for the forms."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".edxml" or (suffix in ("", ".xml") and is_edxml(content, filename)):
        return "edxml"
    if suffix == ".docx" or (suffix not in (".xlsx", ".xlsm") and is_docx(content)):
        return "docx"
    if suffix == ".pdf" or is_pdf(content):
        return "pdf"
    return None


def read_package(content: bytes, filename: str, *, max_bytes: int, read_form_file: FormReader) -> Package:
    kind = document_kind(content, filename) or "docx"
    package = Package(kind)
    if kind != "edxml":
        _add_part(package, content, filename, filename, kind, read_form_file)
        return package
    envelope, problems = read_edxml(content, filename, max_bytes=max_bytes)
    package.envelope = envelope
    if envelope is None:
        package.errors += problems
        return package
    package.warnings += problems
    for attachment in envelope.attachments:
        inner = document_kind(attachment.content, attachment.name)
        if inner == "edxml":
            package.warnings.append(Problem(f"tệp đính kèm '{attachment.name}' là một gói edXML khác: không đọc.",
                                            filename))
            continue
        _add_part(package, attachment.content, attachment.name, filename, inner, read_form_file)
    if not package.parts and not package.errors:
        package.errors.append(Problem("gói edXML không có tệp đính kèm đọc được (cần văn bản .docx, .pdf hoặc "
                                      "phụ lục .xlsx theo mẫu).", filename))
    return package


def _add_part(package: Package, content: bytes, name: str, filename: str, kind: str | None,
              read_form_file: FormReader) -> None:
    inside = package.kind == "edxml"

    def problems(found: list[Problem]) -> list[Problem]:
        if not inside:
            return found
        return [Problem(f"tệp đính kèm '{name}': {p}", filename) for p in found]

    if kind == "docx":
        paragraphs, errors = read_docx(content, name)
        if errors:
            package.errors += problems(errors)
        else:
            package.parts.append(Part(name, "docx", paragraphs))
    elif kind == "pdf":
        text, errors = read_pdf(content, name)
        if errors or text is None:
            package.errors += problems(errors)
        else:
            package.parts.append(Part(name, "pdf", text.paragraphs, scanned=text.scanned))
    else:
        form, locations, errors = read_form_file(content, name)
        if errors:
            package.errors += problems(errors)
        else:
            package.parts.append(Part(name, "form", form=form or {}, locations=locations))


# --- from what was read to the form -------------------------------------------------------------------
class _Values:
    """Field -> (value, where), the first source to give a value wins; later ones are compared."""

    def __init__(self, filename: str):
        self.filename = filename
        self.values: dict[str, tuple[object, str]] = {}
        self.warnings: list[Problem] = []

    def put(self, key: str, value: object, where: str, *, compare: bool = True) -> None:
        if value in (None, ""):
            return
        if key not in self.values:
            self.values[key] = (value, where)
        elif compare and _plain(self.values[key][0]) != _plain(value):
            first, at = self.values[key]
            self.warnings.append(Problem(f"{_LABELS.get(key, key)} ở {at} là '{_shown(first)}' nhưng ở {where} là "
                                         f"'{_shown(value)}': lấy theo {at}.", self.filename, field=key))

    def get(self, key: str):
        return self.values.get(key, (None, None))[0]


_LABELS = {"number": "số văn bản", "date": "ngày văn bản", "signer": "người ký", "answers_request": "công văn trả lời",
           "unit": "đơn vị"}


def _plain(value: object) -> object:
    return " ".join(value.split()).casefold() if isinstance(value, str) else value


def _shown(value: object) -> str:
    return f"{vnformat.day(value)}" if isinstance(value, date) else str(value)


def prose_form(app: App, package: Package, *, filename: str, default_cycle: str | None,
               received_on: date) -> ProseIntake:
    env = package.envelope
    prose = [p for p in package.parts if p.kind in ("docx", "pdf")]
    forms = [p for p in package.parts if p.kind == "form"]
    main, annex = (prose[0] if prose else None), (forms[0] if forms else None)
    warnings = list(package.warnings)
    errors: list[Problem] = []
    for extra in prose[1:] + forms[1:]:
        warnings.append(Problem(f"tệp đính kèm '{extra.name}' không được đọc: gói chỉ đọc một văn bản báo cáo và một "
                                "phụ lục.", filename))
    prefix = f"tệp đính kèm {main.name}, " if main and env else ""
    header = read_header(main.paragraphs, app.config.streams.values()) if main and main.paragraphs else Header()
    if env and env.subject and (header.title is None or header.request is None):
        # The envelope's trích yếu names the report too ("Báo cáo kết quả … năm 2023"), sometimes the request.
        told = read_header([Paragraph(f"BÁO CÁO\n{env.subject}", f"{ENVELOPE} (Subject)")], app.config.streams.values())
        if header.title is None:
            header.title, header.stream, header.period = told.title, told.stream, told.period
        header.request = header.request or told.request
    values = _Values(filename)
    if header.signer is not None:  # the document's own signature block is the fuller one
        values.put("signer", header.signer.value, prefix + header.signer.where)
    if env:
        values.put("number", env.number, f"{ENVELOPE} (Code)")
        values.put("date", env.promulgated, f"{ENVELOPE} (PromulgationInfo)")
        values.put("signer", env.signer, f"{ENVELOPE} (SignerInfo)", compare=False)
    if annex:
        for key in ("cycle", "unit", "sender", "number", "date", "signer", "state", "answers_request", "data_until"):
            values.put(key, annex.form.get(key), _annex_place(annex, key), compare=key not in ("signer", "unit"))
    for key, found in (("number", header.number), ("date", header.doc_date), ("answers_request", header.request)):
        if found is not None:
            values.put(key, found.value, prefix + found.where)
    if main and main.scanned:
        warnings.append(Problem(f"{main.name} là bản quét, không có lớp văn bản: đã nhận theo phong bì; cần nhập số "
                                "liệu và nội dung.", filename))
        if not env and not annex:
            return _refused(filename, f"tệp PDF {main.name} là bản quét, không có lớp văn bản: không đọc được số, ngày "
                            "và đơn vị báo cáo; hãy gửi qua hệ thống trao đổi văn bản (gói edXML) hoặc ghi nhận bằng "
                            "'dvtracker record'.")

    cycle, cycle_where, problem = _cycle(app, header, values, default_cycle, prefix)
    if cycle is None:
        problem = problem or _CycleProblem("không xác định được kỳ báo cáo của văn bản.", None)
        return _refused(filename, problem.message, problem.place, "cycle", warnings + values.warnings)
    values.values["cycle"] = (cycle.id, cycle_where)
    stream = app.config.stream(cycle.stream_id)
    if header.stream and header.stream.value != stream.id:
        warnings.append(Problem(f"tiêu đề văn bản thuộc luồng '{header.stream.value}' nhưng kỳ '{cycle.id}' thuộc luồng "
                                f"'{stream.id}'.", filename, place=prefix + header.stream.where))

    unit_problem = _unit(app, values, env, header, cycle, received_on, prefix)
    if unit_problem:
        errors.append(unit_problem)

    body = read_body(main.paragraphs, header, stream, app.catalogue(stream.id)) if main and main.paragraphs else None
    sections: dict[str, dict] = {}
    if body:
        sections = {sid: {"status": e.status, "text": e.text} for sid, e in body.sections.items()}
        warnings += [Problem(f.message, filename, place=prefix + f.where if f.where else None) for f in body.flags]
    if annex and isinstance(annex.form.get("sections"), dict):
        for sid, entry in annex.form["sections"].items():
            status, text = (entry.get("status"), entry.get("text")) if isinstance(entry, dict) else (None, entry)
            if status or text:
                sections[str(sid)] = entry
    candidates = list(body.candidates) if body else []
    given = _given(annex)
    if annex:
        for c in candidates:
            if c.indicator in given and given[c.indicator] is not None and _differs(given[c.indicator], c):
                warnings.append(Problem(f"chỉ tiêu {c.indicator}: phụ lục ghi '{given[c.indicator]}', văn bản ghi "
                                        f"'{c.raw}' ({c.sentence[:80]}).", filename, place=prefix + c.where))
        candidates = [c for c in candidates if given.get(c.indicator) is None]
    pending = not annex or bool(candidates) or bool(main and main.scanned)

    for key, limit in (("number", 64), ("answers_request", 64), ("signer", 255)):
        value, where = values.values.get(key, (None, None))
        if isinstance(value, str) and len(value) > limit:
            errors.append(Problem(f"{_LABELS[key]} dài quá {limit} ký tự: '{value[:40]}…'.", filename, field=key,
                                  place=where))
    form = {key: value for key, (value, _where) in values.values.items()
            if key in ("cycle", "unit", "sender", "number", "date", "signer", "state", "answers_request", "data_until")}
    form["sections"] = sections
    if annex and annex.form.get("indicators") is not None:
        form["indicators"] = annex.form["indicators"]
    locations = {key: where for key, (_value, where) in values.values.items()}
    info = dict(
        format=package.kind,
        parts=[dict(name=p.name, kind=p.kind, paragraphs=len(p.paragraphs), scanned=p.scanned) for p in package.parts],
        envelope=env.to_dict() if env else None,
        header={key: dict(value=_shown(value) if isinstance(value, date) else value, where=where)
                for key, (value, where) in values.values.items()},
        title=header.title.to_dict() if header.title else None,
        stream=header.stream.to_dict() if header.stream else None,
        period=dict(kind=header.period.value[0], year=header.period.value[1], where=header.period.where)
        if header.period else None,
        sections={sid: entry.get("status") if isinstance(entry, dict) else "reported" for sid, entry in sections.items()},
        section_where=body.section_where if body else {},
        figures_pending=pending,
        proposals=[c.to_dict() for c in candidates],
    )
    return ProseIntake(form, locations, errors, warnings + values.warnings, candidates, pending, info)


def _refused(filename: str, message: str, place: str | None = None, key: str | None = None,
             warnings: list[Problem] | None = None) -> ProseIntake:
    return ProseIntake(None, {}, [Problem(message, filename, field=key, place=place)], warnings or [], [], False, {})


def _annex_place(annex: Part, key: str) -> str:
    sheet, cell = annex.locations.get(key, (None, None))
    return f"tệp đính kèm {annex.name}" + (f", trang '{sheet}', ô {cell}" if sheet else "")


def _given(annex: Part | None) -> dict[str, object]:
    if annex is None or not isinstance(annex.form.get("indicators"), dict):
        return {}
    out = {}
    for iid, entry in annex.form["indicators"].items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        out[str(iid)] = value if value not in ("", None) else None
    return out


def _differs(given: object, candidate: Candidate) -> bool:
    from models.numbers import NumberError, parse_figure

    try:
        figure = parse_figure(given, allow_ratio=True)
    except NumberError:
        return True
    return figure.value != candidate.value


@dataclass(frozen=True)
class _CycleProblem:
    message: str
    place: str | None


def _cycle(app: App, header: Header, values: _Values, default: str | None, prefix: str
           ) -> tuple[CycleRow | None, str, _CycleProblem | None]:
    """The cycle the report answers: the one named (by the annex or the command), else the cycle of
    the request it answers, else the stream and period of its title."""
    request = values.get("answers_request")
    request_where: str | None = values.values.get("answers_request", (None, None))[1]
    where: str | None
    with app.session() as session:
        by_request = sorted(set(session.exec(select(RequestRow.cycle_id).where(RequestRow.number == request)).all())) \
            if request else []
        named = values.get("cycle") or default
        by_title = None
        if header.stream and header.period and header.period.value[0] in ("half_year", "annual"):
            by_title = cycle_id_for(header.stream.value, header.period.value[0], header.period.value[1])
        if named:
            if by_request and named not in by_request:
                return None, "", _CycleProblem(f"văn bản trả lời công văn {request} của kỳ {', '.join(by_request)}, không phải "
                                           f"kỳ '{named}' đang tiếp nhận.", request_where)
            chosen, where = named, values.values.get("cycle", (None, "kỳ đang tiếp nhận (--cycle)"))[1]
        elif len(by_request) == 1:
            chosen, where = by_request[0], request_where
        elif by_request:
            if by_title in by_request:
                chosen, where = by_title, request_where
            else:
                return None, "", _CycleProblem(f"công văn {request} thuộc nhiều kỳ ({', '.join(by_request)}): hãy ghi --cycle.",
                                           request_where)
        elif by_title and header.title and session.get(CycleRow, by_title) is not None:
            chosen = by_title
            where = header.title.where if header.title.where.startswith(ENVELOPE) else prefix + header.title.where
        else:
            read = [f"trả lời công văn {request} ({request_where}), chưa có trong kỳ nào" if request else
                    "không thấy câu trả lời công văn nào ('Thực hiện Công văn số …')"]
            if header.title:
                read.append(f"tiêu đề '{str(header.title.value)[:80]}' ({prefix}{header.title.where})")
            return None, "", _CycleProblem("không xác định được kỳ báo cáo của văn bản: " + "; ".join(read)
                                       + ". Hãy ghi rõ kỳ (--cycle).", request_where)
        cycle = session.get(CycleRow, chosen)
        if cycle is None:
            return None, "", _CycleProblem(f"không có kỳ báo cáo '{chosen}'.", where)
        session.expunge(cycle)
        return cycle, where or "", None


def _unit(app: App, values: _Values, env: Envelope | None, header: Header, cycle: CycleRow, received_on: date,
          prefix: str) -> Problem | None:
    """The unit reported on: the sender of the envelope (its OrganId in the roster), the annex's,
    else the issuing body the text names."""
    if env is not None:
        where = f"{ENVELOPE} (From/OrganId)"
        if not env.organ_id:
            return Problem(f"phong bì edXML không ghi mã định danh cơ quan gửi (From/OrganId) của "
                           f"'{env.organ_name or 'không rõ tên'}'.", values.filename, field="unit", place=where)
        try:
            sender = app.roster.by_organ_id(env.organ_id, received_on)
        except UserError as exc:
            name = f" ({env.organ_name})" if env.organ_name else ""
            return Problem(exc.message.replace(f"'{env.organ_id.strip()}'", f"'{env.organ_id.strip()}'{name}"),
                           values.filename, field="unit", place=where)
        annex_unit = values.get("unit")
        if annex_unit is None:
            values.put("unit", sender.id, f"{where} {env.organ_id}")
        elif values.get("sender") is None:
            values.put("sender", sender.id, f"{where} {env.organ_id}")
        return None
    if values.get("unit") is not None:
        return None
    tried = []
    for found in header.issuers:
        try:
            unit = app.roster.find(str(found.value), cycle.reference_date)
        except UserError:
            tried.append(f"'{found.value}' ({prefix}{found.where})")
            continue
        values.put("unit", unit.id, prefix + found.where)
        if header.place is not None and found.value == header.place.value:
            values.warnings.append(Problem(f"đơn vị báo cáo xác định theo địa danh '{found.value}' của văn bản: hãy kiểm "
                                           "tra lại.", values.filename, field="unit", place=prefix + found.where))
        return None
    read = "; ".join(tried) if tried else "không thấy tên cơ quan ban hành"
    return Problem(f"không xác định được đơn vị báo cáo: đã đọc {read}.", values.filename, field="unit")
