"""Working days in Vietnam's civil service.

A working day is Monday to Friday, minus public holidays and announced substitute days off
(both from the ``holidays`` package, country VN, named in Vietnamese), plus the Saturdays
worked in exchange, plus any per-year correction of the project's data file
``data/calendar/day_overrides.csv``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import holidays

from models import vnformat
from models.errors import UserError
from models.vnformat import WEEKDAYS

FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)  # the days the calendar knows
MAX_WORKING_DAYS = 2_500
_SPAN = f"từ {vnformat.day(FIRST_DAY)} đến {vnformat.day(LAST_DAY)}"


@dataclass(frozen=True)
class DayOverride:
    day: date
    kind: str  # "worked" (a working day although weekend/holiday) or "off" (a day off)
    name: str
    basis: str = ""


class WorkCalendar:
    def __init__(self, overrides: list[DayOverride] | None = None):
        self._vn = holidays.country_holidays("VN", language="vi")
        self._worked = {o.day: o for o in overrides or [] if o.kind == "worked"}
        self._off = {o.day: o for o in overrides or [] if o.kind == "off"}
        self._cumulative: dict[int, list[int]] = {}
        self._before_year: dict[int, int] = {}

    def day_off_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day (in Vietnamese), or None if it is one."""
        if day in self._worked:
            return None
        if day in self._off:
            return self._off[day].name
        holiday = self._vn.get(day)
        if holiday:
            return holiday
        if day.weekday() >= 5:
            return WEEKDAYS[day.weekday()]
        return None

    def is_working_day(self, day: date) -> bool:
        return self.day_off_reason(day) is None

    def worked_reason(self, day: date) -> str | None:
        """The announcement behind a worked Saturday, if ``day`` is one."""
        o = self._worked.get(day)
        return o.name if o else None

    def roll_forward(self, day: date) -> date:
        """``day`` itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n > 0) or before it (n < 0); ``day`` itself
        does not count. n == 0 gives ``day``. The calendar covers 1990–2100: further is an error."""
        if abs(n) > MAX_WORKING_DAYS:
            raise UserError(f"{n} ngày làm việc là quá xa (tối đa {MAX_WORKING_DAYS} ngày, khoảng 10 năm).")
        if not FIRST_DAY <= day <= LAST_DAY:
            raise UserError(f"Ngày {vnformat.day(day)} nằm ngoài lịch ({_SPAN}).")
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if not FIRST_DAY <= day <= LAST_DAY:
                raise UserError(f"Ngày làm việc tính được nằm ngoài lịch ({_SPAN}).")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        return self.ordinal(end) - self.ordinal(start)

    def ordinal(self, day: date) -> int:
        """Number of working days from 1 January 1990 up to and including ``day``: the
        difference of two ordinals counts working days, also for a whole column at once."""
        if day.year not in self._before_year:
            self._before_year[day.year] = sum(
                self._year_cumulative(y)[-1] for y in range(1990, day.year)
            )
        return self._before_year[day.year] + self._year_cumulative(day.year)[day.timetuple().tm_yday - 1]

    def _year_cumulative(self, year: int) -> list[int]:
        if year not in self._cumulative:
            counts, total = [], 0
            day = date(year, 1, 1)
            while day.year == year:
                total += self.is_working_day(day)
                counts.append(total)
                day += timedelta(days=1)
            self._cumulative[year] = counts
        return self._cumulative[year]

    def days_off_in(self, start: date, end: date) -> list[tuple[date, str]]:
        """Non-weekend days off between start and end inclusive, with their names."""
        out, day = [], start
        while day <= end:
            reason = self.day_off_reason(day)
            if reason and reason not in WEEKDAYS:
                out.append((day, reason))
            day += timedelta(days=1)
        return out


def load_overrides(path: Path) -> list[DayOverride]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            DayOverride(date.fromisoformat(r["date"]), r["kind"], r["name"], r.get("basis", ""))
            for r in csv.DictReader(fh)
        ]
