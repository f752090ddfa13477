"""Reading a unit's report as units write it: a signed prose document (Word, PDF), not a form.

Pure text analysis of a document's paragraphs, each with where it is ("đoạn 12", "trang 3,
dòng 5"):
- ``read_header``: number and symbol, place and date, the issuing body (header block, reporting
  sentence, place name), the title (stream and period), the request it answers, the signer;
  every value with where it was read. A blank number or date leaves the value out: a draft.
- ``read_body``: the body split by the outline's headings (Roman numerals, numbers; texts matched
  loosely to the stream's headings) into the stream's sections, and the figures its sentences
  state, found by the catalogue's phrases and forms (``Indicator.phrases``, ``forms``) and read by
  the Vietnamese number rules of ``models.numbers``. Figures are only *proposed*: a coordinator
  accepts, corrects or rejects them (``models.reviews``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.catalogue import Indicator, read_figure
from models.numbers import NumberError
from models.reports import SectionEntry
from models.streams import Stream
from models.text import nfc, strip_accents

HEADER_PARAGRAPHS = 40  # the header, title and opening sentence sit in the first paragraphs
MAX_CANDIDATES = 5  # per indicator
MAX_HEADING = 400  # characters: a longer numbered paragraph is a list item, not a heading
_STOP = {"va", "cua", "cac", "ve", "trong", "o", "tai", "voi", "cho", "nhung", "viec", "la", "de", "theo", "nam"}


@dataclass(frozen=True)
class Paragraph:
    text: str
    where: str  # "đoạn 12", "trang 3, dòng 5"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """A document's text fit to store: NFC, no control or invisible direction characters (new lines kept)."""
    return _CONTROL.sub("", nfc(text))


@dataclass(frozen=True)
class Found:
    value: Any  # text, a date, a stream id, a (kind, year) period
    where: str
    passage: str  # the text it was read from, shortened

    def to_dict(self) -> dict:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return dict(value=value, where=self.where, passage=self.passage)


@dataclass(frozen=True)
class Flag:
    message: str
    where: str | None = None


@dataclass
class Header:
    number: Found | None = None  # "529/BC-UBND"; "/BC-VP" when the number is blank
    doc_date: Found | None = None  # None when blank ("ngày   tháng   năm 2023")
    place: Found | None = None
    issuers: list[Found] = field(default_factory=list)  # names of the issuing body, most likely first
    title: Found | None = None
    stream: Found | None = None  # stream id from the title
    period: Found | None = None  # (kind, year) from the title
    request: Found | None = None  # the request answered: "2748/BNV-CTTN"
    request_date: Found | None = None
    signer: Found | None = None
    flags: list[Flag] = field(default_factory=list)
    body_start: int = 0  # index of the first heading

    def found(self) -> dict[str, Found]:
        named = dict(number=self.number, date=self.doc_date, place=self.place, title=self.title,
                     stream=self.stream, period=self.period, answers_request=self.request,
                     request_date=self.request_date, signer=self.signer)
        return {k: v for k, v in named.items() if v is not None}


@dataclass(frozen=True)
class Candidate:
    """A figure a sentence states, for one indicator of the catalogue."""

    indicator: str
    raw: str  # as written: "21", "81,32", "63/63", "hơn 1.000"
    value: float
    of: float | None
    approximate: bool
    sentence: str
    position: int  # character offset in the document's text (paragraphs joined by new lines)
    where: str
    section: str | None

    def to_dict(self) -> dict:
        return dict(indicator=self.indicator, raw=self.raw, value=self.value, of=self.of,
                    approximate=self.approximate, sentence=self.sentence, position=self.position,
                    where=self.where, section=self.section)


@dataclass
class Body:
    sections: dict[str, SectionEntry]
    section_where: dict[str, str]  # section id -> where its heading was
    flags: list[Flag]
    candidates: list[Candidate]


# --- text helpers ---------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower case without accents, one character for one: offsets in the folded text are offsets
    in the text."""
    out = []
    for ch in text:
        plain = strip_accents(ch).casefold()
        out.append(plain[0] if plain else ch)
    return "".join(out)


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", fold(text)) if t not in _STOP}


def similarity(document: str, outline: str) -> float:
    """How much of the outline's heading the document's heading covers (0 to 1)."""
    wanted = _tokens(outline)
    return len(wanted & _tokens(document)) / len(wanted) if wanted else 0.0


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def document_text(paragraphs: Sequence[Paragraph]) -> tuple[str, list[int]]:
    """The document's text (paragraphs joined by new lines) and where each paragraph starts in it."""
    starts, at = [], 0
    for p in paragraphs:
        starts.append(at)
        at += len(p.text) + 1
    return "\n".join(p.text for p in paragraphs), starts


# --- the header -----------------------------------------------------------------------------------
_NUMBER = re.compile(r"^\s*S[ốố]\s*(?:hiệu)?\s*[:.]?\s*(?P<num>\d{0,6})\s*/\s*(?P<sym>[A-ZĐ][A-ZĐ0-9&.\-]{0,40})", re.M)
_DAY_WORDS = re.compile(r"(?P<place>[^\d,\n]{2,60}?)\s*,\s*ngày\s*(?P<d>\d{0,2})\s*tháng\s*(?P<m>\d{0,2})\s*năm\s*"
                        r"(?P<y>\d{4})", re.I)
_DAY_DIGITS = re.compile(r"(?P<place>[^\d,\n]{2,60}?)\s*,\s*ngày\s*(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*"
                         r"(?P<y>\d{4})", re.I)
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "doc lap")
_REQUEST = re.compile(
    r"(?P<cue>thực hiện|theo đề nghị|theo yêu cầu|căn cứ|triển khai|phúc đáp|trả lời)[^.;]{0,200}?"
    r"(?:công văn|văn bản|kế hoạch|thông báo|hướng dẫn)\s+số\s*:?\s*(?P<num>\d{1,6}/[\wĐđ&.\-]{0,40}[\wĐđ])"
    r"(?:\s+ngày\s+(?P<date>\d{1,2}\s*[/.]\s*\d{1,2}\s*[/.]\s*\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?",
    re.I)
_REPORTS = re.compile(r"(?P<who>[^.;:,()]{3,120}?)\s*(?:\([^)]{1,20}\)\s*)?(?:xin\s+|trân trọng\s+)?báo cáo\b")
_BODY_PREFIXES = ("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd")
_COMPETENCE = re.compile(r"^(TM|KT|Q|TL|TUQ|T/M)\s*\.", re.I)
_TITLE = re.compile(r"^\s*BÁO\s+CÁO\s*[:.]?\s*(?P<rest>.*)$", re.S)


def _date_of(match: re.Match, where: str, passage: str, flags: list[Flag]) -> Found | None:
    d, m, y = match.group("d"), match.group("m"), match.group("y")
    if not d or not m:
        return None  # "ngày   tháng   năm 2023": not dated yet
    try:
        return Found(date(int(y), int(m), int(d)), where, passage)
    except ValueError:
        flags.append(Flag(f"ngày văn bản '{_short(match.group(0), 60)}' không phải ngày có thật.", where))
        return None


def _as_date(text: str) -> date | None:
    digits = re.findall(r"\d+", text)
    if len(digits) != 3:
        return None
    try:
        return date(int(digits[2]), int(digits[1]), int(digits[0]))
    except ValueError:
        return None


def _is_heading(text: str) -> bool:
    return bool(_ROMAN.match(text.split("\n", 1)[0]))


def read_header(paragraphs: Sequence[Paragraph], streams: Iterable[Stream]) -> Header:
    h = Header()
    body = next((i for i, p in enumerate(paragraphs[:HEADER_PARAGRAPHS]) if _is_heading(p.text)),
                min(len(paragraphs), HEADER_PARAGRAPHS))
    h.body_start = body
    opening = paragraphs[:body]
    title_at = None
    for i, p in enumerate(opening):
        text = p.text
        if h.number is None and (m := _NUMBER.search(text)):
            value = f"{m.group('num')}/{m.group('sym')}" if m.group("num") else f"/{m.group('sym')}"
            h.number = Found(value, p.where, _short(m.group(0)))
        if h.place is None and (m := _DAY_DIGITS.search(text) or _DAY_WORDS.search(text)):
            place = m.group("place").strip(" :-–\n")
            if place and not fold(place).startswith(("so", "ngay")):
                h.place = Found(place, p.where, _short(m.group(0)))
                h.doc_date = _date_of(m, p.where, _short(m.group(0)), h.flags)
        if title_at is None and (m := _TITLE.match(text)) and fold(text[:7]) == "bao cao":
            rest = m.group("rest").strip()
            if rest:
                h.title, title_at = Found(" ".join(rest.split()), p.where, _short(rest)), i
            elif i + 1 < len(opening):
                nxt = opening[i + 1]
                h.title, title_at = Found(" ".join(nxt.text.split()), nxt.where, _short(nxt.text)), i + 1
    h.issuers = _issuers(opening, title_at, h.place)
    if h.title:
        _title_meaning(h, streams)
    for p in opening[(title_at or 0):]:
        if m := _REQUEST.search(p.text):
            h.request = Found(m.group("num").rstrip("."), p.where, _short(m.group(0)))
            if m.group("date") and (day := _as_date(m.group("date"))):
                h.request_date = Found(day, p.where, _short(m.group(0)))
            break
    h.signer = _signer(paragraphs[body:])
    return h


def _issuers(opening: Sequence[Paragraph], title_at: int | None, place: Found | None) -> list[Found]:
    """Names of the issuing body, most likely first: the header block (above the title, in capitals),
    the sentence that says who reports ("Ủy ban nhân dân tỉnh An Giang báo cáo…"), then the place."""
    found: list[Found] = []

    def add(name: str, where: str, passage: str) -> None:
        name = " ".join(name.split()).strip(" ,.-–:")
        for prefix in _BODY_PREFIXES:
            if name.casefold().startswith(prefix) and len(name) > len(prefix) + 3:
                found.append(Found(name, where, passage))
                name = name[len(prefix):].strip()
                break
        if len(name) >= 3 and all(f.value != name for f in found):
            found.append(Found(name, where, passage))

    for p in opening[: title_at if title_at is not None else len(opening)]:
        for line in p.text.split("\n"):
            line = line.strip()
            plain = fold(line)
            if (line and line == line.upper() and re.search(r"[A-ZĐ]", line) and not plain.startswith(_MOTTO)
                    and not _NUMBER.match(line) and not plain.startswith("bao cao") and len(line) <= 120):
                add(line, p.where, line)
    for p in opening[(title_at or 0):]:
        for sentence in re.split(r"(?<=[.;])\s+", p.text):
            if m := _REPORTS.search(sentence):
                add(m.group("who"), p.where, _short(sentence))
                break
    if place is not None:
        add(str(place.value), place.where, place.passage)
    return found


def _title_meaning(h: Header, streams: Iterable[Stream]) -> None:
    if h.title is None:
        return
    title, where, passage = str(h.title.value), h.title.where, h.title.passage
    plain = fold(title)
    if m := re.search(r"6 thang (?:dau )?nam (\d{4})", plain):
        h.period = Found(("half_year", int(m.group(1))), where, passage)
    elif re.search(r"\b(so ket|tong ket)\b", plain):
        h.period = Found(("adhoc", None), where, passage)
    elif years := re.findall(r"\bnam (\d{4})\b", plain):
        h.period = Found(("annual", int(years[-1])), where, passage)
    scored = sorted(((max(similarity(title, s.report_title), similarity(title, s.name)), s.id) for s in streams),
                    reverse=True)
    if scored and scored[0][0] >= 0.75 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        h.stream = Found(scored[0][1], where, passage)


def _signer(tail: Sequence[Paragraph]) -> Found | None:
    """The signature block at the end: "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Lê Văn Phước"
    (its lines in one paragraph or in several)."""
    lines = [(ln.strip(), p.where) for p in list(tail)[-20:] for ln in p.text.split("\n") if ln.strip()]
    for i, (line, where) in enumerate(lines):
        if not _COMPETENCE.match(line):
            continue
        block = [line]
        for nxt, _ in lines[i + 1: i + 5]:
            if nxt != nxt.upper() or not re.search(r"[A-ZĐ]", nxt):
                if len(nxt.split()) <= 6 and not nxt.endswith((".", ";", ":")):
                    block.append(nxt)
                break
            block.append(nxt)
        return Found(" / ".join(block)[:255], where, _short(" / ".join(block)))
    return None


# --- the body: sections by heading ------------------------------------------------------------
_ROMAN = re.compile(r"^\s*(?P<n>[IVX]{1,5})\s*[.)]\s*(?P<t>\S.*)$", re.S)
_NUMBERED = re.compile(r"^\s*(?P<n>\d{1,2})\s*[.)]\s+(?P<t>\S.*)$", re.S)
_CLOSING = ("tren day la", "noi nhan")
_EMPTY = re.compile(r"^\(?\s*(khong co|khong|khong co noi dung|khong co kien nghi)\s*\)?\s*[./]*$")
_ROMANS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def _parts(stream: Stream) -> dict[str, list[str]]:
    """The outline's parts (I, II, ...) with the headings that name each: the part heading and,
    for a part that is itself a section, the section's heading."""
    parts: dict[str, list[str]] = {}
    for s in stream.sections:
        top = s.id.split(".")[0]
        parts.setdefault(top, [])
        if s.id == top:
            parts[top].append(s.heading)
    for pid, heading in stream.parts.items():
        parts.setdefault(pid, []).insert(0, heading)
    return parts


def _split_inline(title: str) -> tuple[str, str | None]:
    """"KIẾN NGHỊ, ĐỀ XUẤT: (không có)" -> ("KIẾN NGHỊ, ĐỀ XUẤT", "(không có)")."""
    head, sep, rest = title.partition(":")
    if sep and rest.strip() and len(rest.strip()) <= 80 and len(head) <= 200:
        return head.strip(), rest.strip()
    return title.strip(), None


def read_body(paragraphs: Sequence[Paragraph], header: Header, stream: Stream,
              catalogue: Sequence[Indicator]) -> Body:
    layout = _assign_sections(paragraphs, header.body_start, stream)
    texts: dict[str, list[str]] = {}
    for i, sid in layout.assigned.items():
        if sid is not None:
            texts.setdefault(sid, []).append(layout.inline.get(i, paragraphs[i].text))
    sections = {s.id: SectionEntry("not_reported") for s in stream.sections}
    for sid, parts in texts.items():
        text = "\n".join(t for t in parts if t.strip()).strip()
        if text:
            sections[sid] = SectionEntry("empty" if _EMPTY.match(fold(text)) else "reported", text)
    body = [Paragraph(layout.inline.get(i, p.text), p.where) for i, p in enumerate(paragraphs)]
    candidates = propose_figures(body, layout.assigned, catalogue)
    return Body(sections, layout.where, layout.flags, candidates)


@dataclass
class _Layout:
    assigned: dict[int, str | None] = field(default_factory=dict)  # paragraph -> section (None: a heading)
    inline: dict[int, str] = field(default_factory=dict)  # a heading's own content: "(không có)"
    where: dict[str, str] = field(default_factory=dict)  # section -> where its heading is
    flags: list[Flag] = field(default_factory=list)


def _assign_sections(paragraphs: Sequence[Paragraph], start: int, stream: Stream) -> _Layout:
    """The section each body paragraph belongs to. Text that no heading of the outline covers goes
    to the nearest section, with a flag."""
    parts = _parts(stream)
    subsections = {pid: [s for s in stream.sections if s.id.startswith(pid + ".")] for pid in parts}
    out = _Layout()
    part: str | None = None  # the outline's part of the current Roman heading
    current: str | None = None  # the section text goes to
    last_number = 0
    orphans: list[int] = []  # text before the first section, or under a part before its first subsection

    def adopt(sid: str) -> None:
        for j in orphans:
            out.assigned[j] = sid
            out.flags.append(Flag(f"đoạn không thuộc mục nào của đề cương: gộp vào mục {sid}.", paragraphs[j].where))
        orphans.clear()

    def heading(i: int, sid: str, inline: str | None) -> None:
        out.where.setdefault(sid, paragraphs[i].where)
        out.assigned[i] = sid if inline else None
        if inline:
            out.inline[i] = inline

    for i in range(start, len(paragraphs)):
        p = paragraphs[i]
        first = p.text.strip().split("\n", 1)[0]
        if fold(first).startswith(_CLOSING):
            break
        if re.match(r"^phan thu\b", fold(first)) and len(first) < 40:  # "Phần thứ nhất"
            out.assigned[i] = None
            continue
        roman = _ROMAN.match(p.text) if len(p.text) <= 300 else None
        if roman and roman.group("n") in _ROMANS:
            title, inline = _split_inline(roman.group("t").split("\n", 1)[0])
            pid = _match_part(roman.group("n"), title, parts, out.flags, p.where)
            out.assigned[i] = None
            if pid is None:
                out.flags.append(Flag(f"mục '{_short(first, 80)}' không khớp với đề cương: nội dung gộp vào mục "
                                      f"{current or 'kế tiếp'}.", p.where))
                continue
            if orphans:
                previous = subsections.get(part or "") or []
                target = current or (previous[0].id if previous else None)
                if target:
                    adopt(target)
            part, last_number = pid, 0
            if subsections[pid]:
                current = None
            else:
                current = pid
                heading(i, pid, inline)
            continue
        numbered = _NUMBERED.match(p.text) if len(p.text) <= MAX_HEADING else None
        if numbered and part and subsections[part] and int(numbered.group("n")) > last_number:
            title, inline = _split_inline(numbered.group("t").split("\n", 1)[0])
            sid = _match_subsection(part, int(numbered.group("n")), title, subsections[part])
            if sid is not None:
                last_number, current = int(numbered.group("n")), sid
                heading(i, sid, inline)
                if orphans:
                    adopt(sid)
                continue
        if current is None:
            orphans.append(i)
        else:
            out.assigned[i] = current
    if orphans:
        following = subsections.get(part or "") or []
        target = current or (following[0].id if following else None)
        if target:
            adopt(target)
    return out


def _match_part(numeral: str, title: str, parts: dict[str, list[str]], flags: list[Flag], where: str) -> str | None:
    def score(pid: str) -> float:
        return max((similarity(title, h) for h in parts[pid]), default=0.0)

    if numeral in parts and score(numeral) >= 0.5:
        return numeral
    best = max(parts, key=score, default=None)
    if best is not None and score(best) >= 0.5:
        return best
    if numeral in parts:
        flags.append(Flag(f"mục {numeral} '{_short(title, 80)}' chỉ khớp đề cương theo số thứ tự.", where))
        return numeral
    return None


def _match_subsection(part: str, n: int, title: str, subsections: list) -> str | None:
    by_number = f"{part}.{n}"
    scores = {s.id: similarity(title, s.heading) for s in subsections}
    best = max(scores, key=lambda sid: scores[sid])
    if by_number in scores and not (scores[best] >= 0.5 and scores[best] >= scores[by_number] + 0.3):
        return by_number
    return best if scores[best] >= 0.5 else None


# --- figures stated in sentences -----------------------------------------------------------------
_NUM = (r"(?P<num>(?:(?:hon|tren|gan|khoang|xap xi|uoc)\s+)?"
        r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?:\s*/\s*\d+(?:,\d+)?)?)(?![\w/])")
_NUM_START = r"(?<![\w.,/])"
_CLAUSE = re.compile(r"[^;]+?(?:[.!?](?=\s+[A-ZĐÀ-Ỹ\[(\-+])|;|$)", re.S)


def _form_pattern(form: str) -> re.Pattern:
    before, _, after = form.partition("#")
    before, after = fold(before).strip(), fold(after).strip()
    parts = []
    if before:
        parts.append(r"(?<!\w)" + r"\s+".join(map(re.escape, before.split())) + r"\s+(?:thu\s+)?")
    parts.append(_NUM_START + _NUM)
    if after:
        parts.append(r"\s*" + r"\s+".join(map(re.escape, after.split())) + (r"(?!\w)" if after[-1].isalnum() else ""))
    return re.compile("".join(parts))


def _phrase_pattern(words: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + r"\s*".join(r"\s+".join(map(re.escape, w.split())) for w in [fold(words)])
                      + r"(?!\w)")


def _clauses(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0)) for m in _CLAUSE.finditer(text) if m.group(0).strip()]


def propose_figures(paragraphs: Sequence[Paragraph], assigned: dict[int, str | None],
                    catalogue: Sequence[Indicator]) -> list[Candidate]:
    """Every figure the body's sentences state for an indicator of the catalogue; at most
    MAX_CANDIDATES per indicator, those found in the indicator's own section first. A number that
    several indicators could claim in one clause goes to the one whose phrase is nearest before it."""
    _, starts = document_text(paragraphs)
    rules = [(i, [[_phrase_pattern(w) for w in alt] for alt in i.phrases], [_form_pattern(f) for f in i.forms])
             for i in catalogue if i.phrases and i.forms]
    found: list[tuple[float, Candidate]] = []
    for index, sid in sorted(assigned.items()):
        if sid is None:
            continue
        text = paragraphs[index].text
        for offset, clause in _clauses(text):
            plain = fold(clause)
            claims: dict[tuple[int, int], list[tuple[int, Indicator]]] = {}
            for indicator, alternatives, forms in rules:
                anchors = []
                for alt in alternatives:
                    hits = [h for h in (p.search(plain) for p in alt) if h is not None]
                    if len(hits) == len(alt):
                        anchors.append((min(h.start() for h in hits), max(h.end() for h in hits)))
                if not anchors:
                    continue
                best = None
                for form in forms:
                    for m in form.finditer(plain):
                        span = m.span("num")
                        for a_start, a_end in anchors:
                            distance = span[0] - a_end if span[0] >= a_end else 10_000 + a_start - span[1]
                            if best is None or distance < best[0]:
                                best = (distance, span)
                if best is not None:
                    claims.setdefault(best[1], []).append((best[0], indicator))
            for (s, e), claimants in claims.items():
                nearest = min(d for d, _ in claimants)
                for distance, indicator in claimants:
                    if distance != nearest:
                        continue
                    raw = clause[s:e].strip()
                    try:
                        figure = read_figure(indicator, nfc(raw))
                    except NumberError:
                        continue
                    if figure.value is None:
                        continue
                    candidate = Candidate(indicator.id, raw, figure.value, figure.of, figure.approximate,
                                          _short(clause.strip(), 1000), starts[index] + offset + s,
                                          paragraphs[index].where, sid)
                    found.append((0 if sid == indicator.section else 1, candidate))
    by_indicator: dict[str, list[Candidate]] = {}
    for _rank, c in sorted(found, key=lambda rc: (rc[0], rc[1].position)):
        same = by_indicator.setdefault(c.indicator, [])
        if len(same) < MAX_CANDIDATES and all((x.value, x.of) != (c.value, c.of) for x in same):
            same.append(c)
    order = {i.id: n for n, i in enumerate(catalogue)}
    return [c for iid in sorted(by_indicator, key=lambda i: order.get(i, len(order))) for c in by_indicator[iid]]
