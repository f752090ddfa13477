"""The daily tick's decisions, without a Prefect server: which events a day produces, when a
replayed day happens, and how a coordinator's input is checked whichever door it comes through."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date

import pytest
from sqlmodel import select

from flows.open_cycle import open_cycle as open_cycle_flow
from models import events
from models.clock import VN_TZ
from models.errors import UserError
from models.tables import ReminderRow, SubmissionRow
from services.cycles import OpenCycle
from services.tick import run_daily_tick, tick_events
from tests.helpers import add_contacts, open_2023_danvan, submit

SAU_2 = date(2024, 6, 4)  # two working days after the deadline of 31/05/2024


def report(unit: str, number: str = "7/BC-UBND", cycle: str = "danvan-2023-annual") -> bytes:
    return json.dumps({"cycle": cycle, "unit": unit, "number": number, "date": "2024-06-03", "sections": {}},
                      ensure_ascii=False).encode()


def drop(app, name: str, content: bytes) -> None:
    app.settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    (app.settings.inbox_dir / name).write_bytes(content)


def names(evs) -> list[str]:
    return [e.name for e in evs]


def test_a_day_tells_its_story_and_a_replay_happens_at_the_schedules_hours(app):
    cycle = open_2023_danvan(app, quorum={"required": ["p2004-01"]})
    add_contacts(app, ("89", "email", "ag@angiang.example.invalid"))
    drop(app, "ha-noi.json", report("01"))
    drop(app, "hong.json", b'{"unit": ')

    result = run_daily_tick(app, SAU_2, cycle_id=cycle.id)  # a day in the past: a replay

    (_day,) = result.cycles
    received = next(o for o in result.outcomes if o.source_ref == "ha-noi.json")
    assert received.outcome == "accepted"
    with app.session() as session:
        sub = session.get(SubmissionRow, received.submission_id)
        reminder = session.exec(select(ReminderRow).where(ReminderRow.unit_id == "p2004-89")).one()
    assert vn_time(sub.received_at).hour == 8  # the tick's hour (prefect.yaml's schedule)
    assert vn_time(reminder.sent_at).hour == 8  # the policy's hour, not 23:59
    story = tick_events(result)
    assert names(story)[:2] == [events.REPORT_RECEIVED, events.REPORT_REJECTED]
    assert story[1].cycle == events.unknown_cycle("bnv")  # the broken file named no cycle
    # 04/06 is the second working day late, but the cycle's first tick after the deadline (03/06
    # had none): the units late are told now, once each.
    late = [e for e in story if e.name == events.UNIT_LATE]
    overall = result.cycles[0].status.overall()
    assert len(late) == overall["missing"] + overall["draft_only"] > 0
    assert len({e.id for e in late}) == len(late)
    assert [e.unit for e in story if e.name == events.REMINDER_SENT] == [("p2004-89", "Tỉnh An Giang")]
    assert names(story)[-1] == events.QUORUM_REACHED  # Hà Nội, the required unit, has reported
    again = tick_events(run_daily_tick(app, SAU_2, cycle_id=cycle.id))
    assert {e.id for e in again if e.name == events.QUORUM_REACHED} == {story[-1].id}  # the same event, stored once
    # A rerun of the day tells the same units late with the same ids; the next day tells none again.
    assert {e.id for e in again if e.name == events.UNIT_LATE} == {e.id for e in late}
    for later in (date(2024, 6, 5), date(2024, 6, 6)):
        still = run_daily_tick(app, later, cycle_id=cycle.id)
        assert still.cycles[0].status.overall()["missing"] > 0
        assert [e for e in tick_events(still) if e.name == events.UNIT_LATE] == []


def test_a_unit_is_late_once_from_the_first_working_day_after_the_deadline(app):
    cycle = open_2023_danvan(app)
    first = run_daily_tick(app, date(2024, 6, 3), cycle_id=cycle.id)  # the first working day late
    late = {e.unit: e.id for e in tick_events(first) if e.name == events.UNIT_LATE}
    assert len(late) == first.cycles[0].status.overall()["missing"] > 0
    rerun = run_daily_tick(app, date(2024, 6, 3), cycle_id=cycle.id)
    assert {e.unit: e.id for e in tick_events(rerun) if e.name == events.UNIT_LATE} == late
    assert [e for e in tick_events(run_daily_tick(app, SAU_2, cycle_id=cycle.id)) if e.name == events.UNIT_LATE] == []


def vn_time(moment):
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VN_TZ)


def test_no_unit_is_late_and_no_quorum_event_before_they_are_due(app):
    cycle = open_2023_danvan(app)
    result = run_daily_tick(app, date(2024, 5, 24), cycle_id=cycle.id)
    assert [e for e in tick_events(result) if e.name in (events.UNIT_LATE, events.QUORUM_REACHED)] == []


def test_after_a_compilation_only_accepted_reports_start_another(app):
    from services.compile import CompileRequest, compile_cycle

    cycle = open_2023_danvan(app, quorum={"required": ["p2004-01"]})
    submit(app, cycle.id, "01", date(2024, 5, 24))
    compile_cycle(app, CompileRequest.of(cycle=cycle.id, as_of=date(2024, 5, 31)))
    drop(app, "an-giang.json", report("89"))
    drop(app, "ha-noi-lai.json", report("01", number="1/BC"))  # Hà Nội's report again: a duplicate
    first = run_daily_tick(app, SAU_2, cycle_id=cycle.id)
    added = [e for e in tick_events(first) if e.name in (events.REPORTS_ADDED, events.QUORUM_REACHED)]
    assert [(e.name, e.payload["units"]) for e in added] == [(events.REPORTS_ADDED, ["Tỉnh An Giang", "Thành phố Hà Nội"])]
    (day,) = first.cycles
    only_duplicate = replace(day, received=[o for o in day.received if o.outcome == "duplicate"])
    assert [e.name for e in tick_events(replace(first, outcomes=[], cycles=[only_duplicate]))
            if e.name == events.REPORTS_ADDED] == []


def test_a_day_off_does_nothing(app):
    open_2023_danvan(app)
    drop(app, "ha-noi.json", report("01"))
    result = run_daily_tick(app, date(2024, 9, 2), cycle_id=None)  # Quốc khánh
    assert result.skipped and result.outcomes == [] and tick_events(result) == []
    assert (app.settings.inbox_dir / "ha-noi.json").exists()


BAD_SHARE = ("Tỷ lệ tối thiểu mỗi nhóm: tỷ lệ của nhóm 'provincial' là 80, cần lớn hơn 0 và không quá 1 "
             "(ví dụ 0.8 cho 80%).")


def test_a_share_of_80_is_refused_alike_by_the_cli_and_the_flow(cli):
    through_cli = cli("cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2023", "--request",
                      "2748/BNV-CTTN", "--issued", "2024-05-17", "--quorum-share", "provincial=80")
    assert (through_cli.exit_code, through_cli.stderr) == (2, f"Lỗi: {BAD_SHARE}\n")
    with pytest.raises(UserError) as through_flow:
        open_cycle_flow.fn(stream="danvan", kind="annual", year=2023, request_number="2748/BNV-CTTN",
                           issued_on=date(2024, 5, 17), quorum_shares={"provincial": 80})
    assert through_flow.value.message == BAD_SHARE
    assert cli("cycles", "--json").stdout.strip() == "[]"  # nothing was opened


@pytest.mark.parametrize("values, message", [
    (dict(year=20245), "Năm '20245': phải không quá 2100."),
    (dict(quorum_shares={"province": 0.8}), "Nhóm 'province' không có trong luồng 'danvan' (các nhóm: central, provincial)."),
    (dict(window_start=date(2023, 1, 1)), "Cần ghi cả đầu và cuối thời gian chốt số liệu."),
    (dict(label="x" * 300), "Tên kỳ: dài quá 255 ký tự."),
])
def test_every_input_of_opening_a_cycle_is_checked_in_vietnamese(app, values, message):
    from services.cycles import open_cycle

    spec = dict(stream="danvan", kind="annual", year=2023, request="2748/BNV-CTTN", issued=date(2024, 5, 17)) | values
    with pytest.raises(UserError) as refused:
        open_cycle(app, OpenCycle.of(**spec))
    assert refused.value.message == message


def test_the_tick_computes_each_cycles_status_once_and_the_reminders_use_it(app, monkeypatch):
    import tasks.reminders
    import tasks.tracking
    from models.status import compute_status

    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", "ag@angiang.example.invalid"))
    computed = []

    def counted(session, c, *args):
        computed.append(c.id)
        return compute_status(session, c, *args)

    preview = tasks.reminders.send_due_reminders(app, cycle.id, SAU_2, dry_run=True)
    monkeypatch.setattr(tasks.tracking, "compute_status", counted)
    monkeypatch.setattr(tasks.reminders, "compute_status", counted)
    (day,) = run_daily_tick(app, SAU_2, cycle_id=cycle.id, sweep_inbox=False).cycles
    assert computed == [cycle.id]
    assert [(i.unit_id, i.channel, i.subject) for i in day.reminders.sent] == \
           [(i.unit_id, i.channel, i.subject) for i in preview.due]  # the same reminders as a status of its own gives

    with pytest.raises(ValueError, match="not"):  # a status of another day is not taken for this one
        tasks.reminders.send_due_reminders(app, cycle.id, SAU_2, dry_run=True, status=day.status.__class__(
            **{**day.status.__dict__, "as_of": date(2024, 6, 3)}))
