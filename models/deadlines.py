"""Deadlines as request letters word them, turned into the last allowed day.

"chậm nhất ngày 15/6/2024" allows 15/6; "trước ngày 15/6/2024" allows up to 14/6;
"trong 10 ngày làm việc kể từ ngày ký" counts working days from the day after signing, and
"… kể từ ngày nhận được văn bản" from the day after the unit received the letter (Bộ luật Dân
sự 2015, Điều 147). A last day that is not a working day moves to the next working day when the
cycle's policy says so (Điều 148 khoản 5).

A sentence may hold several clauses (see ``models.deadline_clauses``): one per report kind, and
a window for additions after the main deadline. The clause that applies to the cycle's kind is
used; when the clauses cannot be told apart, the sentence is refused, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from models import vnformat
from models.deadline_clauses import ANCHOR, REPORT_KINDS, Clause, split_clauses
from models.errors import UserError
from models.text import nfc, strip_accents
from models.workdays import WorkCalendar

EXPECTED_FORMS = (
    "cần một ngày (31/5/2024 hoặc 2024-05-31) hoặc cách viết như 'chậm nhất ngày 31/5/2024', "
    "'trước ngày 15/6/2024', 'trong 10 ngày làm việc kể từ ngày ký'"
)

MAX_WORDING = 500  # one sentence of a letter
MIN_YEAR, MAX_YEAR = 2000, 2100  # a deadline outside these years is a typing error

BASIS_SET = "Nghị định 09/2019/NĐ-CP, Điều 13 (thời hạn gửi báo cáo do văn bản yêu cầu báo cáo quy định)"
BASIS_START = "Bộ luật Dân sự 2015, Điều 147 (ngày có sự kiện không tính, thời hạn bắt đầu từ ngày tiếp theo)"
BASIS_END = "Bộ luật Dân sự 2015, Điều 148 (thời hạn kết thúc vào cuối ngày cuối cùng)"
BASIS_ROLL = "Bộ luật Dân sự 2015, Điều 148 khoản 5 (ngày cuối là ngày nghỉ thì kết thúc vào ngày làm việc tiếp theo)"

_DATE = (
    r"(?P<d>\d{1,2})\s*(?:[/.\-]|\s+thang\s+)\s*(?P<m>\d{1,2})"
    r"(?:\s*(?:[/.\-]|\s+nam\s+)\s*(?P<y>\d{4}))?"
)
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"


@dataclass(frozen=True)
class Addition:
    """The window for additions ("gửi bổ sung trong 05 ngày làm việc"): a second date of the
    request, after the main deadline; None when the letter gives none."""

    last_day: date | None
    clause: str
    rule: str
    rolled_forward: bool = False
    assumptions: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return dict(last_day=self.last_day.isoformat() if self.last_day else None, clause=self.clause,
                    rule=self.rule, rolled_forward=self.rolled_forward, assumptions=list(self.assumptions))


@dataclass(frozen=True)
class Deadline:
    last_day: date
    wording: str
    rule: str  # Vietnamese explanation of how last_day was derived, assumptions included
    rule_code: str
    rolled_forward: bool = False
    clause: str = ""  # the clause of the sentence that was used
    kinds: tuple[str, ...] = ()  # the report kinds that clause names
    basis: tuple[str, ...] = ()  # the legal basis of the rule
    assumptions: tuple[str, ...] = ()
    received_on: date | None = None  # the day the letter was received, given or assumed
    addition: Addition | None = None
    clauses: tuple[Clause, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict:
        return dict(
            wording=self.wording, last_day=self.last_day.isoformat(), rule=self.rule, rule_code=self.rule_code,
            rolled_forward=self.rolled_forward, clause=self.clause, clause_kinds=list(self.kinds),
            basis=list(self.basis), assumptions=list(self.assumptions),
            received_on=self.received_on.isoformat() if self.received_on else None,
            addition=self.addition.as_dict() if self.addition else None,
            clauses=[dict(text=c.text, kinds=list(c.kinds), role=c.role, dated=c.anchor is not None)
                     for c in self.clauses],
        )


def parse_date(text: str, *, field: str = "ngày", default_year: int | None = None) -> date:
    """Read 2024-05-31, 31/5/2024, 31-05-2024 or 'ngày 31 tháng 5 năm 2024'."""
    plain = strip_accents(nfc(text)).lower().strip()
    m = re.fullmatch(rf"(?:ngay\s+)?{_ISO}", plain)
    try:
        if m:
            return date(int(m["iy"]), int(m["im"]), int(m["id"]))
        m = re.fullmatch(rf"(?:ngay\s+)?{_DATE}", plain)
        year = (int(m["y"]) if m["y"] else default_year) if m else None
        if m and year:
            return date(year, int(m["m"]), int(m["d"]))
    except ValueError:
        pass
    raise UserError(f"{field} không hợp lệ: '{text}' (cần dạng 2024-05-31 hoặc 31/5/2024).")


@dataclass(frozen=True)
class _Context:
    wording: str
    issued_on: date
    calendar: WorkCalendar
    roll_forward: bool
    received_on: date | None
    delivery_days: int | None


@dataclass(frozen=True)
class _Day:
    last_day: date
    rule: str
    code: str
    basis: tuple[str, ...]
    assumptions: tuple[str, ...] = ()
    received_on: date | None = None


def derive_deadline(
    wording: str, issued_on: date, calendar: WorkCalendar, *, roll_forward: bool = True, kind: str | None = None,
    received_on: date | None = None, delivery_days: int | None = None,
) -> Deadline:
    """The last allowed day for a deadline sentence of a letter issued on ``issued_on``, for a
    cycle of ``kind`` (half_year, annual, adhoc; None: the sentence must not depend on it).
    ``received_on`` is the day the unit received the letter; without it, a count "kể từ ngày
    nhận" assumes the letter arrived ``delivery_days`` working days after it was issued, and is
    refused when that is not known either."""
    text = nfc(wording).strip()
    if len(text) > MAX_WORDING:
        raise UserError(f"Thời hạn '{text[:40]}…' quá dài ({len(text)} ký tự): chỉ ghi câu nêu thời hạn.")
    if received_on is not None and received_on < issued_on:
        raise UserError(f"Ngày nhận công văn ({vnformat.day(received_on)}) sớm hơn ngày ban hành ({vnformat.day(issued_on)}).")
    clauses = split_clauses(text)
    dated = [c for c in clauses if c.anchor is not None]
    if not dated:
        raise UserError(f"Không đọc được thời hạn '{wording}': {EXPECTED_FORMS}.")
    ctx = _Context(text, issued_on, calendar, roll_forward, received_on, delivery_days)
    for c in dated:  # an impossible date is refused in whichever clause it is, used or not
        if c.anchor is not None:
            _check_dates(ctx, c.anchor)
    main_clauses = [c for c in dated if c.role == "main"] or dated  # a letter that only asks for additions
    main_clause, main = _choose(ctx, main_clauses, kind, "main", lambda c: _resolve(ctx, c, None))
    if main.last_day < issued_on:
        raise UserError(
            f"Thời hạn '{wording}' ({vnformat.day(main.last_day)}) sớm hơn ngày ban hành công văn "
            f"({vnformat.day(issued_on)})."
        )
    last, rule, rolled = _rolled(ctx, main.last_day, main.rule)
    basis = main.basis + ((BASIS_ROLL,) if rolled else ())
    addition = None
    extra = [c for c in clauses if c.role == "addition" and c is not main_clause]
    if extra:
        addition = _addition(ctx, extra, kind, last)
    return Deadline(last, text, rule, main.code, rolled, main_clause.text, main_clause.kinds, basis, main.assumptions,
                    main.received_on or received_on, addition, tuple(clauses))


def _choose(ctx: _Context, candidates: list[Clause], kind: str | None, role: str, resolve) -> tuple[Clause, _Day]:
    """The one clause that applies to ``kind``: one that names it, else one that names no kind
    (``kind`` None: any). Clauses that give the same day are one; anything else is refused with
    the clauses listed, never guessed."""
    if kind is None:
        applying = candidates
    else:
        applying = [c for c in candidates if kind in c.kinds] or [c for c in candidates if not c.kinds]
    days = [(c, resolve(c)) for c in applying]
    if applying and len({d.last_day for _, d in days}) == 1:
        return days[0]
    what = "hạn gửi bổ sung" if role == "addition" else "thời hạn"
    listing = "; ".join(f"({i}) {c.describe()}{_day_of(ctx, c, resolve)}" for i, c in enumerate(candidates, 1))
    ask = "Hãy ghi rõ ngày áp dụng (--deadline \"chậm nhất ngày …\")"
    if not applying:
        raise UserError(f"Câu thời hạn '{ctx.wording}' không có {what} nào cho {_kind_name(kind)}: "
                        f"các vế đọc được là {listing}. {ask}.")
    for_kind = f" cho {_kind_name(kind)}" if kind else ""
    if kind is None and any(c.kinds for c in applying):
        ask += " hoặc cho biết loại kỳ (--kind)"
    raise UserError(f"Câu thời hạn '{ctx.wording}' có {len(days)} {what} khác nhau, không rõ vế nào áp dụng"
                    f"{for_kind}: {listing}. {ask}.")


def _kind_name(kind: str | None) -> str:
    return REPORT_KINDS.get(kind or "", kind or "")


def _day_of(ctx: _Context, clause: Clause, resolve) -> str:
    """The last day a clause would give, to show it in a refusal; nothing when it gives none."""
    try:
        return f": {vnformat.day(_rolled(ctx, resolve(clause).last_day, '')[0])}"
    except UserError:
        return ""


def _addition(ctx: _Context, clauses: list[Clause], kind: str | None, main_day: date) -> Addition | None:
    applying = [c for c in clauses if kind is None or kind in c.kinds or not c.kinds]
    if not applying:
        return None
    undated = [c for c in applying if c.anchor is None]
    if len(applying) == len(undated):
        return Addition(None, undated[0].text, "công văn không ghi hạn gửi bổ sung")
    clause, day = _choose(ctx, [c for c in applying if c.anchor is not None], kind, "addition",
                          lambda c: _resolve(ctx, c, main_day))
    last, rule, rolled = _rolled(ctx, day.last_day, day.rule)
    if last < main_day:
        raise UserError(f"Câu thời hạn '{ctx.wording}': hạn gửi bổ sung ({vnformat.day(last)}) sớm hơn hạn nộp "
                        f"({vnformat.day(main_day)}).")
    return Addition(last, clause.text, rule, rolled, day.assumptions)


def _resolve(ctx: _Context, clause: Clause, after_deadline: date | None) -> _Day:
    """The day a clause gives, before any roll-forward. ``after_deadline``: the main deadline,
    from which an addition window counts when the letter says nothing else."""
    m = clause.anchor
    assert m is not None, "only dated clauses are resolved"
    try:
        if m.re is not ANCHOR:  # the whole sentence is a date
            named = _read_date(ctx, m, "x")
            return _Day(named, f"hạn ghi bằng ngày: {vnformat.day(named)} vẫn được tính", "date", (BASIS_SET, BASIS_END))
        if m["before"]:
            named = _read_date(ctx, m, "b")
            if m["btime"]:
                return _Day(named, f"trước giờ ghi trong ngày {vnformat.day(named)}: ngày đó vẫn được tính", "before",
                            (BASIS_SET, BASIS_END))
            last = named - timedelta(days=1)
            return _Day(last, f"'trước ngày {vnformat.day(named)}': ngày cuối cùng là {vnformat.day(last)}", "before",
                        (BASIS_SET, BASIS_END))
        if m["latest"]:
            last = _read_date(ctx, m, "l")
            return _Day(last, f"'chậm nhất ngày {vnformat.day(last)}': ngày đó vẫn được tính", "at_latest",
                        (BASIS_SET, BASIS_END))
        return _count(ctx, m, after_deadline)
    except (ValueError, OverflowError):  # a count that runs past year 9999
        raise UserError(f"Thời hạn '{ctx.wording}' có ngày không tồn tại: {EXPECTED_FORMS}.") from None


def _count(ctx: _Context, m: re.Match, after_deadline: date | None) -> _Day:
    n, work = int(m["n"]), bool(m["work"])
    assumptions: tuple[str, ...] = ()
    received = None
    event = m["event"] or ""
    if event in ("nhan", "nhan duoc", "tiep nhan"):
        start, received, assumptions = _receipt(ctx, m[0])
        since, skip = f"ngày nhận văn bản {vnformat.day(start)}", "ngày nhận"
    elif m["cd"] or m["ciy"]:
        start = _read_date(ctx, m, "c")
        since, skip = f"ngày {vnformat.day(start)}", "ngày đó"
    elif event or after_deadline is None:
        start = ctx.issued_on
        since, skip = f"ngày {vnformat.day(start)}", "ngày ký"
        if not event:
            assumptions = ("công văn không ghi mốc tính nên tính từ ngày ký",)
    else:
        start = after_deadline
        since, skip = f"hạn nộp {vnformat.day(start)}", "ngày đó"
        assumptions = ("công văn không ghi mốc tính hạn gửi bổ sung nên tính từ sau hạn nộp",)
    if work:
        last = ctx.calendar.add_working_days(start, n)
        rule = f"{n} ngày làm việc kể từ {since} (không tính {skip}, ngày nghỉ, ngày lễ)"
        code = "working_days_after"
    else:
        last = start + timedelta(days=n)
        rule = f"{n} ngày kể từ {since} (không tính {skip})"
        code = "days_after"
    if last.year > MAX_YEAR:
        raise UserError(f"Thời hạn '{ctx.wording}' rơi vào năm {last.year}, ngoài khoảng {MIN_YEAR}–{MAX_YEAR}.")
    rule += "".join(f"; giả định: {a}" for a in assumptions)
    return _Day(last, rule, code, (BASIS_START, BASIS_END), assumptions, received)


def _receipt(ctx: _Context, counted: str) -> tuple[date, date, tuple[str, ...]]:
    """The day the letter was received: given, or assumed from the stream's delivery allowance."""
    if ctx.received_on is not None:
        return ctx.received_on, ctx.received_on, ()
    if ctx.delivery_days is None:
        raise UserError(
            f"Thời hạn '{ctx.wording}' tính từ ngày nhận được văn bản: cần ngày đơn vị nhận công văn "
            "(--received) hoặc số ngày làm việc chuyển văn bản của luồng (delivery_days trong data/calendar.yaml)."
        )
    received = ctx.calendar.add_working_days(ctx.issued_on, ctx.delivery_days)
    return received, received, (
        f"đơn vị nhận được văn bản ngày {vnformat.day(received)}, tức ngày ban hành {vnformat.day(ctx.issued_on)} cộng "
        f"{ctx.delivery_days} ngày làm việc chuyển văn bản (delivery_days của luồng)",
    )


def _check_dates(ctx: _Context, m: re.Match) -> None:
    for p in ("b", "l", "c", "x"):
        if m.re.groupindex.get(p + "d") and (m[p + "d"] or m[p + "iy"]):
            _read_date(ctx, m, p)


def _read_date(ctx: _Context, m: re.Match, p: str) -> date:
    """The date in groups ``p…`` of ``m``; one that cannot be (31/2, 31/5/99999, a year outside
    2000–2100) is refused. A date without a year is the first such day on or after the letter."""
    iso = bool(m[p + "iy"])
    d, mo, y = (m[p + "id"], m[p + "im"], m[p + "iy"]) if iso else (m[p + "d"], m[p + "m"], m[p + "y"])
    first, last = (p + "iy", p + "id") if iso else (p + "d", p + "y" if y else p + "m")
    written = m.string[m.start(first):m.end(last)]
    if y is not None and not (len(y) == 4 and MIN_YEAR <= int(y) <= MAX_YEAR):
        raise UserError(f"Thời hạn '{ctx.wording}' có ngày '{written}' với năm {y} ngoài khoảng "
                        f"{MIN_YEAR}–{MAX_YEAR}: {EXPECTED_FORMS}.")
    try:
        if len(d) > 2 or len(mo) > 2:
            raise ValueError(written)
        if y is not None:
            return date(int(y), int(mo), int(d))
        candidate = date(ctx.issued_on.year, int(mo), int(d))
        if candidate < ctx.issued_on:
            candidate = date(ctx.issued_on.year + 1, int(mo), int(d))
    except ValueError:
        raise UserError(f"Thời hạn '{ctx.wording}' có ngày không tồn tại '{written}': {EXPECTED_FORMS}.") from None
    if candidate.year > MAX_YEAR:
        raise UserError(f"Thời hạn '{ctx.wording}' rơi vào năm {candidate.year}, ngoài khoảng {MIN_YEAR}–{MAX_YEAR}.")
    return candidate


def _rolled(ctx: _Context, last: date, rule: str) -> tuple[date, str, bool]:
    reason = ctx.calendar.day_off_reason(last)
    if not (ctx.roll_forward and reason):
        return last, rule, False
    moved = ctx.calendar.roll_forward(last)
    rule += (f"; {vnformat.day(last)} là ngày nghỉ ({reason}) nên lùi sang ngày làm việc tiếp theo "
             f"{vnformat.day(moved)} (Bộ luật Dân sự 2015, Điều 148 khoản 5)")
    return moved, rule, True
