"""Builders for test data that several test modules share."""

from __future__ import annotations

import tracemalloc
from datetime import date, datetime

from models.clock import vn_moment
from models.cycles import RequestInput, open_cycle
from models.reports import ReportData, store_submission
from models.tables import CycleRow
from wiring.app import App


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


def seed_000_split(app: App, cycle: CycleRow) -> tuple[list[str], list[str], set[str], set[str]]:
    """Seed 000's 2023 cycle: (the 9 central units and the 53 provinces that reported, the 21
    central units and the 10 provinces that did not), as unit ids in official order. The
    footnote names 20 central units, one of them (Học viện Chính trị quốc gia) not expected:
    the 21 are its 19 official names plus the two units it forgot."""
    from tests.test_roster import SEED_000_MISSING_CENTRAL, SEED_000_MISSING_PROVINCES

    ref = cycle.reference_date
    named_central = {app.roster.find(n, ref).id for n in SEED_000_MISSING_CENTRAL}
    named_provinces = {app.roster.find(n, ref).id for n in SEED_000_MISSING_PROVINCES}
    central = [u.id for u in app.roster.on(ref, group="central") if u.id not in named_central]
    provinces = [u.id for u in app.roster.on(ref, group="provincial") if u.id not in named_provinces]
    assert len(central) == 11 and len(provinces) == 53
    return central[:9], provinces, set(central[9:]) | (named_central - {"x-hvctqg"}), named_provinces


def submit_seed_000(app: App, cycle: CycleRow, reports: dict[str, dict] | None = None):
    """The 62 reports of seed 000's cycle, received 20–29/05/2024; ``reports`` adds ReportData
    fields (values, sections, data_until...) per unit id. Returns ``seed_000_split``."""
    split = seed_000_split(app, cycle)
    central, provinces = split[0], split[1]
    for i, uid in enumerate(central + provinces):
        submit(app, cycle.id, uid, date(2024, 5, 20 + i % 10), number=f"{i + 1}/BC", **(reports or {}).get(uid, {}))
    return split


def vn_at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment on ``day``, Vietnam time (the time a reminder run happens)."""
    return vn_moment(day, hour, minute)


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


def peak_memory(work):
    """(result of ``work()``, the most memory Python held meanwhile, in bytes)."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def replay_demo(app: App, cycle_id: str, arrivals, first: date, last: date):
    """A demo's arrivals replayed day by day through the core, as the demo's ticks take them in:
    (outcome per file, the day the quorum was first reached, the days a report was accepted after it)."""
    from datetime import timedelta

    from services.intake import sweep_inbox
    from tasks.tracking import check_quorum

    outcomes, quorum_day, accepted_after = {}, None, []
    day = first
    while day <= last:
        app.settings.inbox_dir.mkdir(parents=True, exist_ok=True)
        for a in arrivals:
            if a.day == day:
                (app.settings.inbox_dir / a.name).write_bytes(a.content)
        for o in sweep_inbox(app, received_at=vn_moment(day, 9)):
            outcomes[o.source_ref] = o.outcome
            if quorum_day and o.outcome == "accepted":
                accepted_after.append(day)
        if app.calendar.is_working_day(day) and quorum_day is None and check_quorum(app, cycle_id, day).newly_reached:
            quorum_day = day
        day += timedelta(days=1)
    return outcomes, quorum_day, accepted_after
