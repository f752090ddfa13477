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


def fill_template(app: App, cycle_id: str, path, *, unit: str | None = None, meta: dict | None = None,
                  sections: dict | None = None, values: dict | None = None):
    """A form made by ``write_template`` and filled with openpyxl the way a unit fills it in Excel.

    ``meta``: field key -> value; ``sections``: id -> (status label, text); ``values``: indicator
    id -> cell value, or (cell value, approximate mark)."""
    from openpyxl import load_workbook

    from tasks.workbook import write_template

    write_template(app, cycle_id, unit=unit, path=path)
    wb = load_workbook(path)

    def rows(sheet):
        ws = wb[sheet]
        return ws, {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}

    ws, at = rows("Thông tin")
    for key, value in (meta or {}).items():
        ws.cell(at[key], 3).value = value
    ws, at = rows("Nội dung")
    for sid, (status, text) in (sections or {}).items():
        ws.cell(at[sid], 3).value, ws.cell(at[sid], 4).value = status, text
    ws, at = rows("Số liệu")
    for iid, value in (values or {}).items():
        value, mark = value if isinstance(value, tuple) else (value, None)
        ws.cell(at[iid], 5).value, ws.cell(at[iid], 6).value = value, mark
    wb.save(path)
    return path
