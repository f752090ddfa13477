"""The coordinators' digest tells the day's story (issue 14, item 5): the quorum reached, per
group as the quorum counts it; the compilations made, with what changed from the version before;
the files rejected with their reasons; the checks that failed (Quảng Trị's 342 + 78 ≠ 419); the
reminders sent by stage; what to do next. A day when nothing happened claims none of these."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date
from pathlib import Path

from services.tick import run_daily_tick
from tasks.compile import compile_cycle
from tests.compilation_cases import QUANG_TRI_2022
from tests.helpers import add_contacts, open_2023_danvan, submit, submit_seed_000

QUORUM_DAY, NEXT_DAY, THIRD_DAY = date(2024, 6, 3), date(2024, 6, 4), date(2024, 6, 5)
STORY_HEADINGS = ("Đủ điều kiện tổng hợp từ hôm nay", "Bản tổng hợp mới", "Kết quả kiểm tra số liệu",
                  "Tệp bị từ chối hôm nay", "Nhắc nhở đã gửi hôm nay")


def read_digest(day_result) -> tuple[str, str]:
    """(subject, text) of the day's digest, as a mail client reads the .eml."""
    (c,) = day_result.cycles
    assert c.digest.path, c.digest
    msg = email.message_from_bytes(Path(c.digest.path).read_bytes(), policy=email.policy.default)
    return str(msg["Subject"]), msg.get_body(("plain",)).get_content()


def section(text: str, heading: str) -> list[str]:
    """The list lines under the line that starts with ``heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("- "):
            break
        out.append(line[2:])
    return out


def test_the_digest_tells_the_quorum_the_compilations_the_rejected_file_and_the_failed_check(app, cli):
    cycle = open_2023_danvan(app)
    _, _, central_missing, provinces_missing = submit_seed_000(app, cycle)  # 9 + 53 reports by 29/05
    submit(app, cycle.id, "Quảng Trị", QUORUM_DAY, **QUANG_TRI_2022)  # late; 342 + 78 + 0 ≠ 419
    chased = sorted(provinces_missing - {"p2004-45", "p2004-01"})[:2] + sorted(central_missing)[:1]
    add_contacts(app, *[(u, "email", f"{u}@example.invalid") for u in chased])
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "bao-cao-hong.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")

    # The quorum's day: reached today, per group; the broken file; the compilation is still to come.
    first = run_daily_tick(app, QUORUM_DAY, cycle_id=cycle.id)
    subject, text = read_digest(first)
    status = json.loads(cli("status", "--cycle", cycle.id, "--as-of", QUORUM_DAY.isoformat(), "--json").stdout)
    groups = {g["group"]: g for g in status["summary"]}
    assert (groups["central"]["actual"], groups["central"]["expected"]) == (9, 30)
    assert (groups["provincial"]["actual"], groups["provincial"]["expected"]) == (54, 63)
    assert section(text, "Đủ điều kiện tổng hợp từ hôm nay (03/06/2024):") == [
        "Bộ, ngành: 9/30 đơn vị đã báo cáo, cần tối thiểu 30% — đạt",
        "Địa phương: 54/63 đơn vị đã báo cáo, cần tối thiểu 80% — đạt"]
    assert section(text, "Tệp bị từ chối hôm nay (1):") == [
        "bao-cao-hong.xlsx: không phải tệp Excel .xlsx hợp lệ (tệp hỏng, bị cắt cụt hoặc là loại tệp khác)."]
    assert "Bản tổng hợp mới" not in text and "Kết quả kiểm tra số liệu" not in text
    steps = section(text, "Việc cần làm:")
    assert "1 tệp bị từ chối: xem lý do trong thư mục rejected/ và đề nghị đơn vị gửi lại." in steps
    assert "Đã đủ điều kiện tổng hợp: flow compile-cycle sẽ tạo bản tổng hợp." in steps
    assert subject.endswith("63/93 đơn vị đã báo cáo; đủ điều kiện tổng hợp; 1 tệp bị từ chối")

    # The quorum's event starts compile-cycle after the tick; the same day's later run tells its v1.
    v1 = compile_cycle(app, cycle.id, as_of=QUORUM_DAY, trigger="quorum")
    part_sum = next(f for f in v1.findings if f.kind == "part_sum")
    again = run_daily_tick(app, QUORUM_DAY, cycle_id=cycle.id)
    subject, text = read_digest(again)
    assert section(text, "Bản tổng hợp mới (1):") == [
        "Bản v1 (số liệu đến ngày 03/06/2024), tổng hợp 63/93 báo cáo: bản đầu tiên của kỳ."]
    checks = section(text, "Kết quả kiểm tra số liệu bản v1, cần kiểm tra")
    assert ("[Sai] Tỉnh Quảng Trị: Số lượt tiếp công dân: tổng số là 419 nhưng các thành phần cộng lại là 420 "
            "(Tiếp định kỳ của người đứng đầu (lượt) 342 + Tiếp thường xuyên (lượt) 78 + Tiếp đột xuất (lượt) 0)."
            ) in checks
    assert part_sum.message in checks[0]  # errors ("Sai") first
    wanted = [f for f in v1.findings if f.severity in ("error", "warning")]
    assert f"cần kiểm tra ({len(wanted)}):" in text
    assert section(text, "Đủ điều kiện tổng hợp từ hôm nay (03/06/2024):")  # still the quorum's day
    assert section(text, "Tệp bị từ chối hôm nay (1):")[0].startswith("bao-cao-hong.xlsx: ")
    steps = section(text, "Việc cần làm:")
    assert (f"Rà soát {len(wanted)} nội dung cần kiểm tra của bản tổng hợp v1 với các đơn vị liên quan trước khi "
            "trình lãnh đạo.") in steps
    assert not any("compile-cycle sẽ tạo" in s for s in steps)
    assert "; bản tổng hợp v1" in subject

    # The next day: the reminders of the stage (+2), by stage; v1 is not told again.
    submit(app, cycle.id, "Hà Nội", NEXT_DAY, number="7/BC-UBND")
    second = run_daily_tick(app, NEXT_DAY, cycle_id=cycle.id)
    subject, text = read_digest(second)
    assert section(text, "Nhắc nhở đã gửi hôm nay, theo đợt:") == ["Đợt quá hạn 2 ngày làm việc: 3 đơn vị"]
    assert "Đợt nhắc hôm nay: quá hạn 2 ngày làm việc" in text
    for heading in ("Đủ điều kiện tổng hợp từ hôm nay", "Bản tổng hợp mới", "Kết quả kiểm tra số liệu",
                    "Tệp bị từ chối hôm nay"):
        assert heading not in text, heading
    assert "Đã đủ điều kiện tổng hợp từ ngày 03/06/2024." in text
    assert "bản tổng hợp v" not in subject

    # Hà Nội's late report starts v2 after that tick; the day after tells what changed.
    v2 = compile_cycle(app, cycle.id, as_of=NEXT_DAY, trigger="reports_added")
    assert v2.version == 2
    third = run_daily_tick(app, THIRD_DAY, cycle_id=cycle.id)
    subject, text = read_digest(third)
    (line,) = section(text, "Bản tổng hợp mới (1):")
    assert line.startswith("Bản v2 (số liệu đến ngày 04/06/2024), tổng hợp 64/93 báo cáo: "
                           "thêm báo cáo của 1 đơn vị: Thành phố Hà Nội")
    assert "Kết quả kiểm tra số liệu bản v2" in text and "Tỉnh Quảng Trị: Số lượt tiếp công dân" in text
    assert "Hôm nay không gửi nhắc nhở nào." in text
    # The stage's list is of the latest stage, never "today" on a day nothing was sent.
    assert "Đợt nhắc hôm nay" not in text and "Đợt nhắc gần nhất: quá hạn 2 ngày làm việc" in text
    assert subject.endswith("; bản tổng hợp v2")


def test_a_day_when_nothing_happened_claims_nothing(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "89", date(2024, 5, 24), number="529/BC-UBND")
    add_contacts(app, ("bqp", "email", "bqp@example.invalid"))
    # Before the first stage (24/05) a day with no news sends no digest.
    assert run_daily_tick(app, date(2024, 5, 22), cycle_id=cycle.id).cycles[0].digest.status == "skipped"
    run_daily_tick(app, date(2024, 5, 24), cycle_id=cycle.id)  # the first stage
    subject, text = read_digest(run_daily_tick(app, date(2024, 5, 27), cycle_id=cycle.id))
    for heading in STORY_HEADINGS:
        assert heading not in text, heading
    assert "Hôm nay không gửi nhắc nhở nào." in text
    assert ("Chưa đủ điều kiện tổng hợp: Bộ, ngành: 0/30 đơn vị đã báo cáo, cần tối thiểu 30% — chưa đạt; "
            "Địa phương: 1/63 đơn vị đã báo cáo, cần tối thiểu 80% — chưa đạt.") in text
    assert section(text, "Việc cần làm:") == ["Theo dõi 92 đơn vị chưa gửi; hạn nộp 31/05/2024, còn 5 ngày làm việc."]
    assert subject.endswith("1/93 đơn vị đã báo cáo")


def test_a_rejected_file_before_the_first_stage_is_told(app):
    cycle = open_2023_danvan(app)
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "trong.json").write_text("{}", encoding="utf-8")
    subject, text = read_digest(run_daily_tick(app, date(2024, 5, 22), cycle_id=cycle.id))
    (line,) = section(text, "Tệp bị từ chối hôm nay (1):")
    assert line.startswith("trong.json: ")
    assert subject.endswith("; 1 tệp bị từ chối")
    assert "Nhắc nhở đã gửi hôm nay" not in text
