"""A whole simulated cycle, day by day, against a real SMTP server and a chat receiver on
loopback: the right units get the right stage on the right day, reruns send nothing."""

import re
from datetime import date, timedelta

from sqlmodel import select

from models.cycles import RequestInput, exempt_unit, open_cycle
from models.tables import CycleRow, ReminderRow
from tasks.reminders import send_digest, send_due_reminders
from tests.helpers import add_contacts, submit, vn_at

DEADLINE = date(2024, 5, 10)  # Friday; 29/4-1/5 off, Saturday 4/5 worked
STAGE_DAYS = {"truoc-5": date(2024, 5, 4), "truoc-2": date(2024, 5, 8), "dung-han": date(2024, 5, 10),
              "sau-2": date(2024, 5, 14), "sau-5": date(2024, 5, 17)}
# The escalation's công văn đôn đốc is drafted on its day (Friday 17/5), numbered by the văn thư
# that day, and goes with the next run (Monday 20/5).
SENT_ON = dict(STAGE_DAYS, **{"sau-5": date(2024, 5, 20)})


def stage_of(body: str) -> str:
    return re.search(r"\(mã ([a-z0-9\-]+)\)", body).group(1)


def test_a_whole_cycle_day_by_day(smtp_app, smtp_server, chat_receiver):
    app = smtp_app
    app.settings.coordinator_urls = [chat_receiver.url("/dieu-phoi")]
    with app.session() as session:
        cycle = open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
                           kind="annual", year=2023,
                           request=RequestInput("1790/BNV-CTTN", date(2024, 4, 15), "chậm nhất ngày 10/5/2024"))
    add_contacts(
        app,
        ("89", "email", "a1@angiang.example.invalid"), ("89", "email", "a2@angiang.example.invalid"),
        ("89", "email", "lanhdao@angiang.example.invalid", "leadership"), ("89", "chat", chat_receiver.url("/an-giang")),
        ("bnv", "email", "dm@bnv.example.invalid"),
        ("01", "email", "snv@hanoi.example.invalid"), ("01", "chat", chat_receiver.url("/ha-noi")),
        ("46", "email", "snv@hue.example.invalid"),
        ("45", "email", "snv@quangtri.example.invalid"), ("45", "email", "lanhdao@quangtri.example.invalid", "leadership"),
        ("btp", "email", "dm@btp.example.invalid"),
    )

    def events(day):  # what happens after the day's run
        if day == STAGE_DAYS["sau-5"]:
            from services.cycles import NewRequest, add_request

            linked = add_request(app, cycle.id, NewRequest.of(number="1999/BNV-CTTN", issued=day, kind="reminder"))
            assert linked["letter"]["stage"] == "sau-5"
        if day == date(2024, 4, 22):
            with app.session() as session:
                exempt_unit(session, session.get(CycleRow, cycle.id), app.roster, "46", "sáp nhập", day)
        reports = {date(2024, 5, 3): ("btp", "3/BC-BTP"), date(2024, 5, 6): ("45", None),  # a draft only
                   date(2024, 5, 7): ("bnv", "7/BC-BNV"), date(2024, 5, 15): ("01", "15/BC-UBND")}
        if day in reports:
            submit(app, cycle.id, reports[day][0], day, number=reports[day][1])

    day, last = DEADLINE - timedelta(days=21), DEADLINE + timedelta(days=14)
    notes = {}
    while day <= last:
        smtp_server.tag = chat_receiver.tag = day
        run = send_due_reminders(app, cycle.id, day, now=vn_at(day, 9))
        assert not run.failed
        send_digest(app, cycle.id, day, run, now=vn_at(day, 9))
        notes[day] = run.note
        mails, posts = len(smtp_server.mails), len(chat_receiver.posts)
        rerun = send_due_reminders(app, cycle.id, day, now=vn_at(day, 10))
        assert rerun.sent == [] and rerun.failed == []
        assert send_digest(app, cycle.id, day, rerun, now=vn_at(day, 10)).status in ("unchanged", "skipped")
        assert (len(smtp_server.mails), len(chat_receiver.posts)) == (mails, posts)
        events(day)
        day += timedelta(days=1)

    got_mail = {(m.tag, rcpt, stage_of(m.body)) for m in smtp_server.mails for rcpt in m.to}
    assert len(got_mail) == len(smtp_server.mails)  # one message per address and stage
    a = ["a1@angiang.example.invalid", "a2@angiang.example.invalid"]
    hn, qt = "snv@hanoi.example.invalid", "snv@quangtri.example.invalid"
    expected = {(SENT_ON["truoc-5"], r, "truoc-5") for r in [*a, "dm@bnv.example.invalid", hn, qt]}
    for stage in ("truoc-2", "dung-han", "sau-2"):
        expected |= {(SENT_ON[stage], r, stage) for r in [*a, hn, qt]}
    expected |= {(SENT_ON["sau-5"], r, "sau-5") for r in
                 [*a, "lanhdao@angiang.example.invalid", qt, "lanhdao@quangtri.example.invalid"]}
    assert got_mail == expected
    # Exempted (Huế) and reported before the first stage (Bộ Tư pháp): never reminded.
    assert not smtp_server.to("snv@hue.example.invalid") and not smtp_server.to("dm@btp.example.invalid")

    chats = {(p.tag, p.path) for p in chat_receiver.posts if p.path != "/dieu-phoi"}
    assert chats == {(d, "/an-giang") for d in SENT_ON.values()} | {
        (STAGE_DAYS[s], "/ha-noi") for s in ("truoc-5", "truoc-2", "dung-han", "sau-2")}

    # Nothing on days off, holidays included, nor before the first stage.
    assert "ngày nghỉ (Ngày Chiến thắng)" in notes[date(2024, 4, 30)]
    assert "ngày nghỉ (Ngày nghỉ (thay cho ngày 04/05/2024))" in notes[date(2024, 4, 29)]
    assert notes[date(2024, 4, 19)].startswith("Chưa đến đợt nhắc nào")

    # A digest each working day from the first stage on (the latest stage stays current), none twice.
    digests = chat_receiver.at("/dieu-phoi")
    working = [STAGE_DAYS["truoc-5"] + timedelta(days=i) for i in range(21)]
    assert [p.tag for p in digests] == [d for d in working if d <= last and app.calendar.is_working_day(d)]
    by_day = {p.tag: p.message for p in digests}
    assert "Đã báo cáo: 2/92 đơn vị" in by_day[STAGE_DAYS["truoc-2"]]
    # 93 less Huế (exempted), Bộ Tư pháp, Bộ Nội vụ and Hà Nội (reported)
    assert "Dự thảo công văn đôn đốc (89 đơn vị) đang chờ số" in by_day[STAGE_DAYS["sau-5"]]
    assert "Đã nhắc ở đợt này (0):" in by_day[STAGE_DAYS["sau-5"]]
    assert "Đã nhắc ở đợt này (3):" in by_day[SENT_ON["sau-5"]]  # An Giang by email and chat, Quảng Trị by email

    with app.session() as session:
        rows = session.exec(select(ReminderRow).where(ReminderRow.cycle_id == cycle.id)).all()
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
