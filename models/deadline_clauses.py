"""A deadline sentence cut into its clauses: where each date or count of days is, which report
kinds a clause names, and whether it sets the main deadline or a window for additions.

"Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng; Chậm nhất ngày 25 tháng 11 đối
với báo cáo định kỳ hằng năm" has two clauses, one for half-year reports and one for annual
reports; "gửi báo cáo trước ngày 15/6/2024; trường hợp chưa đủ số liệu, gửi bổ sung trong 05
ngày làm việc" has a main clause and an addition clause. Everything here reads the sentence
without accents and in lower case (``plain``), and maps back to the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from models.text import strip_accents

# Report kinds a clause may name. Cycles are half_year, annual or adhoc; the others are read so
# that a clause for quarterly reports is never taken for a clause that applies to every report.
REPORT_KINDS = {
    "half_year": "báo cáo 6 tháng",
    "annual": "báo cáo năm",
    "adhoc": "báo cáo đột xuất, chuyên đề",
    "quarter": "báo cáo quý",
    "nine_months": "báo cáo 9 tháng",
    "second_half": "báo cáo 6 tháng cuối năm",
    "month": "báo cáo tháng",
}
# Searched in this order, each found phrase blanked before the next ("6 tháng đầu năm" is not
# "năm"); on text without accents, with the clause's own dates blanked ("ngày 06 tháng 06").
_KIND_PHRASES = [
    ("nine_months", r"\b(?:0?9|chin) thang\b"),
    ("second_half", r"\b(?:0?6|sau) thang cuoi nam\b"),
    ("half_year", r"\b(?:0?6|sau) thang(?: dau nam)?\b(?! \d)|\bban nien\b"),  # not "gửi sau tháng 12"
    ("quarter", r"\bquy (?:i{1,3}|iv|[1-4])\b|\b(?:hang|moi) quy\b|\bbao cao (?:dinh ky )?quy\b"),
    ("month", r"\b(?:hang|moi) thang\b|\bbao cao (?:dinh ky )?thang\b"),
    ("annual", r"\b(?:hang|moi) nam\b|\bca nam\b|\b(?:0?1|mot) nam\b|\bbao cao (?:dinh ky )?(?:nam|tong ket nam)\b"),
    ("adhoc", r"\bdot xuat\b|\bchuyen de\b"),
]
_ADDITION = re.compile(r"\bbo sung\b|\bbao cao chinh thuc\b")
_NOT_ADDITION = re.compile(r"\bsua doi,? bo sung\b")  # the title of an amending decree

_TIME = r"(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{2})?(?:\s*phut)?\s*(?:\d{2}\s*)?)"


def _date(p: str) -> str:
    """A written date, its parts in groups named with prefix ``p``. Digits are taken greedily
    (``\\d+``) so that "31/5/99999" is read whole and refused, never cut to a date that exists."""
    return (rf"(?:(?<!\d)(?P<{p}iy>\d{{4}})-(?P<{p}im>\d{{1,2}})-(?P<{p}id>\d{{1,2}})(?!\d)"
            rf"|(?<!\d)(?P<{p}d>\d+)\s*(?:[/.\-]|\s+thang\s+)\s*(?P<{p}m>\d+)"
            rf"(?:\s*(?:[/.\-]|\s+nam\s+)\s*(?P<{p}y>\d+))?(?!\d))")


ANCHOR = re.compile(
    rf"(?P<before>truoc\s+(?:(?P<btime>{_TIME})\s*)?(?:ngay\s+)?{_date('b')})"
    rf"|(?P<latest>(?:cham nhat|han chot|han cuoi|den het|truoc het|muon nhat)(?:\s+(?:vao|la|trong|den))?"
    rf"(?:\s+{_TIME})?(?:\s+ngay)?\s+{_date('l')})"
    rf"|(?P<count>(?:trong vong|trong thoi han|trong|khong qua)\s+(?<!\d)(?P<n>\d{{1,3}})(?!\d)\s+ngay"
    rf"(?P<work>\s+lam viec)?(?:\s*,?\s*(?:ke tu|tinh tu|tu|sau)\s+(?:ngay\s+)?"
    rf"(?:(?P<event>ky|ban hanh|phat hanh|nhan duoc|nhan|tiep nhan)\b|{_date('c')}))?)"
)
BARE_DATE = re.compile(rf"\s*(?:ngay\s+)?{_date('x')}\s*\.?\s*")
_STRONG = re.compile(r";|\.(?=\s+\D)|\n")
_WEAK = re.compile(r",|\s(?:va|hoac|con)\s")


@dataclass(frozen=True)
class Clause:
    text: str  # as written
    kinds: tuple[str, ...]  # report kinds it names; none: it applies to every kind
    role: str  # "main" or "addition"
    anchor: re.Match | None  # its date or count of days, on the plain text; None: it gives no date

    def describe(self) -> str:
        named = f" ({', '.join(REPORT_KINDS[k] for k in self.kinds)})" if self.kinds else ""
        return f"'{self.text}'{named}"


def plain_text(text: str) -> tuple[str, list[int]]:
    """``text`` without accents, in lower case, spaces collapsed; and for each character of it,
    the position of the character of ``text`` it comes from."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if not chars or chars[-1] != " ":
                chars.append(" ")
                index.append(i)
            continue
        for c in strip_accents(ch).lower():
            chars.append(c)
            index.append(i)
    return "".join(chars), index


def split_clauses(text: str) -> list[Clause]:
    """The clauses of a deadline sentence that give a date, a count of days, or (without a
    date) an addition to send later. Clauses are cut at ';' and at the end of a sentence; two
    dates in one such part are cut at the first ',' / 'và' / 'hoặc' between them (outside
    brackets)."""
    plain, index = plain_text(text)
    anchors = list(ANCHOR.finditer(plain))
    if not anchors and (m := BARE_DATE.fullmatch(plain)):
        anchors = [m]
    inside = _covered(plain, anchors)
    clauses = []
    for start, end in _cut(plain, _STRONG, inside, 0, len(plain)):
        own = [a for a in anchors if start <= a.start() < end]
        if not own:
            if _is_addition(plain[start:end]):
                clauses.append(_clause(text, plain, index, start, end, None))
            continue
        at = start
        for left, right in pairwise(own):
            cuts = _cut(plain, _WEAK, inside, left.end(), right.start())
            stop, after = (cuts[0][1], cuts[1][0]) if len(cuts) > 1 else (right.start(), right.start())
            clauses.append(_clause(text, plain, index, at, stop, left))
            at = after
        clauses.append(_clause(text, plain, index, at, end, own[-1]))
    return clauses


def _covered(plain: str, anchors: list[re.Match]) -> list[bool]:
    """Positions that cannot cut a clause: inside a date or a count, or inside brackets."""
    inside = [False] * (len(plain) + 1)
    for a in anchors:
        for i in range(a.start(), a.end()):
            inside[i] = True
    depth = 0
    for i, ch in enumerate(plain):
        depth += ch in "(["
        depth -= ch in ")]" and depth > 0
        inside[i] = inside[i] or depth > 0
    return inside


def _cut(plain: str, separator: re.Pattern, inside: list[bool], start: int, end: int) -> list[tuple[int, int]]:
    parts, at = [], start
    for m in separator.finditer(plain, start, end):
        if not inside[m.start()]:
            parts.append((at, m.start()))
            at = m.end()
    parts.append((at, end))
    return parts


def _clause(text: str, plain: str, index: list[int], start: int, end: int, anchor: re.Match | None) -> Clause:
    rest = plain[start:end]
    if anchor is not None:  # its own date is not a report kind ("ngày 06 tháng 06")
        a, b = anchor.start() - start, anchor.end() - start
        rest = rest[:a] + " " * (b - a) + rest[b:]
    while start < end and plain[start] in " ,;.":
        start += 1
    while end > start and plain[end - 1] in " ,;.":
        end -= 1
    written = text[index[start]:index[end - 1] + 1] if end > start else ""
    return Clause(written, kinds_named(rest), "addition" if _is_addition(rest) else "main", anchor)


def kinds_named(plain: str) -> tuple[str, ...]:
    found = []
    for kind, phrase in _KIND_PHRASES:
        plain, n = re.subn(phrase, " ", plain)
        if n:
            found.append(kind)
    return tuple(found)


def _is_addition(plain: str) -> bool:
    return bool(_ADDITION.search(_NOT_ADDITION.sub(" ", plain)))
