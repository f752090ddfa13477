"""Builders for test data that several test modules share."""

from __future__ import annotations

from datetime import date, datetime

from dvtracker.app import App
from models.clock import vn_moment
from models.cycles import RequestInput, open_cycle
from models.reports import ReportData, store_submission
from models.tables import CycleRow

def vn_noon(day: date) -> datetime:
    """A receipt time at noon, Vietnam time, on ``day``."""
    return vn_moment(day, 12)


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


def fill_template(app: App, cycle_id: str, path, **kwargs):
    """A form made by ``write_template`` and filled the way a unit fills it in Excel."""
    from tasks.workbook import fill_form

    return fill_form(app, cycle_id, path, **kwargs)
