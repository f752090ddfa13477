"""Deadlines as request letters word them, turned into the last allowed day.

"chậm nhất ngày 15/6/2024" allows 15/6; "trước ngày 15/6/2024" allows up to 14/6;
"trong 10 ngày làm việc kể từ ngày ký" counts working days from the day after signing
(Bộ luật Dân sự 2015, Điều 147). A last day that is not a working day moves to the next
working day when the cycle's policy says so (Điều 148 khoản 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from models.errors import UserError
from models.text import nfc, strip_accents
from models.workdays import WorkCalendar

EXPECTED_FORMS = (
    "cần một ngày (31/5/2024 hoặc 2024-05-31) hoặc cách viết như 'chậm nhất ngày 31/5/2024', "
    "'trước ngày 15/6/2024', 'trong 10 ngày làm việc kể từ ngày ký'"
)

MAX_WORDING = 500  # one sentence of a letter

_DATE = (
    r"(?P<d>\d{1,2})\s*(?:[/.\-]|\s+thang\s+)\s*(?P<m>\d{1,2})"
    r"(?:\s*(?:[/.\-]|\s+nam\s+)\s*(?P<y>\d{4}))?"
)
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
_TIME = r"(?:\d{1,2}\s*(?:gio|h)(?:\s*\d{2})?(?:\s*phut)?\s*(?:\d{2}\s*)?)"
_COUNT = (
    r"(?:trong|trong vong|trong thoi han|khong qua)\s+(?P<n>\d{1,3})\s+ngay"
    r"(?P<work>\s+lam viec)?(?:\s+(?:ke tu|tinh tu|sau)\s+(?:ngay\s+)?(?:ky|ban hanh|nhan))?"
)


@dataclass(frozen=True)
class Deadline:
    last_day: date
    wording: str
    rule: str  # Vietnamese explanation of how last_day was derived
    rule_code: str
    rolled_forward: bool = False


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


def _date_in(match: re.Match, issued_on: date) -> date:
    if match["iy"]:
        return date(int(match["iy"]), int(match["im"]), int(match["id"]))
    day, month = int(match["d"]), int(match["m"])
    if match["y"]:
        return date(int(match["y"]), month, day)
    # "trước ngày 15/6" without a year: the first such day on or after the letter.
    candidate = date(issued_on.year, month, day)
    return candidate if candidate >= issued_on else date(issued_on.year + 1, month, day)


def derive_deadline(
    wording: str, issued_on: date, calendar: WorkCalendar, *, roll_forward: bool = True
) -> Deadline:
    """The last allowed day for a deadline sentence of a letter issued on ``issued_on``."""
    text = nfc(wording).strip()
    if len(text) > MAX_WORDING:
        raise UserError(f"Thời hạn '{text[:40]}…' quá dài ({len(text)} ký tự): chỉ ghi câu nêu thời hạn.")
    plain = re.sub(r"\s+", " ", strip_accents(text).lower())
    any_date = rf"(?:{_ISO}|{_DATE})"
    try:
        if m := re.search(_COUNT, plain):
            n = int(m["n"])
            if m["work"]:
                last = calendar.add_working_days(issued_on, n)
                rule, code = (
                    f"{n} ngày làm việc kể từ ngày {issued_on:%d/%m/%Y} "
                    "(không tính ngày ký, ngày nghỉ, ngày lễ)",
                    "working_days_after",
                )
            else:
                last = issued_on + timedelta(days=n)
                rule, code = f"{n} ngày kể từ ngày {issued_on:%d/%m/%Y} (không tính ngày ký)", "days_after"
        elif m := re.search(rf"truoc\s+(?:{_TIME}\s*)?(?P<t>ngay\s+)?{any_date}", plain):
            named = _date_in(m, issued_on)
            if re.search(rf"truoc\s+{_TIME}", plain):
                last, rule = named, f"trước giờ ghi trong ngày {named:%d/%m/%Y}: ngày đó vẫn được tính"
            else:
                last = named - timedelta(days=1)
                rule = f"'trước ngày {named:%d/%m/%Y}': ngày cuối cùng là {last:%d/%m/%Y}"
            code = "before"
        elif m := re.search(
            rf"(?:cham nhat|han chot|han cuoi|den het|truoc het|muon nhat)(?:\s+(?:vao|la|trong|den))?"
            rf"(?:\s+{_TIME})?(?:\s+ngay)?\s+{any_date}",
            plain,
        ):
            last = _date_in(m, issued_on)
            rule, code = f"'chậm nhất ngày {last:%d/%m/%Y}': ngày đó vẫn được tính", "at_latest"
        elif m := re.fullmatch(rf"(?:ngay\s+)?{any_date}", plain):
            last = _date_in(m, issued_on)
            rule, code = f"hạn ghi bằng ngày: {last:%d/%m/%Y} vẫn được tính", "date"
        else:
            raise UserError(f"Không đọc được thời hạn '{wording}': {EXPECTED_FORMS}.")
    except (ValueError, OverflowError):  # 31/2, or a day before year 1 / after year 9999
        raise UserError(f"Thời hạn '{wording}' có ngày không tồn tại: {EXPECTED_FORMS}.") from None

    if last < issued_on:
        raise UserError(
            f"Thời hạn '{wording}' ({last:%d/%m/%Y}) sớm hơn ngày ban hành công văn "
            f"({issued_on:%d/%m/%Y})."
        )
    rolled = False
    reason = calendar.day_off_reason(last)
    if roll_forward and reason:
        moved = calendar.roll_forward(last)
        rule += (
            f"; {last:%d/%m/%Y} là ngày nghỉ ({reason}) nên lùi sang ngày làm việc tiếp theo "
            f"{moved:%d/%m/%Y} (Bộ luật Dân sự 2015, Điều 148 khoản 5)"
        )
        last, rolled = moved, True
    return Deadline(last, text, rule, code, rolled)
