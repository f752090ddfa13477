"""Sending reminders: exactly once through SMTP failures, crashes and reruns; what the
messages say; where they go (outbox, successors, leadership, chat); what a dry run does."""

import email
from datetime import date
from email import policy

import pytest
from sqlmodel import func, select

import tasks.reminders as reminder_tasks
from models.cycles import close_cycle
from models.errors import UserError
from models.tables import AuditRow, CycleRow, ReminderRow
from tasks.reminders import requeue_unconfirmed, send_digest, send_due_reminders
from tests.helpers import add_contacts, open_2023_danvan, submit, vn_at
from tests.reminder_servers import free_port

SAU_2 = date(2024, 6, 4)  # the 2748/BNV-CTTN cycle: deadline Friday 31/05/2024, +2 working days
A1, A2 = "a1@angiang.example.invalid", "a2@angiang.example.invalid"
HN, BNV = "snv@hanoi.example.invalid", "dm@bnv.example.invalid"


def rows(app, cycle_id="danvan-2023-annual") -> dict:
    with app.session() as session:
        found = session.exec(select(ReminderRow).where(ReminderRow.cycle_id == cycle_id)).all()
    return {(r.unit_id, r.stage, r.channel): r for r in found}


def outcomes(run) -> list[tuple]:
    return [(i.unit_id, i.stage, i.channel, i.outcome) for i in run.items if i.outcome != "no_contact"]


def read_eml(path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def text_of(message: email.message.EmailMessage) -> str:
    """The text as a mail program shows it (the file has the CRLF line ends of SMTP)."""
    return message.get_content().replace("\r\n", "\n")


def issue_letter(app, cycle_id: str, number: str, issued: date) -> dict:
    """The coordinator records the number of the công văn đôn đốc drafted by the tool."""
    from services.cycles import NewRequest, add_request

    return add_request(app, cycle_id, NewRequest.of(number=number, issued=issued, kind="reminder"))


# --- exactly once -------------------------------------------------------------------------------
@pytest.mark.parametrize("refusal", ["451 4.3.0 Temporary failure, try later", "550 5.7.1 Rejected for now"])
def test_smtp_refuses_then_recovers_nothing_lost_nothing_twice(smtp_app, smtp_server, refusal):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("bnv", "email", BNV), ("01", "email", HN), ("89", "email", A1), ("89", "email", A2))
    smtp_server.refuse, smtp_server.refusal = 3, refusal  # Bộ Nội vụ, Hà Nội and An Giang's first address
    first = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    assert [(i.unit_id, i.outcome) for i in first.due] == [
        ("c2021-bnv", "failed"), ("p2004-01", "failed"), ("p2004-89", "failed")]
    log = rows(smtp_app)
    assert {r.status for r in log.values()} == {"failed"} and all(r.sent_at is None for r in log.values())
    assert refusal.split()[0] in log[("c2021-bnv", "sau-2", "email")].last_error
    assert log[("p2004-89", "sau-2", "email")].recipients == A2  # the address already reached
    assert [m.to for m in smtp_server.mails] == [[A2]]

    second = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [(i.unit_id, i.outcome, i.attempts) for i in second.due] == [
        ("c2021-bnv", "sent", 2), ("p2004-01", "sent", 2), ("p2004-89", "sent", 2)]
    for address in (BNV, HN, A1, A2):
        assert len(smtp_server.to(address)) == 1
    assert rows(smtp_app)[("p2004-89", "sau-2", "email")].recipients == f"{A1}\n{A2}"
    third = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 10))
    assert third.due == [] and len(smtp_server.mails) == 4


def test_smtp_server_down_then_up(smtp_app, smtp_server):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN), ("89", "email", A1))
    port, smtp_app.settings.smtp_port = smtp_app.settings.smtp_port, free_port()
    down = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    assert [i.outcome for i in down.due] == ["failed", "failed"] and "127.0.0.1" in down.failed[0].error
    smtp_app.settings.smtp_port = port
    up = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 11))
    assert [i.outcome for i in up.due] == ["sent", "sent"]
    assert sorted(m.to[0] for m in smtp_server.mails) == [A1, HN]


def test_a_crash_between_send_and_record_never_sends_twice(smtp_app, smtp_server, monkeypatch):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN), ("89", "email", A1))
    record = reminder_tasks._record

    def crash(*args, **kwargs):
        raise RuntimeError("mất điện")

    monkeypatch.setattr(reminder_tasks, "_record", crash)
    with pytest.raises(RuntimeError):
        send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    monkeypatch.setattr(reminder_tasks, "_record", record)
    assert [m.to for m in smtp_server.mails] == [[HN]]  # it went, but was not recorded
    assert rows(smtp_app)[("p2004-01", "sau-2", "email")].status == "sending"

    retry = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 30))
    assert outcomes(retry) == [("p2004-01", "sau-2", "email", "unconfirmed"), ("p2004-89", "sau-2", "email", "sent")]
    assert [m.to for m in smtp_server.mails] == [[HN], [A1]]
    digest = send_digest(smtp_app, cycle.id, SAU_2, retry, now=vn_at(SAU_2, 8, 30))
    text = read_eml(smtp_app.settings.outbox_dir / digest.path).get_content()
    assert "Chưa xác nhận đã gửi" in text and "- Thành phố Hà Nội - đợt sau-2 - thư điện tử, bắt đầu gửi lúc 08:05 04/06/2024" in text

    # A later stage goes as usual; the interrupted one stays reported until a coordinator acts.
    # (The later stage is the escalation: its công văn goes once the coordinator has its number.)
    drafted = send_due_reminders(smtp_app, cycle.id, date(2024, 6, 7), now=vn_at(date(2024, 6, 7)))
    assert drafted.letter["state"] == "draft" and drafted.sent == []
    assert issue_letter(smtp_app, cycle.id, "3102/BNV-CTTN", date(2024, 6, 7))["letter"]["stage"] == "sau-5"
    later = send_due_reminders(smtp_app, cycle.id, date(2024, 6, 7), now=vn_at(date(2024, 6, 7), 10))
    assert ("p2004-01", "sau-2", "email", "unconfirmed") in outcomes(later)
    assert [i.unit_id for i in later.sent] == ["p2004-01", "p2004-89"]
    assert requeue_unconfirmed(smtp_app, cycle.id, unit="01") == 1
    assert rows(smtp_app)[("p2004-01", "sau-2", "email")].status == "failed"


def test_requeue_lets_the_next_run_send_again(smtp_app, smtp_server, monkeypatch):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN))
    monkeypatch.setattr(reminder_tasks, "_record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("mất điện")))
    with pytest.raises(RuntimeError):
        send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    monkeypatch.undo()
    smtp_server.mails.clear()  # say the coordinator learnt it never arrived
    with smtp_app.session() as session:
        before = session.exec(select(func.count()).select_from(AuditRow).where(AuditRow.action == "requeue")).one()
    assert requeue_unconfirmed(smtp_app, cycle.id) == 1
    run = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [(i.outcome, i.attempts) for i in run.due] == [("sent", 2)] and len(smtp_server.to(HN)) == 1
    with smtp_app.session() as session:
        assert session.exec(select(func.count()).select_from(AuditRow).where(AuditRow.action == "requeue")).one() == before + 1


def test_a_chat_failure_is_retried_alone_and_secrets_stay_out_of_the_log(smtp_app, smtp_server, chat_receiver, monkeypatch):
    cycle = open_2023_danvan(smtp_app)
    monkeypatch.setenv("DVTRACKER_SECRET_HOOK_AG", "tok-ag-123")
    add_contacts(smtp_app, ("89", "email", A1), ("89", "chat", chat_receiver.url("/hook/${HOOK_AG}")),
                 ("01", "chat", chat_receiver.url("/hook/${HOOK_HN}")))
    chat_receiver.fail["/hook/tok-ag-123"] = 1
    first = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    assert outcomes(first) == [("p2004-01", "sau-2", "chat", "failed"), ("p2004-89", "sau-2", "email", "sent"),
                               ("p2004-89", "sau-2", "chat", "failed")]
    assert "DVTRACKER_SECRET_HOOK_HN" in first.failed[0].error
    assert "error=500" in first.failed[1].error
    log = rows(smtp_app)
    assert all("tok-ag-123" not in (r.last_error or "") + (r.recipients or "") for r in log.values())
    monkeypatch.setenv("DVTRACKER_SECRET_HOOK_HN", "tok-hn-456")
    second = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [(i.unit_id, i.channel) for i in second.sent] == [("p2004-01", "chat"), ("p2004-89", "chat")]
    assert len(chat_receiver.at("/hook/tok-ag-123")) == 1 and len(chat_receiver.at("/hook/tok-hn-456")) == 1
    assert len(smtp_server.to(A1)) == 1
    assert rows(smtp_app)[("p2004-89", "sau-2", "chat")].recipients == chat_receiver.url("/hook/${HOOK_AG}")


# --- what is due, to whom ----------------------------------------------------------------------
def test_only_the_latest_missed_stage_goes_after_a_gap(app):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1))
    assert [i.stage for i in send_due_reminders(app, cycle.id, date(2024, 6, 5), now=vn_at(date(2024, 6, 5))).sent] == ["sau-2"]
    assert send_due_reminders(app, cycle.id, date(2024, 6, 6), now=vn_at(date(2024, 6, 6))).sent == []
    other = open_2023_danvan(app, deadline="chậm nhất ngày 31/5/2024")  # same cycle: a rerun of open is harmless
    assert other.id == cycle.id
    waiting = send_due_reminders(app, cycle.id, date(2024, 6, 20), now=vn_at(date(2024, 6, 20)))
    assert [(i.stage, i.outcome) for i in waiting.items if i.channel] == [("sau-5", "awaiting_letter")]
    issue_letter(app, cycle.id, "3102/BNV-CTTN", date(2024, 6, 20))
    late = send_due_reminders(app, cycle.id, date(2024, 6, 20), now=vn_at(date(2024, 6, 20), 10))
    assert [i.stage for i in late.sent] == ["sau-5"]
    assert sorted(k[1] for k in rows(app)) == ["sau-2", "sau-5"]  # truoc-5, truoc-2, dung-han never went


def test_nothing_before_the_hour_and_only_today_for_real(app):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1))
    early = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2, 7, 30))
    assert early.stage is None and "08:00" in early.note and rows(app) == {}
    with pytest.raises(UserError, match="Chỉ gửi nhắc cho ngày hôm nay"):
        send_due_reminders(app, cycle.id, SAU_2, now=vn_at(date(2024, 6, 5)))
    assert [i.outcome for i in send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2, 8)).due] == ["sent"]


def test_reported_exempted_and_closed_are_never_reminded(app):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1), ("01", "email", HN), ("bnv", "email", BNV))
    submit(app, cycle.id, "89", date(2024, 6, 3), number="529/BC-UBND")  # late, but reported
    with app.session() as session:
        from models.cycles import exempt_unit

        exempt_unit(session, session.get(CycleRow, cycle.id), app.roster, "bnv", "báo cáo riêng", date(2024, 6, 1))
    run = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2))
    assert [i.unit_id for i in run.sent] == ["p2004-01"]
    assert {u["unit_id"] for u in run.outstanding} >= {"p2004-01"} and "p2004-89" not in {u["unit_id"] for u in run.outstanding}
    with app.session() as session:
        close_cycle(session, session.get(CycleRow, cycle.id))
    closed = send_due_reminders(app, cycle.id, date(2024, 6, 7), now=vn_at(date(2024, 6, 7)))
    assert closed.items == [] and "đã đóng" in closed.note


def test_an_old_cycle_reaches_the_successor_and_escalates_to_leadership(smtp_app, smtp_server):
    cycle = open_2023_danvan(smtp_app)
    new_ag, lead = "snv@angiang-moi.example.invalid", "ubnd@angiang-moi.example.invalid"
    add_contacts(smtp_app, ("89", "email", "old@angiang.example.invalid", "focal", None, date(2023, 1, 1), date(2025, 6, 30)),
                 ("91", "email", new_ag, "focal", "Sở Nội vụ", date(2025, 7, 1)),
                 ("91", "email", lead, "leadership", None, date(2025, 7, 1)))
    day = date(2026, 1, 5)
    # The new An Giang already sent the old An Giang's report; the old Kiên Giang's is still missing.
    submit(smtp_app, cycle.id, "An Giang", date(2025, 12, 30), number="5/BC-UBND", sender="Tỉnh An Giang")
    drafted = send_due_reminders(smtp_app, cycle.id, day, now=vn_at(day))
    assert drafted.stage.id == "sau-5" and drafted.stage.escalate and smtp_server.mails == []
    assert [(i.unit_id, i.outcome) for i in drafted.items if i.channel] == [("p2004-91", "awaiting_letter")]
    issue_letter(smtp_app, cycle.id, "3300/BNV-CTTN", day)
    run = send_due_reminders(smtp_app, cycle.id, day, now=vn_at(day, 10))
    assert [(i.unit_id, i.via_unit_id, i.via_unit_name) for i in run.sent] == [("p2004-91", "p2025-91", "Tỉnh An Giang")]
    assert sorted(a for m in smtp_server.mails for a in m.to) == sorted([new_ag, lead])
    mail = smtp_server.mails[0]
    assert mail.raw == smtp_server.mails[1].raw  # one message, one envelope per address
    assert (mail.message["To"], mail.message["Cc"]) == (lead, f"Sở Nội vụ <{new_ag}>")  # the leadership, focal in Cc
    assert mail.body.startswith("Kính gửi: Ủy ban nhân dân tỉnh An Giang\n\nBộ Nội vụ gửi quý cơ quan Công văn số "
                                "3300/BNV-CTTN ngày 05/01/2026 về việc đôn đốc gửi báo cáo kết quả thực hiện công tác "
                                "dân vận")
    assert mail.subject == ("[Đôn đốc] Công văn số 3300/BNV-CTTN ngày 05/01/2026 của Bộ Nội vụ V/v đôn đốc gửi báo cáo "
                            "dân vận CQHCNN & CQCC năm 2023")
    assert ". Ủy ban nhân dân tỉnh Kiên Giang (nay: Ủy ban nhân dân tỉnh An Giang): Chưa gửi báo cáo" in mail.body
    assert "Ủy ban nhân dân tỉnh An Giang: Chưa" not in mail.body  # the old An Giang reported: not listed
    assert mail.sender == "Vụ Công tác thanh niên <cttn@bnv.example.invalid>"
    assert set(rows(smtp_app)) == {("p2004-91", "sau-5", "email")}


# --- what the messages say ----------------------------------------------------------------------
def test_the_rendered_vietnamese_text(app, chat_receiver):
    """The register of Bộ Nội vụ reminding about its own letter: the request recalled by its date
    and number, the deadline said once (its last day, with the weekday), "quý cơ quan", a new
    date to send by after the deadline, the contact of the department from calendar.yaml."""
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1), ("89", "email", A2), ("89", "chat", chat_receiver.url("/an-giang")))
    send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2))
    eml = read_eml(app.settings.outbox_dir / "reminders" / cycle.id / "sau-2--p2004-89.eml")
    assert eml["Subject"] == ("[Đôn đốc] Báo cáo dân vận CQHCNN & CQCC năm 2023 của Ủy ban nhân dân tỉnh An Giang - "
                              "quá hạn 2 ngày làm việc")
    assert eml["To"] == f"{A1}, {A2}"
    assert eml["From"] == "Vụ Công tác thanh niên - Bộ Nội vụ <cttn@bnv.example.invalid>"
    assert eml["Date"] == "Tue, 04 Jun 2024 09:00:00 +0700"
    assert text_of(eml) == """Kính gửi: Ủy ban nhân dân tỉnh An Giang

Ngày 17/5/2024, Bộ Nội vụ có Công văn số 2748/BNV-CTTN đề nghị các bộ, ngành và địa phương báo cáo kết quả thực hiện \
công tác dân vận của cơ quan hành chính nhà nước và chính quyền các cấp năm 2023, gửi về Bộ Nội vụ chậm nhất thứ Sáu, \
ngày 31/5/2024.

Đến nay, đã quá thời hạn 02 ngày làm việc, Bộ Nội vụ chưa nhận được báo cáo của quý cơ quan.

Đề nghị quý cơ quan khẩn trương gửi báo cáo trước ngày 07/6/2024 (thứ Sáu) để Bộ Nội vụ kịp tổng hợp, báo cáo Thủ tướng \
Chính phủ.

Báo cáo (văn bản có số, ngày ban hành và chữ ký) gửi về Bộ Nội vụ (Vụ Công tác thanh niên) qua Hệ thống quản lý văn bản \
và điều hành, đồng thời gửi bản điện tử về địa chỉ thư điện tử cttn@bnv.example.invalid, ghi rõ báo cáo trả lời Công văn \
số 2748/BNV-CTTN. Trường hợp quý cơ quan đã gửi báo cáo, đề nghị thông báo lại để Bộ Nội vụ kiểm tra.

Thông tin chi tiết, đề nghị liên hệ đồng chí Trần Văn Mẫu, chuyên viên Vụ Công tác thanh niên; điện thoại: 024.3000.0000; \
thư điện tử: cttn@bnv.example.invalid; địa chỉ: Số 8 Tôn Thất Thuyết, Hà Nội.

Trân trọng cảm ơn.
Vụ Công tác thanh niên - Bộ Nội vụ

--
Thư gửi tự động từ dvtracker; đợt nhắc: quá hạn 2 ngày làm việc (mã sau-2).
"""
    assert [p.message for p in chat_receiver.at("/an-giang")] == [
        "[Bộ Nội vụ] Đề nghị gửi báo cáo dân vận CQHCNN & CQCC năm 2023 của Ủy ban nhân dân tỉnh An Giang theo Công văn "
        "số 2748/BNV-CTTN ngày 17/5/2024: đã quá hạn 02 ngày làm việc, đề nghị gửi trước ngày 07/6/2024 (thứ Sáu). "
        "Liên hệ: cttn@bnv.example.invalid, 024.3000.0000."]


@pytest.mark.parametrize("day, expected", [
    (date(2024, 5, 24), "Thời hạn còn 05 ngày làm việc."),
    (date(2024, 5, 29), "Thời hạn còn 02 ngày làm việc."),
    (date(2024, 5, 31), "Hôm nay là ngày cuối cùng của thời hạn; đến nay Bộ Nội vụ chưa nhận được báo cáo của quý cơ quan."),
])
def test_before_and_on_the_deadline(app, day, expected):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("45", "email", "snv@quangtri.example.invalid"))
    submit(app, cycle.id, "45", date(2024, 5, 20), number=None)  # a draft does not count
    run = send_due_reminders(app, cycle.id, day, now=vn_at(day))
    body = text_of(read_eml(app.settings.outbox_dir / "reminders" / cycle.id / f"{run.stage.id}--p2004-45.eml"))
    assert expected in body
    assert body.count("31/5/2024") == 1  # the deadline, said once
    assert "Văn bản đã nhận mới là dự thảo" in body
    assert "[Nhắc hạn]" in run.sent[0].subject


def test_a_later_letter_that_moves_the_deadline_is_named(app):
    from models.cycles import RequestInput, add_request

    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1))
    with app.session() as session:
        add_request(session, session.get(CycleRow, cycle.id), app.calendar,
                    RequestInput("3001/BNV-CTTN", date(2024, 6, 3), "chậm nhất ngày 7/6/2024", "reminder"))
    run = send_due_reminders(app, cycle.id, date(2024, 6, 5), now=vn_at(date(2024, 6, 5)))
    assert run.stage.id == "truoc-2" and run.deadline == date(2024, 6, 7)
    body = text_of(read_eml(app.settings.outbox_dir / "reminders" / cycle.id / "truoc-2--p2004-89.eml"))
    assert ("năm 2023 (thời hạn điều chỉnh tại Công văn số 3001/BNV-CTTN ngày 03/6/2024), gửi về Bộ Nội vụ chậm nhất "
            "thứ Sáu, ngày 07/6/2024.") in body


@pytest.mark.parametrize("name, source, error", [
    ("reminder_chat.txt.j2", "{{ unit.ten }}", "reminder_chat.txt.j2 dòng 1 bị lỗi"),
    ("reminder_email.txt.j2", "Kính gửi\n{% if %}", "reminder_email.txt.j2 dòng 2 bị lỗi"),
    ("reminder_subject.txt.j2", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "reminder_subject.txt.j2 dòng 1 bị lỗi"),
    ("digest.txt.j2", "{{ reminded.nothing }}", "digest.txt.j2 dòng 1 bị lỗi"),
])
def test_a_template_error_stops_the_run_before_anything_is_sent(smtp_app, smtp_server, tmp_path, name, source, error):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN), ("89", "email", A1))
    (tmp_path / name).write_text(source, encoding="utf-8")
    smtp_app.settings.templates_dir = tmp_path
    with pytest.raises(UserError) as caught:
        send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2))
    assert error in caught.value.message and "Chưa gửi thông báo nào" in caught.value.message
    assert smtp_server.mails == [] and rows(smtp_app) == {}


def test_override_templates_get_data_never_template_source(app, tmp_path):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1, "focal", "{{ 7*7 }} {% raw %}"))
    (tmp_path / "reminder_email.txt.j2").write_text("Gửi {{ recipients|join(', ') }} - {{ unit.name }}", encoding="utf-8")
    app.settings.templates_dir = tmp_path
    send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2))
    body = text_of(read_eml(app.settings.outbox_dir / "reminders" / cycle.id / "sau-2--p2004-89.eml"))
    assert body == "Gửi {{ 7*7 }} {% raw %} - Tỉnh An Giang\n"
    subject = read_eml(app.settings.outbox_dir / "reminders" / cycle.id / "sau-2--p2004-89.eml")["Subject"]
    assert subject.startswith("[Đôn đốc]")  # the other templates still come from the package


# --- outbox, dry run, digest --------------------------------------------------------------------
def test_without_smtp_reminders_are_eml_files_written_once(app):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1), ("01", "email", HN))
    send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2))
    folder = app.settings.outbox_dir / "reminders" / cycle.id
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["sau-2--p2004-01.eml", "sau-2--p2004-89.eml"]
    stamp = (folder / files[0]).stat().st_mtime_ns
    again = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2, 15))
    assert again.sent == [] and sorted(p.name for p in folder.iterdir()) == files
    assert (folder / files[0]).stat().st_mtime_ns == stamp
    assert read_eml(folder / files[0])["X-DVTracker-Key"] == f"{cycle.id}/p2004-01/sau-2/email"


def test_a_dry_run_writes_nothing(app):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1), ("01", "email", HN))
    with app.session() as session:
        audits = session.exec(select(func.count()).select_from(AuditRow)).one()
    run = send_due_reminders(app, cycle.id, SAU_2, dry_run=True)
    assert [(i.unit_id, i.outcome) for i in run.due] == [("p2004-01", "would_send"), ("p2004-89", "would_send")]
    assert run.due[0].subject.startswith("[Đôn đốc]")
    assert send_digest(app, cycle.id, SAU_2, run).status == "skipped"
    assert rows(app) == {} and not app.settings.outbox_dir.exists()
    with app.session() as session:
        assert session.exec(select(func.count()).select_from(AuditRow)).one() == audits


def test_the_digest_goes_to_the_coordinators_once_per_change(app, chat_receiver):
    cycle = open_2023_danvan(app)
    app.settings.coordinator_urls = [chat_receiver.url("/dieu-phoi")]
    add_contacts(app, ("89", "email", A1), ("01", "chat", chat_receiver.url("/ha-noi")))
    chat_receiver.fail["/ha-noi"] = 1
    run = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2))
    assert send_digest(app, cycle.id, SAU_2, run).status == "sent"
    text = chat_receiver.at("/dieu-phoi")[0].message
    assert "Đã nhắc ở đợt này (1):\n- Tỉnh An Giang - thư điện tử: a1@angiang.example.invalid" in text
    assert "Gửi lỗi, sẽ gửi lại ở lần chạy sau (1):\n- Thành phố Hà Nội - tin nhắn: " in text
    assert "Chưa báo cáo (93):" in text and "- Tỉnh An Giang: Chưa báo cáo, chậm 4 ngày (2 ngày làm việc)" in text
    assert chat_receiver.at("/dieu-phoi")[0].title.startswith("[dvtracker] Đôn đốc kỳ dân vận CQHCNN & CQCC năm 2023")
    rerun = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2, 10))
    assert send_digest(app, cycle.id, SAU_2, rerun).status == "sent"  # Hà Nội went: news
    again = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2, 11))
    assert send_digest(app, cycle.id, SAU_2, again).status == "unchanged"
    assert len(chat_receiver.at("/dieu-phoi")) == 2 and len(chat_receiver.at("/ha-noi")) == 1


def test_two_runs_at_once_send_each_reminder_once(smtp_app, smtp_server, monkeypatch):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN), ("89", "email", A1))
    claim, inner = reminder_tasks._claim, []

    def claim_after_another_run(*args):
        if not inner:  # the other run starts after this one read the log and finishes first
            monkeypatch.setattr(reminder_tasks, "_claim", claim)
            inner.append(send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9, 1)))
        return claim(*args)

    monkeypatch.setattr(reminder_tasks, "_claim", claim_after_another_run)
    outer = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [i.outcome for i in inner[0].due] == ["sent", "sent"]
    assert [(i.unit_id, i.outcome) for i in outer.items if i.channel] == [
        ("p2004-01", "already_sent"), ("p2004-89", "already_sent")]
    assert sorted(m.to[0] for m in smtp_server.mails) == [A1, HN]


def test_secrets_can_come_from_elsewhere_than_the_environment(app, chat_receiver):
    """The flows pass a lookup reading Prefect Secret blocks; here a dict stands for it."""
    cycle = open_2023_danvan(app)
    app.settings.coordinator_urls = [chat_receiver.url("/dieu-phoi/${COORD}")]
    add_contacts(app, ("89", "chat", chat_receiver.url("/hook/${HOOK_AG}")))
    vault = {"HOOK_AG": "tok-ag", "COORD": "tok-coord"}.get
    run = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2), secrets=vault)
    assert [i.outcome for i in run.due] == ["sent"] and len(chat_receiver.at("/hook/tok-ag")) == 1
    assert send_digest(app, cycle.id, SAU_2, run, secrets=vault).targets == [chat_receiver.url("/dieu-phoi/${COORD}")]
    assert len(chat_receiver.at("/dieu-phoi/tok-coord")) == 1


def test_two_runs_at_once_send_one_digest_and_a_failed_one_goes_next_time(app, chat_receiver, monkeypatch):
    cycle = open_2023_danvan(app)
    app.settings.coordinator_urls = [chat_receiver.url("/dieu-phoi")]
    add_contacts(app, ("89", "email", A1))
    run = send_due_reminders(app, cycle.id, SAU_2, now=vn_at(SAU_2))
    notify, inner = reminder_tasks.notify_urls, []

    def notify_after_another_run(*args, **kwargs):
        if not inner:  # another run, started at the same moment, reaches the send first
            inner.append(send_digest(app, cycle.id, SAU_2, run))
        return notify(*args, **kwargs)

    monkeypatch.setattr(reminder_tasks, "notify_urls", notify_after_another_run)
    chat_receiver.fail["/dieu-phoi"] = 1  # the first attempt fails
    first = send_digest(app, cycle.id, SAU_2, run)
    assert (first.status, inner[0].status) == ("failed", "unchanged")  # the other run did not send it too
    monkeypatch.setattr(reminder_tasks, "notify_urls", notify)
    assert send_digest(app, cycle.id, SAU_2, run).status == "sent"  # the failed claim was released
    assert send_digest(app, cycle.id, SAU_2, run).status == "unchanged"
    assert len(chat_receiver.at("/dieu-phoi")) == 1


def test_a_preview_shows_the_from_and_date_of_each_message_it_would_send(app, tmp_path):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", A1), ("01", "email", "hn@hanoi.example.invalid"))
    run = send_due_reminders(app, cycle.id, SAU_2, dry_run=True, eml_dir=tmp_path)
    previews = [i for i in run.due if i.channel == "email"]
    assert len(previews) == 2
    for item in previews:
        eml = read_eml(tmp_path / f"{item.stage}--{item.unit_id}.eml")
        assert (item.sender, item.date) == (str(eml["From"]), str(eml["Date"]))
