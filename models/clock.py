"""Vietnam's clock: the dates of the domain are days in Asia/Ho_Chi_Minh.

There is one clock, ``Clock``: ``SYSTEM`` reads the machine's time; ``Clock(at=moment)`` stands
still at a moment (a day replayed by the demo, a test). The application carries its clock
(``App.clock``); nothing else asks the machine for the time or the date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    def __init__(self, at: datetime | None = None):
        if at is not None and at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware moment")
        self.at = at

    def now(self) -> datetime:
        """The moment, aware, in UTC."""
        return self.at.astimezone(UTC) if self.at else datetime.now(UTC)

    def today(self) -> date:
        """Today in Vietnam."""
        return vn_date(self.now())

    def __repr__(self) -> str:
        return f"Clock(at={self.at.isoformat()})" if self.at else "Clock()"


SYSTEM = Clock()


def utcnow() -> datetime:
    """When a row is written (created_at and the like): the machine's time."""
    return SYSTEM.now()


def vn_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).date()


def vn_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` Vietnam time, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ).astimezone(UTC)
