"""The letters units receive, read as a mail program reads them (``BytesParser(policy=default)``),
through the outbox and through a real SMTP server on loopback: headers that decode to the text
written, the register of Bộ Nội vụ, no letter from the collector to itself, succession only
where a unit really succeeds another, the công văn đôn đốc drafted, numbered and sent once, the
Date of the moment it went, and a preview that is byte for byte what goes."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import select

import tasks.reminders as reminder_tasks
from models.clock import SYSTEM
from models.cycles import get_cycle
from models.reminders import parse_stage, set_policy
from models.tables import ReminderLetterRow
from notifications.channels import smtp_send
from notifications.outbox import build_message, message_bytes
from services.cycles import NewRequest, add_request
from services.tick import run_daily_tick
from tasks.reminders import requeue_unconfirmed, send_due_reminders
from tests.helpers import add_contacts, open_2023_danvan, submit, vn_at
from tests.reminder_servers import SmtpServer

PROJECT = Path(__file__).resolve().parents[1]
TRUOC_5, DUNG_HAN, SAU_2, SAU_5 = date(2024, 5, 24), date(2024, 5, 31), date(2024, 6, 4), date(2024, 6, 7)
REGISTER_OPENING = ("Ngày 17/5/2024, Bộ Nội vụ có Công văn số 2748/BNV-CTTN đề nghị các bộ, ngành và địa phương báo "
                    "cáo kết quả thực hiện công tác dân vận của cơ quan hành chính nhà nước và chính quyền các cấp năm "
                    "2023, gửi về Bộ Nội vụ chậm nhất thứ Sáu, ngày 31/5/2024.")
CONTACT = ("Thông tin chi tiết, đề nghị liên hệ đồng chí Trần Văn Mẫu, chuyên viên Vụ Công tác thanh niên; điện thoại: "
           "024.3000.0000; thư điện tử: cttn@bnv.example.invalid; địa chỉ: Số 8 Tôn Thất Thuyết, Hà Nội.")


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def text_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def roster_names() -> list[str]:
    """Every name a unit of the roster ever had."""
    folder = PROJECT / "data" / "roster"
    with (folder / "units.csv").open(encoding="utf-8") as fh:
        names = [r["name"] for r in csv.DictReader(fh)]
    with (folder / "renames.csv").open(encoding="utf-8") as fh:
        names += [r["name"] for r in csv.DictReader(fh)]
    return names


# --- 1. headers that decode exactly -----------------------------------------------------------------
def _hard_headers() -> list[tuple[str, str]]:
    """(subject, display name) pairs: every roster name, in subjects of every length the reminders
    use and in display names, and texts far longer than a line."""
    pairs = []
    for name in roster_names():
        for subject in (f"[Đôn đốc] Báo cáo dân vận CQHCNN & CQCC năm 2023 của Ủy ban nhân dân {name} - quá hạn "
                        "2 ngày làm việc", f"{name} - {name}", name):
            pairs.append((subject, f"Lãnh đạo {name} (mẫu)"))
    long = " ".join(roster_names()[:40])
    pairs.append((long, long[:400]))
    pairs.append(("Chủ tịch Hồ Chí Minh " * 30, "Ủy ban nhân dân Thành phố Hồ Chí Minh, \"Văn phòng\" <ví dụ>; a@b"))
    return pairs


def test_every_roster_name_decodes_exactly_from_the_eml():
    for subject, display in _hard_headers():
        raw = message_bytes(build_message(sender=(display, "cttn@bnv.example.invalid"), to=[(display, "a@x.example.invalid"),
                                          (None, "b@x.example.invalid")], cc=[(display, "c@x.example.invalid")],
                                          subject=subject, body="Kính gửi\n", key="k", at=vn_at(SAU_2, 8)))
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        mail = parse(raw)
        assert str(mail["Subject"]) == " ".join(subject.split())
        assert [a.display_name for a in mail["To"].addresses] == [" ".join(display.split()), ""]
        assert [a.addr_spec for a in mail["To"].addresses] == ["a@x.example.invalid", "b@x.example.invalid"]
        assert mail["From"].addresses[0].display_name == " ".join(display.split())
        assert mail["Cc"].addresses[0].display_name == " ".join(display.split())


def test_the_standard_library_folder_loses_the_space_that_ours_keeps():
    """The defect of issue 15: Python 3.11 folds a long encoded subject at a space and drops it."""
    from email.message import EmailMessage

    subject = "[Đôn đốc] Báo cáo dân vận CQHCNN & CQCC năm 2023 - Ban Quản lý Lăng Chủ tịch Hồ Chí Minh - đã quá hạn"
    naive = EmailMessage()
    naive["Subject"] = subject
    naive.set_content("x")
    assert "tịchHồ" in str(parse(naive.as_bytes())["Subject"])  # the standard library's folding
    ours = build_message(sender=("A", "a@x.example.invalid"), to=[(None, "b@x.example.invalid")], subject=subject,
                         body="x\n", key="k", at=vn_at(SAU_2, 8))
    assert str(parse(message_bytes(ours))["Subject"]) == subject


def test_every_roster_name_decodes_exactly_through_smtp(settings):
    pairs = _hard_headers()
    with SmtpServer() as server:
        settings.smtp_host, settings.smtp_port, settings.smtp_timeout = "127.0.0.1", server.port, 5
        for subject, display in pairs:
            raw = message_bytes(build_message(sender=(display, "cttn@bnv.example.invalid"),
                                              to=[(display, "a@x.example.invalid")], subject=subject, body="Kính gửi\n",
                                              key="k", at=vn_at(SAU_2, 8)))
            assert smtp_send(settings, raw, "cttn@bnv.example.invalid", "a@x.example.invalid") is None
    assert len(server.mails) == len(pairs)
    for (subject, display), mail in zip(pairs, server.mails, strict=True):
        assert mail.subject == " ".join(subject.split())
        assert mail.message["To"].addresses[0].display_name == " ".join(display.split())


# --- 2 and 3. a whole cycle of every unit, read as received -------------------------------------------
def _everyone(app, on: date = date(2024, 1, 1)) -> None:
    """A focal point and the leadership of every unit in force on ``on``, named after it."""
    rows = []
    for unit in app.roster.on(on, official_only=False):
        rows.append((unit.id, "email", f"daumoi.{unit.id}@example.invalid", "focal", f"Đầu mối {unit.name_on(on)}"))
        rows.append((unit.id, "email", f"lanhdao.{unit.id}@example.invalid", "leadership",
                     f"Lãnh đạo {unit.name_on(on)}"))
    add_contacts(app, *rows, on=on)


def _check_register(body: str, subject: str, unit_id: str, day: date) -> None:
    assert "Thực hiện Công văn" not in body  # how the recipient answers, not how Bộ Nội vụ writes
    assert "Tỉnh " not in body.replace("Kính gửi", "") and "Ủy ban nhân dân thành phố Hồ Chí Minh" not in body
    assert "dvtracker@localhost" not in body and "kế thừa" not in body  # no false succession in 2024
    if unit_id == "c2021-bnv":  # the collector's own body: an internal note, never a letter to itself
        assert body.startswith("Kính gửi: Văn phòng Bộ\n") and subject.startswith("[Nội bộ] ")
        assert "của Bộ Nội vụ" not in body.split("\n\n", 2)[2] and "quý cơ quan" not in body
        return
    assert "Kính gửi: Bộ Nội vụ" not in body
    if day == SAU_5:  # the letter
        assert "Công văn số 2900/BNV-CTTN ngày 07/6/2024" in body and REGISTER_OPENING in body
        assert "trước ngày 14/6/2024 (thứ Sáu)" in body and CONTACT in body
        return
    assert body.split("\n\n")[1] == REGISTER_OPENING and body.count("31/5/2024") == 1
    assert CONTACT in body and "chưa nhận được báo cáo của quý cơ quan" in body
    if day > DUNG_HAN:
        assert "Đề nghị quý cơ quan khẩn trương gửi báo cáo trước ngày 07/6/2024 (thứ Sáu)" in body


@pytest.mark.parametrize("through", ["outbox", "smtp"])
def test_a_whole_cycle_read_as_the_units_read_it(app, through):
    cycle = open_2023_danvan(app)
    _everyone(app)
    submit(app, cycle.id, "45", date(2024, 5, 20), number=None)  # Quảng Trị: a draft only
    for uid in ("btp", "01"):
        submit(app, cycle.id, uid, date(2024, 5, 21))
    expected = {u.id: u for u in app.roster.on(cycle.reference_date)} | {"x": None}
    received = []
    with SmtpServer() as server:
        if through == "smtp":
            app.settings.smtp_host, app.settings.smtp_port, app.settings.smtp_timeout = "127.0.0.1", server.port, 5
        for day in (TRUOC_5, DUNG_HAN, SAU_2, SAU_5):
            earlier = []
            if day == SAU_5:
                drafted = send_due_reminders(app, cycle.id, day, now=vn_at(day, 8))
                assert drafted.letter["state"] == "draft" and drafted.letter["units"] == 90  # 93 - 2 reported - BNV
                assert [i.unit_id for i in drafted.sent] == ["c2021-bnv"]  # its internal note goes that day
                earlier = drafted.sent
                add_request(app, cycle.id, NewRequest.of(number="2900/BNV-CTTN", issued=day, kind="reminder"))
            run = send_due_reminders(app, cycle.id, day, now=vn_at(day, 10))
            assert not run.failed
            sent = {i.unit_id: i for i in earlier + run.sent}
            assert "p2004-01" not in sent and "c2021-btp" not in sent  # reported: never reminded
            if through == "outbox":
                folder = app.settings.outbox_dir / "reminders" / cycle.id
                received += [(day, uid, parse((folder / f"{i.stage}--{uid}.eml").read_bytes()), i)
                             for uid, i in sent.items()]
        if through == "smtp":
            by_key = {}
            for mail in server.mails:
                by_key.setdefault(mail.message["X-DVTracker-Key"], mail)
            items = {}
            for day in (TRUOC_5, DUNG_HAN, SAU_2, SAU_5):
                for i in send_due_reminders(app, cycle.id, day, dry_run=True).items:
                    items[(day, i.unit_id)] = i
            for mail in by_key.values():
                _, uid, stage, _ = str(mail.message["X-DVTracker-Key"]).split("/")
                day = {"truoc-5": TRUOC_5, "dung-han": DUNG_HAN, "sau-2": SAU_2, "sau-5": SAU_5}[stage]
                received.append((day, uid, mail.message, items[(day, uid)]))
    assert {d for d, *_ in received} == {TRUOC_5, DUNG_HAN, SAU_2, SAU_5}
    assert len(received) == 4 * 91  # 91 units each stage; at the last, 90 letters and the note to Văn phòng Bộ
    for day, uid, mail, item in received:
        assert uid in expected
        body, subject = text_of(mail), str(mail["Subject"])
        assert subject == item.subject  # the subject written is the subject read
        unit = app.roster.get(uid)
        names = [a.display_name for a in mail["To"].addresses + (mail["Cc"].addresses if mail["Cc"] else ())]
        assert set(names) <= {f"Đầu mối {unit.name}", f"Lãnh đạo {unit.name}"}
        assert mail["From"].addresses[0].display_name in ("Vụ Công tác thanh niên - Bộ Nội vụ", "Bộ Nội vụ")
        assert mail["From"].addresses[0].addr_spec == "cttn@bnv.example.invalid"
        _check_register(body, subject, uid, day)
        if day == SAU_5 and uid != "c2021-bnv":  # the letter goes to the leadership, the focal point in Cc
            assert [a.display_name for a in mail["To"].addresses] == [f"Lãnh đạo {unit.name}"]
            assert [a.display_name for a in mail["Cc"].addresses] == [f"Đầu mối {unit.name}"]
    bodies = {uid: text_of(m) for d, uid, m, _ in received if d == SAU_2}
    assert bodies["p2004-79"].startswith("Kính gửi: Ủy ban nhân dân Thành phố Hồ Chí Minh\n")
    assert bodies["p2004-89"].startswith("Kính gửi: Ủy ban nhân dân tỉnh An Giang\n")
    assert bodies["c2021-bqll"].startswith("Kính gửi: Ban Quản lý Lăng Chủ tịch Hồ Chí Minh\n")
    assert "Văn bản đã nhận mới là dự thảo" in bodies["p2004-45"]


def test_an_old_cycle_speaks_of_succession_only_where_a_unit_really_succeeds_another(app):
    """In 2026 the 2023 reports of the 2024 units are asked from the units in force: Hà Nội, Thành
    phố Hồ Chí Minh and Bộ Nội vụ are the same bodies under new ids; Bà Rịa - Vũng Tàu went into
    Thành phố Hồ Chí Minh, Bộ Kế hoạch và Đầu tư into Bộ Tài chính, Bộ Lao động - Thương binh và Xã
    hội into Bộ Nội vụ (the collector: an internal note)."""
    cycle = open_2023_danvan(app)
    with app.session() as session:
        set_policy(session, get_cycle(session, cycle.id), stages=[parse_stage("sau-2:2")])
    day = date(2026, 1, 5)
    _everyone(app, day)
    run = send_due_reminders(app, cycle.id, day, now=vn_at(day))
    folder = app.settings.outbox_dir / "reminders" / cycle.id
    body = {i.unit_id: text_of(parse((folder / f"sau-2--{i.unit_id}.eml").read_bytes())) for i in run.sent}
    for continuing in ("p2004-01", "p2004-79", "p2004-89", "c2021-bnv", "c2021-btc"):
        assert "kế thừa" not in body[continuing] and "thuộc Bộ Nội vụ" not in body[continuing], continuing
    assert body["p2004-01"].startswith("Kính gửi: Ủy ban nhân dân thành phố Hà Nội\n")
    assert ("Từ ngày 01/7/2025, quý cơ quan kế thừa chức năng, nhiệm vụ của Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu; "
            "đề nghị quý cơ quan gửi báo cáo năm 2023 của Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu.") in body["p2004-77"]
    assert body["p2004-77"].startswith("Kính gửi: Ủy ban nhân dân Thành phố Hồ Chí Minh\n")
    assert "chưa nhận được báo cáo của Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu" in body["p2004-77"]
    assert "Từ ngày 01/3/2025, quý cơ quan kế thừa chức năng, nhiệm vụ của Bộ Kế hoạch và Đầu tư" in body["c2021-bkhdt"]
    assert body["c2021-bkhdt"].startswith("Kính gửi: Bộ Tài chính\n")
    assert body["c2021-bldtbxh"].startswith("Kính gửi: Văn phòng Bộ\n")
    assert "tổng hợp kết quả thực hiện tại Bộ Lao động - Thương binh và Xã hội (từ ngày 01/3/2025 thuộc Bộ Nội vụ)" \
        in body["c2021-bldtbxh"]
    assert not any(b.startswith("Kính gửi: Bộ Nội vụ") for b in body.values())


# --- 4. the công văn đôn đốc ---------------------------------------------------------------------------
def _letter_rows(app):
    with app.session() as session:
        return session.exec(select(ReminderLetterRow)).all()


def test_the_escalation_drafts_one_letter_in_the_form_of_nd30(app):
    cycle = open_2023_danvan(app)
    for unit in app.roster.on(cycle.reference_date):
        if unit.code not in ("89", "79", "45") and unit.slug not in ("btp", "bnv"):
            submit(app, cycle.id, unit.id, date(2024, 5, 25))
    submit(app, cycle.id, "45", date(2024, 5, 20), number=None)  # a draft only
    run = send_due_reminders(app, cycle.id, SAU_5, now=vn_at(SAU_5, 8))
    path = Path(run.letter["path"])
    assert run.letter["state"] == "draft" and path.name == "sau-5-du-thao.docx"
    doc = Document(str(path))
    header = [[p.text for p in cell.paragraphs] for cell in doc.tables[0].rows[0].cells]
    assert header[0] == ["BỘ NỘI VỤ", "", "Số:       /BNV-CTTN", "V/v đôn đốc gửi báo cáo kết quả thực hiện công tác dân "
                         "vận của cơ quan hành chính nhà nước và chính quyền các cấp năm 2023"]
    assert header[0][0] and doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0].bold
    assert header[1] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
                         "Hà Nội, ngày 07 tháng 6 năm 2024"]
    texts = [p.text for p in doc.paragraphs]
    assert texts[1:6] == ["Kính gửi:", "- Bộ Tư pháp;", "- Ủy ban nhân dân tỉnh Quảng Trị;",
                          "- Ủy ban nhân dân Thành phố Hồ Chí Minh;", "- Ủy ban nhân dân tỉnh An Giang."]
    assert texts[6] == REGISTER_OPENING
    assert texts[7] == ("Đến ngày 07/6/2024, đã quá thời hạn 05 ngày làm việc, Bộ Nội vụ chưa nhận được báo cáo của 04 "
                        "cơ quan, đơn vị (danh sách kèm theo).")
    assert "trước ngày 14/6/2024 (thứ Sáu)" in texts[8] and texts[9] == CONTACT
    assert not any("Bộ Nội vụ;" in t or "Thực hiện" in t for t in texts)  # never addressed to itself
    closing = [[p.text for p in cell.paragraphs] for cell in doc.tables[1].rows[0].cells]
    assert closing[0] == ["Nơi nhận:", "- Như trên;", "- Lãnh đạo Bộ (để b/c);", "- Lưu: VT, CTTN."]
    assert closing[1][:2] == ["TL. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ CÔNG TÁC THANH NIÊN"]
    annex = [[c.text for c in row.cells] for row in doc.tables[2].rows]
    assert annex == [["STT", "Cơ quan, đơn vị", "Tình trạng"], ["1", "Bộ Tư pháp", "Chưa gửi báo cáo"],
                     ["2", "Ủy ban nhân dân tỉnh Quảng Trị", "Mới gửi dự thảo (chưa có số, ngày ban hành)"],
                     ["3", "Ủy ban nhân dân Thành phố Hồ Chí Minh", "Chưa gửi báo cáo"],
                     ["4", "Ủy ban nhân dân tỉnh An Giang", "Chưa gửi báo cáo"]]

    # Drafted once: a rerun takes the same draft and the file is not written again.
    stamp = path.stat().st_mtime_ns
    again = send_due_reminders(app, cycle.id, SAU_5, now=vn_at(SAU_5, 11))
    assert again.letter == run.letter and path.stat().st_mtime_ns == stamp and len(_letter_rows(app)) == 1
    path.unlink()  # the exports cleared: the draft comes back from the database
    send_due_reminders(app, cycle.id, SAU_5, now=vn_at(SAU_5, 12))
    assert Document(str(path)).paragraphs[6].text == REGISTER_OPENING


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and pdftotext render the draft")
def test_the_draft_renders_with_its_first_page_in_order(app, tmp_path):
    cycle = open_2023_danvan(app)
    run = send_due_reminders(app, cycle.id, SAU_5, now=vn_at(SAU_5, 8))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), run.letter["path"]],
                   check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "sau-5-du-thao.pdf"
    page1 = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    squeezed = re.sub(r"\s+", "", page1)  # justified text comes back with odd spaces
    parts = ["BỘNỘIVỤ", "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM", "Độclập-Tựdo-Hạnhphúc", "Số:/BNV-CTTN",
             "V/vđônđốcgửibáocáo", "HàNội,ngày07tháng6năm2024", "Kínhgửi:Cácbộ,ngànhvàđịaphươngcótêntạidanhsáchkèmtheo.",
             "Ngày17/5/2024,BộNộivụcóCôngvănsố2748/BNV-CTTN", "chưanhậnđượcbáocáocủa92cơquan,đơnvị",
             "trướcngày14/6/2024(thứSáu)", "Nơinhận:", "-Nhưtrên;", "-Lưu:VT,CTTN.", "TL.BỘTRƯỞNG"]
    assert all(p in squeezed for p in parts), [p for p in parts if p not in squeezed]
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in page1.splitlines())  # on one line
    assert "DANHSÁCH" not in squeezed  # the list is annexed on the next page
    assert "Ủybannhândântỉnh" in re.sub(r"\s+", "", subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"], check=True, capture_output=True, text=True).stdout)


def test_the_letter_goes_once_its_number_is_recorded_and_never_twice(smtp_app, smtp_server, monkeypatch):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("89", "email", "snv@angiang.example.invalid"),
                 ("89", "email", "ubnd@angiang.example.invalid", "leadership"), ("bnv", "email", "vp@bnv.example.invalid"))
    first = send_due_reminders(smtp_app, cycle.id, SAU_5, now=vn_at(SAU_5, 8))
    assert [(i.unit_id, i.outcome) for i in first.items if i.channel] == [
        ("c2021-bnv", "sent"), ("p2004-89", "awaiting_letter")]
    assert [m.to for m in smtp_server.mails] == [["vp@bnv.example.invalid"]]
    # A reminder request without a draft to link (another cycle's, say) links nothing twice.
    assert add_request(smtp_app, cycle.id, NewRequest.of(number="2901/BNV-CTTN", issued=SAU_5,
                                                         kind="reminder"))["letter"]["number"] == "2901/BNV-CTTN"
    assert add_request(smtp_app, cycle.id, NewRequest.of(number="2902/BNV-CTTN", issued=SAU_5,
                                                         kind="reminder"))["letter"] is None

    monkeypatch.setattr(reminder_tasks, "_record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("mất điện")))
    with pytest.raises(RuntimeError):
        send_due_reminders(smtp_app, cycle.id, SAU_5, now=vn_at(SAU_5, 9))
    monkeypatch.undo()
    went = sorted(m.to for m in smtp_server.mails[1:])
    assert went == [["snv@angiang.example.invalid"], ["ubnd@angiang.example.invalid"]]  # then the run died
    for hour in (10, 11):  # reruns: the letter is unconfirmed, never sent again by itself
        rerun = send_due_reminders(smtp_app, cycle.id, SAU_5, now=vn_at(SAU_5, hour))
        assert [(i.unit_id, i.outcome) for i in rerun.items if i.channel] == [
            ("c2021-bnv", "already_sent"), ("p2004-89", "unconfirmed")]
    assert len(smtp_server.mails) == 3
    assert requeue_unconfirmed(smtp_app, cycle.id, stage="truoc-5") == 0  # another stage: nothing moves
    assert send_due_reminders(smtp_app, cycle.id, SAU_5, now=vn_at(SAU_5, 12)).sent == []
    assert requeue_unconfirmed(smtp_app, cycle.id, unit="89") == 1  # the coordinator checked it did not arrive
    again = send_due_reminders(smtp_app, cycle.id, SAU_5, now=vn_at(SAU_5, 13))
    assert [(i.unit_id, i.outcome, i.attempts) for i in again.sent] == [("p2004-89", "sent", 2)]
    assert send_due_reminders(smtp_app, cycle.id, SAU_5, now=vn_at(SAU_5, 14)).sent == []
    assert len(smtp_server.mails) == 5 and len(_letter_rows(smtp_app)) == 1
    assert smtp_server.mails[3].raw.replace(b"13:00:00", b"09:00:00") == smtp_server.mails[1].raw  # the same letter
    letter = smtp_server.mails[-1]
    assert letter.subject == ("[Đôn đốc] Công văn số 2901/BNV-CTTN ngày 07/6/2024 của Bộ Nội vụ V/v đôn đốc gửi báo cáo "
                              "dân vận CQHCNN & CQCC năm 2023")
    assert (letter.message["To"], letter.message["Cc"]) == ("ubnd@angiang.example.invalid", "snv@angiang.example.invalid")


# --- 5. sent when it says ------------------------------------------------------------------------------
def test_a_replayed_day_dates_its_reminders_at_the_policys_hour(app):
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", "snv@angiang.example.invalid"))
    with app.session() as session:
        set_policy(session, get_cycle(session, cycle.id), hour=14)
    result = run_daily_tick(app, SAU_2, cycle_id=cycle.id)  # today is not 04/06/2024: a replay
    assert [i.unit_id for i in result.cycles[0].reminders.sent] == ["p2004-89"]
    mail = parse((app.settings.outbox_dir / "reminders" / cycle.id / "sau-2--p2004-89.eml").read_bytes())
    assert mail["Date"] == "Tue, 04 Jun 2024 14:00:00 +0700"
    assert mail["Date"].datetime == vn_at(SAU_2, 14)


# --- 6. a preview that is the letter -------------------------------------------------------------------
def test_the_preview_lists_each_message_and_writes_the_bytes_that_go(cli, settings, monkeypatch, tmp_path):
    from wiring.app import open_app

    tmp_path = tmp_path / "preview"
    app = open_app(settings)
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", "snv@angiang.example.invalid", "focal", "Sở Nội vụ tỉnh An Giang"),
                 ("45", "email", "snv@quangtri.example.invalid"))
    monkeypatch.setattr(SYSTEM, "at", vn_at(SAU_2, 9))
    with SmtpServer() as server:
        monkeypatch.setenv("DVTRACKER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DVTRACKER_SMTP_PORT", str(server.port))
        out = cli("remind", "--cycle", cycle.id, "--as-of", "2024-06-04", "--dry-run", "--json", "--eml", str(tmp_path))
        preview = json.loads(out.output)["run"]
        items = {i["unit_id"]: i for i in preview["items"] if i["outcome"] == "would_send"}
        assert set(items) == {"p2004-45", "p2004-89"}
        ag = items["p2004-89"]
        assert ag["to"] == ["Sở Nội vụ tỉnh An Giang <snv@angiang.example.invalid>"] and ag["cc"] == []
        assert ag["subject"] == ("[Đôn đốc] Báo cáo dân vận CQHCNN & CQCC năm 2023 của Ủy ban nhân dân tỉnh An Giang - "
                                 "quá hạn 2 ngày làm việc")
        assert ag["body"].startswith("Kính gửi: Ủy ban nhân dân tỉnh An Giang\n\n" + REGISTER_OPENING)
        assert ag["date"] == "Tue, 04 Jun 2024 09:00:00 +0700"
        previewed = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        assert sorted(previewed) == ["sau-2--p2004-45.eml", "sau-2--p2004-89.eml"]
        assert not app.settings.outbox_dir.exists()  # a preview sends and records nothing
        assert cli("remind", "--cycle", cycle.id, "--eml", str(tmp_path)).exit_code == 2  # only with --dry-run

        sent = cli("remind", "--cycle", cycle.id, "--json")
        assert json.loads(sent.output)["run"]["counts"]["sent"] == 2
    received = {str(m.message["X-DVTracker-Key"]).split("/")[1]: m.raw for m in server.mails}
    assert received["p2004-89"] == previewed["sau-2--p2004-89.eml"]  # byte for byte
    assert received["p2004-45"] == previewed["sau-2--p2004-45.eml"]
    assert parse(received["p2004-89"])["Subject"] == ag["subject"] and text_of(parse(received["p2004-89"])) == ag["body"]
    app.close()
