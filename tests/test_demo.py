"""The demo's sample cycle, replayed through the core without Prefect: it must tell the story
the README promises (9 + 53 reports, the quorum on 05/06/2024, late reports after it)."""

from __future__ import annotations

from datetime import date, timedelta

from dvtracker.demo import CYCLE_ID, DEADLINE, FIRST_DAY, ISSUED, LAST_DAY, REQUEST, REVIEW_DAY, plan_arrivals, review_an_giang
from models.clock import vn_moment
from services.cycles import OpenCycle, open_cycle
from services.intake import sweep_inbox
from services.tracking import status
from tasks.tracking import check_quorum


def test_the_demo_cycle_reaches_its_quorum_and_ends_with_9_plus_53_reports(app, tmp_path):
    open_cycle(app, OpenCycle.of(stream="danvan", kind="annual", year=2023, request=REQUEST, issued=ISSUED,
                                 deadline=DEADLINE))
    arrivals = plan_arrivals(app, tmp_path)
    again = plan_arrivals(app, tmp_path / "again")
    assert [(a.day, a.name) for a in again] == [(a.day, a.name) for a in arrivals]  # seeded: the same every run
    outcomes, quorum_day = {}, None
    day = FIRST_DAY
    while day <= LAST_DAY:
        app.settings.inbox_dir.mkdir(parents=True, exist_ok=True)
        for a in arrivals:
            if a.day == day:
                (app.settings.inbox_dir / a.name).write_bytes(a.content)
        for o in sweep_inbox(app, received_at=vn_moment(day, 9)):
            outcomes[o.source_ref] = o.outcome
        if app.calendar.is_working_day(day) and quorum_day is None and check_quorum(app, CYCLE_ID, day).newly_reached:
            quorum_day = day
        day += timedelta(days=1)

    assert quorum_day == date(2024, 6, 5)
    assert outcomes["bao-cao-hong.xlsx"] == "rejected"
    assert outcomes["quang-tri-du-thao.json"] == "draft"
    assert sum(o == "duplicate" for o in outcomes.values()) == 1
    final = check_quorum(app, CYCLE_ID, LAST_DAY)
    assert final.reached
    summary = status(app, CYCLE_ID, LAST_DAY).groups.set_index("group")
    assert summary.loc["central", ["actual", "missing"]].tolist() == [9, 21]
    assert summary.loc["provincial", ["actual", "missing"]].tolist() == [53, 10]

    # An Giang's real report came as Word inside an edXML package; the demo reviews its figures.
    assert outcomes["an-giang-529-BC-UBND.edxml"] == "accepted"
    from rich.console import Console

    from services.review import list_reviews

    assert [r["unit_id"] for r in list_reviews(app, CYCLE_ID)] == ["p2004-89"]
    console = Console(record=True, width=200)
    review_an_giang(console, app.settings, REVIEW_DAY)
    shown = console.export_text()
    assert "Số cơ quan, đơn vị được kiểm tra công vụ: 21 — «kiểm tra công vụ tại 21 cơ quan, đơn vị.»" in shown
    assert "lưu thành phiên bản 2" in shown and list_reviews(app, CYCLE_ID) == []
