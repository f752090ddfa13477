"""The reminder schedule: stages on working days around the deadline, the one stage a run
sends, and the per-cycle policy override. Pure model tests, no server."""

from datetime import date

import pytest
from sqlmodel import select

from models.cycles import RequestInput, open_cycle
from models.errors import UserError
from models.reminders import (
    ScheduledStage,
    cycle_policy,
    due_stage,
    parse_stage,
    schedule,
    set_policy,
    stage_day,
)
from models.streams import ReminderPolicy, ReminderStage
from models.tables import AuditRow, CycleRow
from tests.helpers import vn_at

STANDARD = ReminderPolicy(hour=8, stages=[
    ReminderStage(id="truoc-5", offset=-5), ReminderStage(id="truoc-2", offset=-2), ReminderStage(id="dung-han", offset=0),
    ReminderStage(id="sau-2", offset=2), ReminderStage(id="sau-5", offset=5, escalate=True)])


def open_cycle_with(app, deadline: str, issued: date, roll_forward: bool = True, number: str = "1234/BNV-CTTN") -> CycleRow:
    with app.session() as session:
        return open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
                          kind="annual", year=2023, request=RequestInput(number, issued, deadline),
                          roll_forward=roll_forward)


def days(stages: list[ScheduledStage]) -> dict[str, date]:
    return {s.id: s.due_on for s in stages}


def test_the_standard_policy_is_copied_into_the_cycle(app):
    cycle = open_cycle_with(app, "chậm nhất ngày 10/5/2024", date(2024, 4, 15))
    assert cycle_policy(cycle) == STANDARD


def test_stages_skip_the_april_holidays_and_use_the_worked_saturday(app):
    # Deadline Friday 10/05/2024. Off: 29/4 (swapped), 30/4, 1/5; Saturday 4/5 is worked.
    got = days(schedule(STANDARD, date(2024, 5, 10), app.calendar))
    assert got == {"truoc-5": date(2024, 5, 4), "truoc-2": date(2024, 5, 8), "dung-han": date(2024, 5, 10),
                   "sau-2": date(2024, 5, 14), "sau-5": date(2024, 5, 17)}


def test_stages_around_national_day(app):
    # Deadline Thursday 05/09/2024; Monday 2/9 and Tuesday 3/9 are off, so two working days
    # before is Friday 30/8, before the long weekend.
    got = days(schedule(STANDARD, date(2024, 9, 5), app.calendar))
    assert (got["truoc-5"], got["truoc-2"], got["sau-2"]) == (date(2024, 8, 27), date(2024, 8, 30), date(2024, 9, 9))


def test_a_deadline_on_a_day_off_puts_the_deadline_stage_on_the_last_working_day_before(app):
    # "chậm nhất ngày 24/11/2026" without roll-forward: Ngày Văn hóa Việt Nam, a Tuesday off.
    deadline = date(2026, 11, 24)
    assert not app.calendar.is_working_day(deadline)
    assert stage_day(deadline, 0, app.calendar) == date(2026, 11, 23)
    assert stage_day(deadline, -2, app.calendar) == date(2026, 11, 20)
    assert stage_day(deadline, 2, app.calendar) == date(2026, 11, 26)
    # On a Sunday: Friday before it; +1 is the Monday after.
    assert stage_day(date(2024, 6, 2), 0, app.calendar) == date(2024, 5, 31)
    assert stage_day(date(2024, 6, 2), 1, app.calendar) == date(2024, 6, 3)


def test_only_the_latest_due_stage_goes_and_never_on_a_day_off(app):
    cycle = open_cycle_with(app, "chậm nhất ngày 10/5/2024", date(2024, 4, 15))

    def stage(day, moment=None):
        return due_stage(cycle, STANDARD, date(2024, 5, 10), app.calendar, day, moment)

    assert stage(date(2024, 5, 3)).stage is None and "04/05/2024" in stage(date(2024, 5, 3)).note
    assert stage(date(2024, 5, 4)).stage.id == "truoc-5"  # the worked Saturday
    assert stage(date(2024, 5, 6)).stage.id == "truoc-5"  # missed on Saturday: goes on the next run
    assert stage(date(2024, 5, 8)).stage.id == "truoc-2"
    off = stage(date(2024, 5, 12))
    assert off.stage is None and "ngày nghỉ (Chủ nhật)" in off.note
    # A run after a long gap sends the latest stage only, not the three it missed.
    assert stage(date(2024, 6, 20)).stage.id == "sau-5"
    assert stage(date(2024, 5, 16)).stage.id == "sau-2"


def test_nothing_goes_before_the_policy_hour(app):
    cycle = open_cycle_with(app, "chậm nhất ngày 10/5/2024", date(2024, 4, 15))
    early = due_stage(cycle, STANDARD, date(2024, 5, 10), app.calendar, date(2024, 5, 8), vn_at(date(2024, 5, 8), 7, 59))
    assert early.stage is None and "08:00" in early.note
    assert due_stage(cycle, STANDARD, date(2024, 5, 10), app.calendar, date(2024, 5, 8),
                     vn_at(date(2024, 5, 8), 8, 0)).stage.id == "truoc-2"


def test_a_closed_cycle_or_one_without_deadline_has_nothing_due(app):
    cycle = open_cycle_with(app, "chậm nhất ngày 10/5/2024", date(2024, 4, 15))
    assert due_stage(cycle, STANDARD, None, app.calendar, date(2024, 5, 8)).note.startswith("Kỳ 'danvan-2023-annual' chưa có hạn")
    cycle.status = "closed"
    assert "đã đóng" in due_stage(cycle, STANDARD, date(2024, 5, 10), app.calendar, date(2024, 5, 8)).note


def test_policy_override_per_cycle_is_stored_audited_and_resettable(app):
    cycle = open_cycle_with(app, "chậm nhất ngày 10/5/2024", date(2024, 4, 15))
    with app.session() as session:
        row = session.get(CycleRow, cycle.id)
        set_policy(session, row, stages=[parse_stage("truoc-3:-3"), parse_stage("sau-7:7:escalate")], hour=14)
    with app.session() as session:
        row = session.get(CycleRow, cycle.id)
        policy = cycle_policy(row)
        assert policy.hour == 14
        assert [(s.id, s.offset, s.escalate) for s in policy.stages] == [("truoc-3", -3, False), ("sau-7", 7, True)]
        assert len(session.exec(select(AuditRow).where(AuditRow.action == "policy")).all()) == 1
        set_policy(session, row, reset_to=app.config.reminder_policies["standard"])
    with app.session() as session:
        assert cycle_policy(session.get(CycleRow, cycle.id)) == STANDARD


@pytest.mark.parametrize("spec, error", [
    ("sau-2", "không hợp lệ"), ("sau-2:x", "không hợp lệ"), ("sau-2:2:loud", "không hợp lệ"),
])
def test_bad_stage_specifications_are_refused(spec, error):
    with pytest.raises(UserError, match=error):
        parse_stage(spec)


def test_bad_policies_are_refused(app):
    cycle = open_cycle_with(app, "chậm nhất ngày 10/5/2024", date(2024, 4, 15))
    with app.session() as session:
        row = session.get(CycleRow, cycle.id)
        with pytest.raises(UserError, match="bị trùng: sau-2"):
            set_policy(session, row, stages=[parse_stage("sau-2:2"), parse_stage("sau-2:3")])
        with pytest.raises(UserError, match="Giờ gửi nhắc 25"):
            set_policy(session, row, hour=25)
        with pytest.raises(UserError, match="Mã đợt nhắc 'Sau 2'"):
            set_policy(session, row, stages=[ReminderStage(id="Sau 2", offset=2)])
