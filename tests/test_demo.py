"""The demo's sample cycle, replayed through the core without Prefect: it must tell the story
the README promises (9 + 53 reports, the quorum on 05/06/2024, late reports after it)."""

from __future__ import annotations

from datetime import date

from dvtracker.demo import CYCLE_ID, DEADLINE, FIRST_DAY, ISSUED, LAST_DAY, REQUEST, REVIEW_DAY, plan_arrivals, review_an_giang
from services.cycles import OpenCycle, open_cycle
from services.tracking import status
from tasks.tracking import check_quorum
from tests.helpers import replay_demo


def test_the_demo_cycle_reaches_its_quorum_and_ends_with_9_plus_53_reports(app, tmp_path):
    open_cycle(app, OpenCycle.of(stream="danvan", kind="annual", year=2023, request=REQUEST, issued=ISSUED,
                                 deadline=DEADLINE))
    arrivals = plan_arrivals(app, tmp_path)
    again = plan_arrivals(app, tmp_path / "again")
    assert [(a.day, a.name) for a in again] == [(a.day, a.name) for a in arrivals]  # seeded: the same every run
    outcomes, quorum_day, _ = replay_demo(app, CYCLE_ID, arrivals, FIRST_DAY, LAST_DAY)

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
