"""Builders for test data that several test modules share."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from dvtracker.app import App
from models.cycles import RequestInput, open_cycle
from models.reports import ReportData, store_submission
from models.tables import CycleRow

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_noon(day: date) -> datetime:
    """A receipt time at noon, Vietnam time, on ``day``."""
    return datetime.combine(day, time(12, 0), tzinfo=VN).astimezone(timezone.utc)


def open_2023_danvan(app: App, deadline: str = "chậm nhất ngày 31/5/2024", **kwargs) -> CycleRow:
    """The 2023 annual dân vận cycle of seed 000, opened from request 2748/BNV-CTTN."""
    with app.session() as session:
        return open_cycle(
            session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
            kind="annual", year=2023, request=RequestInput("2748/BNV-CTTN", date(2024, 5, 17), deadline), **kwargs,
        )


def submit(app: App, cycle_id: str, unit: str, received: date, number: str | None = "1/BC",
           doc_date: date | None = None, **fields):
    """Store a report of ``unit`` received on ``received`` (a draft when number is None)."""
    with app.session() as session:
        cycle = session.get(CycleRow, cycle_id)
        report = ReportData(unit=unit, doc_number=number, doc_date=doc_date or (received if number else None), **fields)
        return store_submission(session, app.roster, cycle, report, received_at=vn_noon(received), source="test")


def vn_at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment on ``day``, Vietnam time (the time a reminder run happens)."""
    return datetime.combine(day, time(hour, minute), tzinfo=VN)


def add_contacts(app: App, *contacts: tuple, on: date = date(2024, 1, 1)) -> None:
    """Contacts as (unit, channel, address[, role[, name[, valid_from[, valid_to]]]])."""
    from models.contacts import ContactInput, upsert_contacts

    inputs = []
    for unit, channel, address, *rest in contacts:
        role, name, valid_from, valid_to = (list(rest) + ["focal", None, None, None][len(rest):])[:4]
        inputs.append(ContactInput(app.roster.find(unit, valid_from or on).id, role, channel, address, name,
                                   valid_from, valid_to))
    with app.session() as session:
        upsert_contacts(session, inputs)
