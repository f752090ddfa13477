"""Figures as Vietnamese reports write them.

``22.153`` is twenty-two thousand (the dot groups thousands), ``81,32`` is a decimal, ``03`` is
three, ``Không có`` is an explicit zero and a blank is "not reported": the three states stay
distinct. "hơn", "trên", "gần", "khoảng" make a value approximate. Pairs, scores and ranks
(``9.904/13.889``, ``7,97/10``, ``63/63``) are accepted only where the indicator is a list
(never summed); the value keeps the first number and ``raw`` keeps the whole text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from models.text import nfc, strip_accents

_QUALIFIER = re.compile(r"(hon|tren|gan|khoang|uoc tinh|uoc|xap xi)(\s+|(?=\d))")  # hơn, trên, gần, khoảng...
ZERO_WORDS = {"khong", "khong co", "0"}
BLANK_WORDS = {"", "null", "~"}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# 22.153, 1.234.567,5, 81,32, 03: well-grouped thousands (as babel's strict parsing demands) or none.
_PLAIN_NUMBER = re.compile(r"(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?")
_DIGIT_SPACE = re.compile(r"(?<=\d)[\s\u00a0\u202f]+(?=\d{3}\b)")
MAX_VALUE = 10**15  # beyond any count of a report, and where floats stop being exact
MAX_LENGTH = 100  # a figure cell holds a number and a qualifier, not a paragraph


class NumberError(ValueError):
    """A figure that cannot be read; the message is Vietnamese and names the text."""


@dataclass(frozen=True)
class Figure:
    status: str  # reported | zero | not_reported
    value: float | None = None
    approximate: bool = False
    raw: str | None = None
    of: float | None = None  # the second number of a pair, score or rank


def parse_figure(cell: object, *, allow_ratio: bool = False) -> Figure:
    """Read one figure: a number from a spreadsheet cell, or text written the Vietnamese way."""
    if cell is None:
        return Figure("not_reported")
    if isinstance(cell, bool):
        raise NumberError(f"'{cell}' không phải là số.")
    if isinstance(cell, (int, float, Decimal)):
        return _from_number(cell)
    if not isinstance(cell, str):
        raise NumberError(f"'{cell}' không phải là số.")
    raw = _SPACES.sub(" ", nfc(cell)).strip()
    if len(raw) > MAX_LENGTH:
        raise NumberError(f"'{raw[:30]}…' quá dài: ô số liệu chỉ ghi một số (có thể kèm 'hơn', 'khoảng'...).")
    plain = strip_accents(raw).casefold()
    if plain in BLANK_WORDS:
        return Figure("not_reported")
    if plain in ZERO_WORDS:
        return Figure("zero", 0.0, raw=raw)
    approximate, rest = False, plain  # qualifiers are read without accents; digits are unchanged
    while match := _QUALIFIER.match(rest):
        approximate, rest = True, rest[match.end():]
    if rest.startswith(("-", "−")):
        raise NumberError(f"'{raw}' là số âm: số liệu không được âm.")
    rest = rest.removesuffix("%").strip()
    if "/" in rest:
        if not allow_ratio:
            raise NumberError(f"'{raw}' là phân số/thứ hạng: chỉ tiêu này cần một số.")
        first, _, second = rest.partition("/")
        value, of = _decimal(first, raw), _decimal(second, raw)
        if of == 0:
            raise NumberError(f"'{raw}': mẫu số bằng 0.")
        return Figure("reported", value, approximate, raw, of)
    value = _decimal(rest, raw)
    return Figure("zero" if value == 0 else "reported", value, approximate, raw)


def _decimal(text: str, raw: str) -> float:
    text = _DIGIT_SPACE.sub("", text.strip())
    if _PLAIN_NUMBER.fullmatch(text):  # the usual forms, read without babel: ten times faster
        return _bounded(float(text.replace(".", "").replace(",", ".")), raw)
    if not text or not re.fullmatch(r"[\d.,]+", text):
        raise NumberError(f"'{raw}' không phải là số.")
    try:
        value = float(parse_decimal(text, locale="vi", strict=True))
    except (NumberFormatError, InvalidOperation):
        raise NumberError(
            f"'{raw}' không đúng cách viết số (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần thập phân: "
            "22.153 hoặc 81,32)."
        ) from None
    return _bounded(value, raw)


def _from_number(number: float | Decimal) -> Figure:
    try:
        value = float(number)
    except (OverflowError, ValueError):  # an int too large for a float, a signalling NaN
        raise NumberError("số liệu quá lớn hoặc không phải là số.") from None
    if math.isnan(value) or math.isinf(value):
        raise NumberError(f"'{number}' không phải là số.")
    if value < 0:
        raise NumberError(f"'{number}' là số âm: số liệu không được âm.")
    value = _bounded(value, str(number))
    return Figure("zero" if value == 0 else "reported", value, False, None)


def _bounded(value: float, raw: str) -> float:
    if not value <= MAX_VALUE:  # also NaN
        raise NumberError(f"'{raw}' quá lớn: số liệu không vượt quá 10^15.")
    return value
