"""The picture of a cycle's progress: reports received per day, cumulative, per group, as a share
of the group's expected units; as PNG next to the day's status export and as a native chart in
the status workbook."""

from __future__ import annotations

import re
import struct
import zipfile
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from models.cycles import exempt_unit
from services.tick import run_daily_tick
from tasks.progress_chart import SHEET, cycle_progress
from tasks.tracking import cycle_status
from tests.helpers import open_2023_danvan, submit

OPENING, DAY = date(2024, 5, 17), date(2024, 6, 4)  # the request's issue date; the tick's day


@pytest.fixture
def cycle(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "89", date(2024, 5, 24), number="529/BC-UBND")  # An Giang, on time
    submit(app, cycle.id, "89", date(2024, 5, 28), number="529b/BC-UBND")  # ... and a correction: counted once
    submit(app, cycle.id, "45", date(2024, 5, 20), number=None)  # Quảng Trị: a draft first, not a report
    submit(app, cycle.id, "45", date(2024, 6, 3), number="12/BC-UBND")  # ... then the signed one, late
    submit(app, cycle.id, "01", date(2024, 6, 5), number="7/BC-UBND")  # Hà Nội: after the tick's day
    submit(app, cycle.id, "c2021-bqp", date(2024, 5, 28), number="3/BC-BQP")  # Bộ Quốc phòng
    submit(app, cycle.id, "79", date(2024, 5, 22), number="9/BC-UBND")  # TP Hồ Chí Minh, then exempted
    with app.session() as session:
        exempt_unit(session, cycle, app.roster, "79", "Sáp nhập", date(2024, 5, 30))
    return cycle


def test_reports_received_per_day_count_each_unit_once_from_its_first_signed_report(app, cycle):
    report = cycle_status(app, cycle.id, DAY)
    progress = cycle_progress(app, report)
    counts = progress.counts

    assert list(counts.index) == [OPENING + timedelta(days=i) for i in range((DAY - OPENING).days + 1)]
    assert list(counts.columns) == ["central", "provincial"]
    provincial = dict(zip(counts.index, counts["provincial"], strict=True))
    central = dict(zip(counts.index, counts["central"], strict=True))
    # An Giang from 24/05 (its correction of 28/05 adds nothing), Quảng Trị from 03/06 (its draft of
    # 20/05 does not count), Hà Nội not at all (05/06 is after the day), Hồ Chí Minh never (exempted).
    assert [provincial[d] for d in (date(2024, 5, 20), date(2024, 5, 23), date(2024, 5, 24), date(2024, 5, 28),
                                    date(2024, 6, 2), date(2024, 6, 3), DAY)] == [0, 0, 1, 1, 1, 2, 2]
    assert [central[d] for d in (date(2024, 5, 27), date(2024, 5, 28), DAY)] == [0, 1, 1]
    assert progress.expected == {"central": 30, "provincial": 62}  # 63 less the exempted one
    assert progress.shares.loc[DAY, "provincial"] == pytest.approx(2 / 62)
    assert progress.shares.loc[DAY, "central"] == pytest.approx(1 / 30)
    assert progress.quorum == {"central": 0.3, "provincial": 0.8}
    assert progress.deadline == date(2024, 5, 31)
    # The last day is the status table of that day.
    groups = report.groups.set_index("group")
    assert {g: int(counts[g].iloc[-1]) for g in counts.columns} == {g: int(groups.at[g, "actual"])
                                                                   for g in counts.columns}


def test_the_tick_draws_the_picture_and_the_workbook_charts_the_same_table(app, cycle):
    (day,) = run_daily_tick(app, DAY, cycle_id=cycle.id).cycles
    png = day.files["Biểu đồ báo cáo nhận được (PNG)"]
    assert png == app.settings.exports_dir / cycle.id / "tinh-hinh-20240604.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 600)
    assert 20_000 < len(data) < 1_000_000  # lines, labels and legend drawn, not an empty canvas

    xlsx = day.files["Tình hình báo cáo (Excel)"]
    book = load_workbook(xlsx)
    assert SHEET in book.sheetnames
    ws = book[SHEET]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Ngày", "Bộ, ngành: đã báo cáo", "Bộ, ngành: tỷ lệ", "Địa phương: đã báo cáo",
                          "Địa phương: tỷ lệ"]
    rows = {r[0].date(): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[date(2024, 6, 3)][3:5] == (2, round(2 / 62, 4))
    assert rows[date(2024, 5, 31)][-1] == "Hạn nộp"
    last = ws.max_row
    assert last == 1 + (DAY - OPENING).days + 1

    with zipfile.ZipFile(xlsx) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    values = re.findall(r"<val><numRef><f>([^<]*)</f>", xml)
    categories = re.findall(r"<cat><numRef><f>([^<]*)</f>", xml)
    titles = re.findall(r"<tx><strRef><f>([^<]*)</f>", xml)
    # The groups' shares (columns C and E) and the quorum lines (F and G), each titled by its header,
    # over the dates of column A: the chart is drawn from the table, not from numbers of its own.
    assert values == [f"'{SHEET}'!${c}$2:${c}${last}" for c in "CEFG"]
    assert titles == [f"'{SHEET}'!{c}1" for c in "CEFG"]
    assert categories == [f"'{SHEET}'!$A$2:$A${last}"] * 4
