"""edXML packages (QCVN 102:2016/BTTTT): the envelope of documents exchanged between agencies,
with the documents themselves as base64 attachments.

Read defensively, as a file from another system: no DTD (so no entities, internal or external),
no network, a bounded number of elements, depth and attachments, each attachment no larger than
a report file may be. Elements are matched by local name, whatever their prefix; fields that are
missing or left as placeholders are simply absent.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree
from lxml.builder import ElementMaker

from models.report_form import Problem
from models.text import nfc

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
MAX_ELEMENTS = 20_000
MAX_DEPTH = 40
MAX_ATTACHMENTS = 20
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


@dataclass
class Attachment:
    name: str
    content_type: str | None
    content: bytes


@dataclass
class Envelope:
    organ_id: str | None = None
    organ_name: str | None = None
    code_number: str | None = None
    code_notation: str | None = None
    place: str | None = None
    promulgated: date | None = None
    type_name: str | None = None
    subject: str | None = None
    signer: str | None = None
    due: date | None = None
    traced_at: datetime | None = None  # the trace header's timestamp; the service's receipt time decides
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def number(self) -> str | None:
        if not self.code_notation:
            return None
        return f"{self.code_number or ''}/{self.code_notation}"

    def to_dict(self) -> dict:
        return dict(organ_id=self.organ_id, organ_name=self.organ_name, number=self.number, place=self.place,
                    date=self.promulgated.isoformat() if self.promulgated else None, type=self.type_name,
                    subject=self.subject, signer=self.signer, due_date=self.due.isoformat() if self.due else None,
                    traced_at=self.traced_at.isoformat() if self.traced_at else None,
                    attachments=[dict(name=a.name, content_type=a.content_type, size=len(a.content))
                                 for a in self.attachments])


def is_edxml(content: bytes, filename: str) -> bool:
    head = content[:4096]
    return filename.lower().endswith(".edxml") or (head.lstrip().startswith(b"<") and b"edXML" in head)


def read_edxml(content: bytes, filename: str, *, max_bytes: int) -> tuple[Envelope | None, list[Problem]]:
    def fail(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(message, filename)]

    if _DOCTYPE.search(content):
        return fail("gói edXML có khai báo DOCTYPE/ENTITY: không đọc (gói edXML hợp lệ không cần khai báo này).")
    root, problem = _parse(content)
    if problem:
        return fail(problem)
    if _local(root) != "edXML" and not any(_local(e) == "edXMLEnvelope" for e in root.iter()):
        return fail("không phải gói edXML (thiếu phần tử edXML/edXMLEnvelope).")
    header = _first(root, "MessageHeader")
    if header is None:
        return fail("gói edXML thiếu phần tiêu đề (edXMLHeader/MessageHeader).")
    env = Envelope()
    sender = _first(header, "From")
    env.organ_id, env.organ_name = _text(sender, "OrganId"), _text(sender, "OrganName")
    code = _first(header, "Code")
    env.code_number, env.code_notation = _text(code, "CodeNumber"), _text(code, "CodeNotation")
    info = _first(header, "PromulgationInfo")
    env.place = _text(info, "Place")
    problems: list[Problem] = []
    env.promulgated = _date(_text(info, "PromulgationDate"), "PromulgationInfo/PromulgationDate", filename, problems)
    kind = _first(header, "DocumentType")
    env.type_name = _text(kind, "TypeName")
    env.subject = _text(header, "Subject")
    signer = _first(header, "SignerInfo")
    parts = [_text(signer, "Competence"), _text(signer, "Position"), _text(signer, "FullName")]
    env.signer = " / ".join(p for p in parts if p) or None
    env.due = _date(_text(header, "DueDate"), "DueDate", filename, problems)
    trace = _first(root, "TraceHeader")
    env.traced_at = _moment(_text(trace, "Timestamp"))
    attachments = [e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "Attachment"]
    if len(attachments) > MAX_ATTACHMENTS:
        return fail(f"gói edXML có {len(attachments)} tệp đính kèm (tối đa {MAX_ATTACHMENTS}).")
    for index, element in enumerate(attachments, start=1):
        name = _text(element, "AttachmentName") or f"tep-dinh-kem-{index}"
        encoded = "".join(_first(element, "ContentTransferEncoded").itertext()
                           if _first(element, "ContentTransferEncoded") is not None else [])
        encoded = re.sub(r"\s+", "", encoded)
        if len(encoded) * 3 // 4 > max_bytes:
            problems.append(Problem(f"tệp đính kèm '{name}' quá lớn ({len(encoded) * 3 // 4 // 1_048_576} MB, tối đa "
                                    f"{max_bytes // 1_048_576} MB): không đọc.", filename))
            continue
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            problems.append(Problem(f"tệp đính kèm '{name}': nội dung base64 không giải mã được.", filename))
            continue
        if not data:
            problems.append(Problem(f"tệp đính kèm '{name}' rỗng.", filename))
            continue
        env.attachments.append(Attachment(name, _text(element, "ContentType"), data))
    if not env.attachments and not problems:
        problems.append(Problem("gói edXML không có tệp đính kèm (AttachmentEncoded/Attachment): không có văn bản "
                                "để đọc.", filename))
    return env, problems


def _parse(content: bytes):
    """The tree, read with entities, DTDs and the network off; too many elements or too deep a
    nesting stop the reading. (``huge_tree`` only lifts libxml2's limit on one text node, which a
    base64 attachment of a few megabytes exceeds; the document as a whole is bounded by the file
    size limit, and without a DTD nothing expands.)"""
    events = etree.iterparse(io.BytesIO(content), events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, dtd_validation=False, huge_tree=True, remove_comments=True,
                             remove_pis=True)
    depth = count = 0
    root = None
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                count += 1
                root = element if root is None else root
                if depth > MAX_DEPTH:
                    return None, f"gói edXML lồng nhau quá sâu (hơn {MAX_DEPTH} cấp): không phải gói edXML."
                if count > MAX_ELEMENTS:
                    return None, f"gói edXML có hơn {MAX_ELEMENTS:,} phần tử: không phải gói edXML.".replace(",", ".")
            else:
                depth -= 1
    except etree.XMLSyntaxError as exc:
        return None, f"gói edXML không phải XML hợp lệ (dòng {exc.lineno}): {exc.msg}."
    if root is None:
        return None, "gói edXML rỗng."
    return root, None


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _first(parent, name: str):
    if parent is None:
        return None
    return next((e for e in parent.iter() if isinstance(e.tag, str) and _local(e) == name), None)


def _text(parent, name: str) -> str | None:
    element = _first(parent, name)
    if element is None:
        return None
    text = nfc(" ".join("".join(element.itertext()).split()))
    return text or None


def _date(text: str | None, what: str, filename: str, problems: list[Problem]) -> date | None:
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[ T].*)?", text) or None
    d = re.fullmatch(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})", text)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
    except ValueError:
        pass
    problems.append(Problem(f"phong bì edXML: {what} '{text[:40]}' không phải ngày (cần yyyy/mm/dd).", filename))
    return None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y/%m/%d %H:%M:%S")
    except ValueError:
        return None


# --- writing (the demo and the document services' samples) ----------------------------------------
def make_package(*, organ_id: str, organ_name: str, number: str, place: str, promulgated: date, subject: str,
                 signer: tuple[str, str, str], attachments: list[tuple[str, str, bytes]], type_name: str = "Báo cáo",
                 to: tuple[str, str] = ("000.00.00.G12", "Bộ Nội vụ"), sent_at: datetime | None = None) -> bytes:
    """An edXML package as the exchange system makes one: ``number`` "529/BC-UBND", ``signer``
    (competence, position, full name), ``attachments`` (file name, content type, bytes)."""
    e = ElementMaker(namespace=NS, nsmap={"edXML": NS})
    code_number, _, notation = number.partition("/")

    def organ(tag: str, oid: str, name: str):
        return getattr(e, tag)(e.OrganId(oid), e.OrganName(name))

    header = e.MessageHeader(
        organ("From", organ_id, organ_name), organ("To", *to),
        e.DocumentId(f"{organ_id},{promulgated:%Y/%m/%d},{number}"),
        e.Code(e.CodeNumber(code_number), e.CodeNotation(notation)),
        e.PromulgationInfo(e.Place(place), e.PromulgationDate(f"{promulgated:%Y/%m/%d}")),
        e.DocumentType(e.Type("1"), e.TypeName(type_name)),
        e.Subject(subject), e.Content(subject),
        e.SignerInfo(e.Competence(signer[0]), e.Position(signer[1]), e.FullName(signer[2])),
    )
    traces = e.TraceHeaderList(e.TraceHeader(e.OrganId(organ_id), e.Timestamp(
        f"{(sent_at or datetime.combine(promulgated, datetime.min.time())):%Y/%m/%d %H:%M:%S}")))
    manifest = e.edXMLManifest(*[e.Reference(e.ContentId(f"cid:{i}"), e.ContentType(kind), e.AttachmentName(name))
                                 for i, (name, kind, _data) in enumerate(attachments, start=1)])
    encoded = etree.Element("AttachmentEncoded")
    for i, (name, kind, data) in enumerate(attachments, start=1):
        item = etree.SubElement(encoded, "Attachment")
        for tag, value in (("ContentId", f"cid:{i}"), ("AttachmentName", name), ("ContentType", kind)):
            etree.SubElement(item, tag).text = value
        etree.SubElement(item, f"{{{NS}}}ContentTransferEncoded").text = base64.b64encode(data).decode()
    root = e.edXML(e.edXMLEnvelope(e.edXMLHeader(header, traces), e.edXMLBody(manifest)))
    root.append(encoded)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
