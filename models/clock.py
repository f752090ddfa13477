"""Vietnam's clock: the dates of the domain are days in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VN_TZ).date()


def today_vn() -> date:
    return vn_date(datetime.now(timezone.utc))


def vn_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` Vietnam time, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=VN_TZ).astimezone(timezone.utc)
