"""The inbox bound to one machine: the daily tick of a worker told not to sweep leaves the local
inbox alone, and the inbox's own sweep tells the same story as a tick (received, rejected, and
the reports added to a cycle compiled already, which start its next version)."""

from __future__ import annotations

from datetime import date

from models import events
from services.inbox import sweep
from services.tick import run_daily_tick
from tasks.compile import compile_cycle
from tests.helpers import open_2023_danvan, vn_at
from tests.test_tick import drop, report

DAY = date(2024, 6, 4)


def test_a_tick_that_does_not_sweep_leaves_the_inbox_to_its_machine(app):
    cycle = open_2023_danvan(app)
    drop(app, "ha-noi.json", report("01"))

    result = run_daily_tick(app, DAY, cycle_id=cycle.id, sweep_inbox=False)
    assert result.outcomes == [] and (app.settings.inbox_dir / "ha-noi.json").exists()
    assert result.cycles[0].status.overall()["actual"] == 0

    outcomes, story = sweep(app, DAY, received_at=vn_at(DAY, 8))
    assert [o.outcome for o in outcomes] == ["accepted"]
    assert not (app.settings.inbox_dir / "ha-noi.json").exists()
    assert [e.name for e in story] == [events.REPORT_RECEIVED]
    assert run_daily_tick(app, DAY, cycle_id=cycle.id, sweep_inbox=False).cycles[0].status.overall()["actual"] == 1


def test_a_report_swept_after_the_compilation_starts_the_next_version(app):
    cycle = open_2023_danvan(app)
    drop(app, "ha-noi.json", report("01"))
    sweep(app, DAY, received_at=vn_at(DAY, 8))
    compile_cycle(app, cycle.id, as_of=DAY)

    drop(app, "an-giang.json", report("89"))
    drop(app, "hong.json", b'{"unit": ')
    outcomes, story = sweep(app, DAY, received_at=vn_at(DAY, 8))
    assert sorted(o.outcome for o in outcomes) == ["accepted", "rejected"]
    assert [e.name for e in story].count(events.REPORTS_ADDED) == 1
    added = next(e for e in story if e.name == events.REPORTS_ADDED)
    assert added.cycle.id == cycle.id and added.payload["as_of"] == DAY.isoformat()
