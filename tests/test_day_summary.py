"""What coordinators read of a cycle's day, driven through the days before, on and after the
deadline of the demo's cycle (31/05/2024): the counts add up and are the same in the summary, the
status export and `dvtracker status --json`; one line per unit, grouped bộ, ngành then địa
phương, overdue first; no "quá hạn" before the deadline has passed; who was reminded."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.cycles import exempt_unit
from models.status import COUNT_PARTS, counts_add_up
from services.tick import run_daily_tick
from tests.helpers import add_contacts, open_2023_danvan, submit

DEADLINE = date(2024, 5, 31)
# -5 (24/05), -2 (29/05), the day (31/05), +2 (04/06), +5 (07/06) are the reminder stages.
DAYS = [date(2024, 5, 24), date(2024, 5, 27), date(2024, 5, 29), date(2024, 5, 30), DEADLINE,
        date(2024, 6, 3), date(2024, 6, 4), date(2024, 6, 14)]


@pytest.fixture
def cycle(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "89", date(2024, 5, 24), number="529/BC-UBND")  # An Giang: on time
    submit(app, cycle.id, "45", date(2024, 5, 20), number="/BC-VP")  # Quảng Trị: a draft only
    submit(app, cycle.id, "01", date(2024, 6, 3), number="7/BC-UBND")  # Hà Nội: late
    with app.session() as session:
        exempt_unit(session, cycle, app.roster, "79", "Sáp nhập | *thí điểm* [x](http://e.example)",
                    date(2024, 5, 20))
    add_contacts(app, ("bqp", "email", "bqp@example.invalid"), ("46", "email", "hue@example.invalid"),
                 ("45", "email", "qt@example.invalid"))
    return cycle


def table_rows(summary: str) -> dict[str, list[str]]:
    lines = [line for line in summary.splitlines() if line.startswith("| ") and not line.startswith("| Nhóm")]
    return {cells[0]: cells[1:] for cells in ([c.strip() for c in line.strip("|").split(" | ")] for line in lines)}


def test_the_days_of_the_demo_cycle_tell_one_story(app, cycle, cli):
    for day in DAYS:
        result = run_daily_tick(app, day, cycle_id=cycle.id)
        (c,) = result.cycles
        report, summary = c.status, c.summary
        groups = report.to_dict()["summary"]
        assert all(counts_add_up(g) for g in groups), (day, groups)

        # The summary's table says the same counts, and they add up.
        rows = table_rows(summary)
        for g in groups:
            cells = rows[g["group_label"].capitalize()]
            shown = [int(x) for x in cells[:8]]
            assert shown == [g["units"], g["on_time"], g["late"], g["missing"] + g["not_due"],
                             g["draft_only"], g["exempted"], g["expected"], g["actual"]]
            assert shown[0] == sum(shown[1:6]) and shown[6] == shown[0] - shown[5]

        # `dvtracker status --json` gives the same counts; --summary the same words as the tick's file.
        listed = json.loads(cli("status", "--cycle", cycle.id, "--as-of", day.isoformat(), "--json").stdout)
        assert [{k: g[k] for k in ("units", "expected", "actual", *COUNT_PARTS)} for g in listed["summary"]] == [
            {k: g[k] for k in ("units", "expected", "actual", *COUNT_PARTS)} for g in groups]
        printed = cli("status", "--cycle", cycle.id, "--as-of", day.isoformat(), "--summary").stdout
        assert printed == summary == c.files["Tóm tắt (Markdown)"].read_text(encoding="utf-8")

        # The digest gives the same counts, in a sentence that adds up.
        if c.digest.path:
            body = email.message_from_bytes(Path(c.digest.path).read_bytes(), policy=email.policy.default)
            text = body.get_body(("plain",)).get_content()
            o = report.overall()
            pending = f"quá hạn chưa báo cáo {o['missing']}" if day > DEADLINE else f"chưa gửi (chưa đến hạn) {o['not_due']}"
            assert (f"Số đơn vị: {o['units']} = đúng hạn {o['on_time']} + muộn {o['late']} + {pending} + mới có dự thảo "
                    f"{o['draft_only']} + miễn báo cáo {o['exempted']}.") in text
            if day <= DEADLINE:
                assert "quá hạn" not in text.lower()

        # The status export: the same counts, one row per unit, the overdue first.
        wb = load_workbook(c.files["Tình hình báo cáo (Excel)"])
        header, *data = list(wb["Tổng hợp"].values)
        exported = {r[0]: dict(zip(header, r, strict=True)) for r in data}
        assert exported["Tổng cộng"]["Số đơn vị"] == 93 and exported["Tổng cộng"]["Phải báo cáo"] == 92

        units = report.units.set_index("name")
        outstanding = units[units["status"].isin(["missing", "draft_only", "not_due"])]
        every = summary.splitlines()
        lines = every[next(i for i, x in enumerate(every) if x.startswith("### ")):every.index("### Nhắc nhở")]
        assert len([line for line in lines if line.startswith("- ")]) == len(outstanding)
        for name in outstanding.index:  # one line per unit
            assert sum(line.startswith(f"- {name}:") for line in lines) == 1, (day, name)
        local = f"#### Địa phương ({(outstanding['group'] == 'provincial').sum()})"
        assert lines.index("#### Bộ, ngành (30)") < lines.index(local)

        overdue_words = re.search(r"quá hạn", summary, re.IGNORECASE)
        if day <= DEADLINE:
            assert overdue_words is None, (day, overdue_words)
            assert "chưa gửi báo cáo" in summary
        else:
            assert f"Quá hạn, chưa báo cáo ({len(outstanding)})" in summary
            # the overdue first: Quảng Trị's draft comes after every missing province
            provinces = [line for line in lines[lines.index(local) + 1:] if line.startswith("- ")][:len(outstanding) - 30]
            assert all(": Chưa báo cáo, chậm" in line for line in provinces[:-1])
            assert provinces[-1].startswith("- Tỉnh Quảng Trị: Mới có dự thảo")

        if day == date(2024, 5, 30):  # no stage today: when the last one went, and to how many
            assert "Hôm nay không gửi nhắc; đợt gần nhất 29/05/2024: 3 đơn vị." in summary
        if day == date(2024, 5, 29):
            assert "Hôm nay đã nhắc 3 đơn vị (đợt: trước hạn 2 ngày làm việc)." in summary

    # The day before the deadline: how many have not sent, how many working days are left.
    before = run_daily_tick(app, date(2024, 5, 30), cycle_id=cycle.id).cycles[0].summary
    assert "Còn 91 đơn vị chưa gửi báo cáo (trong đó 1 mới có dự thảo); còn 2 ngày làm việc đến hạn nộp 31/05/2024." \
        in before


def test_the_status_export_has_who_was_reminded_and_keeps_its_words(app, cycle, tmp_path, cli):
    for day in DAYS[:3]:
        run_daily_tick(app, day, cycle_id=cycle.id)
    out = tmp_path / "tinh-hinh.csv"
    assert cli("status", "--cycle", cycle.id, "--as-of", "2024-05-29", "--export", str(out), "--sep", ";").exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    hue = next(r for r in rows if r["Đơn vị"] == "Tỉnh Thừa Thiên Huế")
    assert hue["Đã nhắc"] == "trước hạn 2 ngày làm việc, 29/05/2024"
    ag = next(r for r in rows if r["Đơn vị"] == "Tỉnh An Giang")
    assert ag["Ngày nhận"] == "24/05/2024" and ag["Mã"] == "89"
    assert '"01";' in raw.decode("utf-8-sig") or '"01"' in raw.decode("utf-8-sig")  # codes are quoted text
    exempted = next(r for r in rows if r["Đơn vị"] == "Thành phố Hồ Chí Minh")
    assert exempted["Tình trạng"] == "Miễn báo cáo"

    text = cli("status", "--cycle", cycle.id, "--as-of", "2024-05-29").stdout
    assert "quá hạn" not in text.lower()
    assert "đến hạn 90" in text
