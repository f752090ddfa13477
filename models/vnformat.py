"""The one formatter of numbers, percents, dates and times as Vietnamese documents write them:
``22.153`` (thousands), ``81,32`` (decimals), ``09`` (counts in a report's footnote),
``66,7%``, ``31/05/2024``, ``08:00 31/05/2024``, "ngày 05 tháng 02 năm 2024".

Numbers go through babel's Vietnamese locale, rounded half up as people round (0,005 → 0,01),
not half to even."""

from __future__ import annotations

import decimal
import math
from datetime import UTC, date, datetime

from babel.numbers import format_decimal
from typing_extensions import TypeIs

from models.clock import VN_TZ

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")  # Monday first


def _missing(value: float | None) -> TypeIs[None]:
    """None or NaN: a figure that is not there (pandas writes a missing number as NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


_FORMATTED: dict[tuple, str] = {}  # babel takes ~0.1 ms a number; a compilation writes the same ones again and again


def _format(value: float | int, pattern: str) -> str:
    # Keyed by what is formatted: the integer, or the float's repr (which tells 0.0 from -0.0).
    key = (pattern, True, value) if isinstance(value, int) else (pattern, False, repr(float(value)))
    text = _FORMATTED.get(key)
    if text is None:
        exact = decimal.Decimal(value) if isinstance(value, int) else decimal.Decimal(key[2])
        with decimal.localcontext() as context:
            context.rounding = decimal.ROUND_HALF_UP
            text = format_decimal(exact, format=pattern, locale="vi")
        text = "0" if text == "-0" else text
        if len(_FORMATTED) < 100_000:
            _FORMATTED[key] = text
    return text


def number(value: float | int | None, decimals: int = 2) -> str:
    """22153 -> "22.153"; 81.32 -> "81,32"; 71.3066 -> "71,31"; None -> ""."""
    if _missing(value):
        return ""
    return _format(value, "#,##0" + ("." + "#" * decimals if decimals else ""))


def percent(value: float | None, decimals: int = 2) -> str:
    """A figure that is itself a percentage: 24.5087 -> "24,51%"."""
    return "" if _missing(value) else f"{number(value, decimals)}%"


def rate(share: float | None, decimals: int = 1) -> str:
    """A share from 0 to 1 as a percent with a fixed number of decimals: 2/3 -> "66,7%"."""
    if _missing(share):
        return ""
    return _format(share * 100, "#,##0" + ("." + "0" * decimals if decimals else "")) + "%"


def count(n: int) -> str:
    """Counts as official reports write them: two digits at least ("09 bộ, ngành")."""
    return f"{n:02d}"


def day(d: date | None) -> str:
    """31/05/2024; "" for no date."""
    return d.strftime("%d/%m/%Y") if d else ""


def text_day(d: date | None) -> str:
    """A date inside the text of a letter, as Bộ Nội vụ writes it: "17/5/2024", "03/4/2023",
    "10/01/2024" (days under 10 and months under 3 with a leading zero, as in ``long_day``)."""
    if d is None:
        return ""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{d.day:02d}/{month}/{d.year}"


def weekday_day(d: date) -> str:
    """Thứ Sáu, 31/05/2024."""
    return f"{WEEKDAYS[d.weekday()]}, {day(d)}"


def long_day(d: date) -> str:
    """As the date line of a document writes it (Nghị định 30/2020): days under 10 and months
    under 3 with a leading zero — "ngày 05 tháng 02 năm 2024", "ngày 24 tháng 5 năm 2024"."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def moment(at: datetime | None) -> str:
    """A moment in Vietnam time: "08:00 31/05/2024"; "" for none."""
    if at is None:
        return ""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def change(current: float | None, previous: float | None) -> str:
    """ "tăng 12,5%" / "giảm 3%" / "bằng cùng kỳ" / "" when either side is missing or the base is zero."""
    if current is None or previous is None or _missing(current) or _missing(previous) or previous == 0:
        return ""
    delta = (current - previous) / previous * 100
    if abs(delta) < 0.005:
        return "bằng cùng kỳ"
    return f"{'tăng' if delta > 0 else 'giảm'} {percent(abs(delta))}"
