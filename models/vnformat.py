"""Numbers and dates written the Vietnamese way: ``22.153`` (thousands), ``81,32`` (decimals),
``09`` (counts in a report's footnote), ``17/5/2024``."""

from __future__ import annotations

import math
from datetime import date


def number(value: float | int | None, decimals: int = 2) -> str:
    """22153 -> "22.153"; 81.32 -> "81,32"; 71.3066 -> "71,31"; None -> ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", ".")
    whole, _, frac = f"{abs(rounded):,.{decimals}f}".partition(".")
    frac = frac.rstrip("0")
    sign = "-" if rounded < 0 else ""
    return f"{sign}{whole.replace(',', '.')},{frac}"


def percent(value: float | None, decimals: int = 2) -> str:
    return f"{number(value, decimals)}%" if value is not None and not math.isnan(value) else ""


def count(n: int) -> str:
    """Counts as official reports write them: two digits at least ("09 bộ, ngành")."""
    return f"{n:02d}"


def day(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def change(current: float | None, previous: float | None) -> str:
    """ "tăng 12,5%" / "giảm 3%" / "bằng" / "" when either side is missing or the base is zero."""
    if current is None or previous is None or math.isnan(current) or math.isnan(previous) or previous == 0:
        return ""
    delta = (current - previous) / previous * 100
    if abs(delta) < 0.005:
        return "bằng cùng kỳ"
    return f"{'tăng' if delta > 0 else 'giảm'} {percent(abs(delta))}"
