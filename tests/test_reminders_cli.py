"""dvtracker remind / reminders log / cycle policy."""

import json
from datetime import date

import pytest

import tasks.reminders as reminder_tasks
from models.clock import SYSTEM
from tests.helpers import add_contacts, open_2023_danvan, vn_at
from wiring.app import open_app

SAU_2 = date(2024, 6, 4)


@pytest.fixture
def opened(settings):
    app = open_app(settings)
    cycle = open_2023_danvan(app)
    add_contacts(app, ("89", "email", "a@angiang.example.invalid"), ("01", "email", "b@hanoi.example.invalid"))
    yield app, cycle
    app.engine.dispose()


def test_remind_dry_run_then_for_real_on_the_embedded_defaults(cli, opened, monkeypatch):
    app, cycle = opened
    monkeypatch.setattr(SYSTEM, "at", vn_at(SAU_2, 9))
    dry = json.loads(cli("remind", "--cycle", cycle.id, "--dry-run", "--json").output)
    assert dry["run"]["stage"]["id"] == "sau-2" and dry["digest"] is None
    assert dry["run"]["counts"]["would_send"] == 2 and dry["run"]["counts"]["no_contact"] == 91
    assert not app.settings.outbox_dir.exists()

    out = cli("remind", "--cycle", cycle.id)
    assert out.exit_code == 0
    assert "Đợt nhắc: quá hạn 2 ngày làm việc (mã sau-2, đến hạn 04/06/2024)" in out.output
    assert "ghi vào hộp thư đi (.eml)" in out.output
    assert "Bản tổng hợp cho điều phối viên: đã ghi vào" in out.output
    folder = app.settings.outbox_dir / "reminders" / cycle.id
    assert sorted(p.name for p in folder.iterdir()) == ["sau-2--p2004-01.eml", "sau-2--p2004-89.eml"]

    again = json.loads(cli("remind", "--cycle", cycle.id, "--json").output)
    assert again["run"]["counts"]["already_sent"] == 2 and again["run"]["counts"]["sent"] == 0
    assert again["digest"]["status"] == "unchanged"

    log = json.loads(cli("reminders", "log", "--cycle", cycle.id, "--unit", "89", "--json").output)
    assert [(r["stage"], r["channel"], r["status"], r["recipients"]) for r in log] == [
        ("sau-2", "email", "sent", ["a@angiang.example.invalid"])]


def test_remind_refuses_another_day_unless_dry_run(cli, opened, monkeypatch):
    _, cycle = opened
    monkeypatch.setattr(SYSTEM, "at", vn_at(SAU_2, 9))
    out = cli("remind", "--cycle", cycle.id, "--as-of", "2024-06-07")
    assert out.exit_code == 2 and "Lỗi: Chỉ gửi nhắc cho ngày hôm nay (04/06/2024)" in out.output
    preview = json.loads(cli("remind", "--cycle", cycle.id, "--as-of", "07/06/2024", "--dry-run", "--json").output)
    assert preview["run"]["stage"]["id"] == "sau-5" and preview["run"]["stage"]["escalate"] is True
    holiday = cli("remind", "--cycle", cycle.id, "--as-of", "2024-09-02", "--dry-run")
    assert "Ngày 02/09/2024 là ngày nghỉ (Quốc khánh): không gửi nhắc." in holiday.output
    assert cli("remind", "--cycle", "khong-co").exit_code == 2


def test_cycle_policy_override(cli, opened, monkeypatch):
    _, cycle = opened
    monkeypatch.setattr(SYSTEM, "at", vn_at(SAU_2, 9))
    shown = json.loads(cli("cycle", "policy", cycle.id, "--json").output)
    assert shown["hour"] == 8 and [s["due_on"] for s in shown["stages"]] == [
        "2024-05-24", "2024-05-29", "2024-05-31", "2024-06-04", "2024-06-07"]
    changed = json.loads(cli("cycle", "policy", cycle.id, "--stage", "truoc-1:-1", "--stage", "sau-3:3:escalate",
                             "--hour", "14", "--json").output)
    assert changed["hour"] == 14 and [(s["id"], s["due_on"], s["escalate"]) for s in changed["stages"]] == [
        ("truoc-1", "2024-05-30", False), ("sau-3", "2024-06-05", True)]
    early = json.loads(cli("remind", "--cycle", cycle.id, "--json").output)  # 09:00 < 14:00, and only truoc-1 is due
    assert early["run"]["stage"] is None and "14:00" in early["run"]["note"]
    assert cli("cycle", "policy", cycle.id, "--stage", "sau 3").exit_code == 2
    reset = json.loads(cli("cycle", "policy", cycle.id, "--reset", "--json").output)
    assert reset["hour"] == 8 and len(reset["stages"]) == 5


def test_requeue_command(cli, opened, monkeypatch):
    app, cycle = opened
    monkeypatch.setattr(SYSTEM, "at", vn_at(SAU_2, 9))
    assert "Không có thư" in cli("reminders", "requeue", "--cycle", cycle.id).output
    monkeypatch.setattr(reminder_tasks, "_record", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        reminder_tasks.send_due_reminders(app, cycle.id, SAU_2)
    monkeypatch.undo()
    monkeypatch.setattr(SYSTEM, "at", vn_at(SAU_2, 10))
    out = cli("remind", "--cycle", cycle.id)
    assert "chưa xác nhận đã gửi" in out.output
    assert "Đã đưa 1 thư" in cli("reminders", "requeue", "--cycle", cycle.id, "--stage", "sau-2").output
    assert json.loads(cli("remind", "--cycle", cycle.id, "--json").output)["run"]["counts"]["sent"] == 1


def test_the_letter_of_the_escalation_through_the_commands(cli, opened, monkeypatch):
    app, cycle = opened
    monkeypatch.setattr(SYSTEM, "at", vn_at(date(2024, 6, 7), 9))
    preview = cli("remind", "--cycle", cycle.id, "--dry-run")
    assert "Công văn đôn đốc: sẽ soạn dự thảo cho 92 đơn vị chưa báo cáo." in " ".join(preview.output.split())
    assert not app.settings.exports_dir.exists()  # a preview drafts nothing
    drafted = cli("remind", "--cycle", cycle.id)
    assert "Công văn đôn đốc: dự thảo (92 đơn vị) chờ số tại" in " ".join(drafted.output.split())
    assert "chờ số công văn đôn đốc 2" in " ".join(drafted.output.split())  # Hà Nội and An Giang wait for it
    linked = cli("cycle", "request", cycle.id, "--kind", "reminder", "--number", "2901/BNV-CTTN", "--issued", "07/06/2024")
    assert ("Công văn 2901/BNV-CTTN là bản ban hành của dự thảo đôn đốc ngày 07/06/2024 (92 đơn vị)"
            in " ".join(linked.output.split()))
    sent = json.loads(cli("remind", "--cycle", cycle.id, "--json").output)
    assert sent["run"]["counts"]["sent"] == 2 and sent["run"]["letter"]["number"] == "2901/BNV-CTTN"
