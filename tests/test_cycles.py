from datetime import date

import pytest
from sqlmodel import select

from models.cycles import (
    RequestInput,
    add_request,
    describe_cycle,
    effective_deadline,
    exempt_unit,
    open_cycle,
    requests_of,
)
from models.errors import UserError
from models.tables import AuditRow, CycleRow, ExpectedUnitRow
from services.cycles import NewRequest
from services.cycles import add_request as add_request_service
from tests.compilation_cases import compile_models
from tests.helpers import open_2023_danvan, submit
from tests.test_deadlines import FROM_RECEIPT, TWO_KINDS, WITH_ADDITION


def test_open_2023_annual_cycle_from_2748(app):
    cycle = open_2023_danvan(app)
    assert cycle.id == "danvan-2023-annual"
    # The dân vận reports count the calendar year (seed 000: "năm 2023 (từ 01/01 đến 31/12/2023)").
    assert (cycle.window_start, cycle.window_end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert cycle.reference_date == date(2023, 12, 31)
    with app.session() as session:
        data = describe_cycle(session, cycle, app.roster, app.config)
    assert data["deadline"] == "2024-05-31"
    assert data["deadline_text"] == "chậm nhất ngày 31/5/2024"
    assert data["requests"][0]["number"] == "2748/BNV-CTTN"
    assert data["expected_count"] == 93
    groups = [u["group"] for u in data["expected_units"]]
    assert groups.count("central") == 30 and groups.count("provincial") == 63
    assert data["expected_units"][0]["name"] == "Bộ Quốc phòng"  # official order, central first


@pytest.mark.parametrize(
    "kind, year, central, provincial",
    [("annual", 2025, 22, 34), ("half_year", 2025, 22, 63), ("half_year", 2024, 30, 63)],
)
def test_expected_set_is_frozen_at_the_reference_date(app, kind, year, central, provincial):
    with app.session() as session:
        cycle = open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
                           kind=kind, year=year, request=RequestInput("1/BNV-CTTN", date(year, 6, 20)))
        units = session.exec(select(ExpectedUnitRow.unit_id).where(ExpectedUnitRow.cycle_id == cycle.id)).all()
    assert sum(u.startswith("c") for u in units) == central
    assert sum(u.startswith("p") for u in units) == provincial


def test_reopening_is_harmless_and_a_different_request_is_refused(app):
    first = open_2023_danvan(app)
    assert open_2023_danvan(app).id == first.id
    with pytest.raises(UserError, match="đã được mở từ công văn 2748/BNV-CTTN"), app.session() as session:
        open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
                   kind="annual", year=2023, request=RequestInput("9999/BNV-CTTN", date(2024, 5, 20)))


def test_a_later_request_moves_the_deadline_from_its_issue_date(app):
    cycle = open_2023_danvan(app)
    with app.session() as session:
        add_request(session, cycle, app.calendar,
                    RequestInput("3001/BNV-CTTN", date(2024, 6, 3), "trước ngày 15/6/2024", "reminder"))
        requests = requests_of(session, cycle.id)
    assert effective_deadline(requests).deadline == date(2024, 6, 14)
    assert effective_deadline(requests, as_of=date(2024, 6, 2)).deadline == date(2024, 5, 31)
    with pytest.raises(UserError, match="đã có trong kỳ"), app.session() as session:
        add_request(session, cycle, app.calendar, RequestInput("3001/BNV-CTTN", date(2024, 6, 3)))


def test_exemption_leaves_the_denominator_and_is_audited(app):
    cycle = open_2023_danvan(app)
    with app.session() as session:
        exempt_unit(session, cycle, app.roster, "Bộ Quốc phòng", "Báo cáo theo kênh riêng", date(2024, 5, 20))
        data = describe_cycle(session, cycle, app.roster, app.config)
        actions = session.exec(select(AuditRow.action).where(AuditRow.entity_id.like("danvan-2023-annual%"))).all()
    assert data["expected_count"] == 92
    assert {"open", "add", "exempt"} <= set(actions)
    with pytest.raises(UserError, match="không thuộc danh sách phải báo cáo"), app.session() as session:
        exempt_unit(session, cycle, app.roster, "x-hvctqg", "không phải báo cáo", date(2024, 5, 20))


def test_stream_config_decides_the_expected_set(app):
    app.config.streams["danvan"].expected.include.append("x-hvctqg")
    cycle = open_2023_danvan(app)
    with app.session() as session:
        data = describe_cycle(session, cycle, app.roster, app.config)
    assert data["expected_count"] == 94
    assert "Học viện Chính trị quốc gia Hồ Chí Minh" in [u["name"] for u in data["expected_units"]]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(stream_id="dansu"), "Không có luồng báo cáo 'dansu'"),
        (dict(stream_id="qcdc", kind="half_year"), "không có kỳ loại 'half_year'"),
        (dict(kind="quarter"), "Loại kỳ 'quarter' không hợp lệ"),
        (dict(request=RequestInput("BNV-CTTN", date(2024, 5, 17))), "Số công văn không hợp lệ"),
        (dict(request=RequestInput("1/BNV", date(2024, 5, 17), "sớm")), "Không đọc được thời hạn 'sớm'"),
        (dict(request=RequestInput("1/BNV", date(2026, 10, 15), TWO_KINDS.replace("hằng năm", "quý IV"))),
         "không có thời hạn nào cho báo cáo năm"),
        (dict(request=RequestInput("1/BNV", date(2024, 5, 17), "trước ngày 15/6/2024, hoặc trước ngày 20/6/2024")),
         "không rõ vế nào áp dụng cho báo cáo năm"),
        (dict(request=RequestInput("1/BNV", date(2024, 5, 17), "chậm nhất ngày 31/5/99999")), "năm 99999 ngoài khoảng"),
        (dict(request=RequestInput("1/BNV", date(2024, 5, 17), received_on=date(2024, 5, 16))),
         "Ngày nhận công văn 1/BNV .16/05/2024. sớm hơn ngày ban hành"),
    ],
)
def test_bad_input_writes_nothing(app, kwargs, message):
    args = dict(stream_id="danvan", kind="annual", year=2023, request=RequestInput("2748/BNV-CTTN", date(2024, 5, 17)))
    args.update(kwargs)
    with pytest.raises(UserError, match=message), app.session() as session:
        open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, **args)
    with app.session() as session:
        assert session.exec(select(CycleRow)).all() == []
        assert session.exec(select(ExpectedUnitRow)).all() == []


def _open(app, stream="danvan", kind="annual", year=2023, request=None, **kwargs):
    with app.session() as session:
        return open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id=stream,
                          kind=kind, year=year, request=request or RequestInput("1/BNV-CTTN", date(year, 11, 9)),
                          **kwargs)


def test_the_data_window_comes_from_the_stream_and_each_cycle_can_override_it(app):
    half = _open(app, kind="half_year", year=2024)
    assert (half.window_start, half.window_end) == (date(2024, 1, 1), date(2024, 6, 30))
    qcdc = _open(app, stream="qcdc", request=RequestInput("6507/BNV-CTTN", date(2023, 11, 9)))
    assert (qcdc.window_start, qcdc.window_end) == (date(2022, 12, 15), date(2023, 12, 14))  # NĐ 09/2019, Điều 12
    until_october = _open(app, year=2022, window=(date(2022, 1, 1), date(2022, 10, 31)))  # seed 004 stops in October
    nd09 = _open(app, kind="half_year", year=2023, window=(date(2022, 12, 15), date(2023, 6, 14)))
    with app.session() as session:
        rules = [describe_cycle(session, c, app.roster, app.config)["window_rule"]
                 for c in (half, qcdc, until_october, nd09)]
    assert rules == [
        "năm dương lịch, như các báo cáo công tác dân vận: báo cáo tổng hợp năm 2023, 529/BC-UBND tỉnh An Giang; "
        "mặc định của luồng",
        "Nghị định 09/2019/NĐ-CP, Điều 12: từ ngày 15 tháng 12 năm trước; mặc định của luồng",
        "do người mở kỳ ghi (--window-start, --window-end)",
        "Nghị định 09/2019/NĐ-CP, Điều 12: từ ngày 15 tháng 12 năm trước",
    ]


def test_a_report_with_figures_to_31_12_is_within_the_danvan_window(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "An Giang", date(2024, 5, 24), number="529/BC-UBND", data_until=date(2023, 12, 31))
    _, findings = compile_models(app, cycle, date(2024, 6, 10))
    assert [f for f in findings if f.kind in ("outside_period", "partial_period")] == []
    nd09 = _open(app, year=2022, window=(date(2021, 12, 15), date(2022, 12, 14)))  # the same figures, under NĐ 09
    submit(app, nd09.id, "An Giang", date(2023, 5, 24), number="1/BC-UBND", data_until=date(2022, 12, 31))
    _, findings = compile_models(app, nd09, date(2023, 6, 10))
    assert [(f.kind, f.severity) for f in findings if f.kind == "outside_period"] == [("outside_period", "warning")]


def test_the_cycle_s_kind_picks_its_clause(app):
    annual = _open(app, year=2026, request=RequestInput("2001/BNV-CTTN", date(2026, 10, 15), TWO_KINDS))
    half = _open(app, kind="half_year", year=2027, request=RequestInput("2001/BNV-CTTN", date(2026, 10, 15), TWO_KINDS))
    with app.session() as session:
        a, h = (describe_cycle(session, c, app.roster, app.config) for c in (annual, half))
    assert (a["deadline"], a["deadline_clause"]) == ("2026-11-25", "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm")
    assert (h["deadline"], h["deadline_clause"]) == ("2027-06-07", "Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng")
    assert "Điều 148 khoản 5" in h["deadline_basis"] and "Chủ nhật" in h["deadline_rule"]
    assert a["deadline_text"] == h["deadline_text"] == TWO_KINDS


def test_the_addition_window_is_stored_beside_the_main_deadline(app):
    cycle = open_2023_danvan(app, deadline=WITH_ADDITION)
    with app.session() as session:
        [row] = requests_of(session, cycle.id)
        data = describe_cycle(session, cycle, app.roster, app.config)
        assert effective_deadline([row]).deadline == date(2024, 6, 14)
    assert (row.deadline, row.addition_deadline) == (date(2024, 6, 14), date(2024, 6, 21))
    assert (data["deadline"], data["addition_deadline"]) == ("2024-06-14", "2024-06-21")
    assert data["deadline_clause"] == "gửi báo cáo trước ngày 15/6/2024"
    assert data["addition_clause"] == "trường hợp chưa đủ số liệu, gửi bổ sung trong 05 ngày làm việc"
    assert "tính từ sau hạn nộp" in data["addition_rule"]
    assert data["requests"][0]["addition_deadline"] == "2024-06-21"


def test_a_deadline_from_receipt_uses_the_receipt_date_or_the_stream_s_allowance(app):
    cycle = open_2023_danvan(app)
    with app.session() as session:
        given = add_request(session, cycle, app.calendar, RequestInput(
            "3001/BNV-CTTN", date(2024, 6, 3), FROM_RECEIPT, "reminder", received_on=date(2024, 6, 5)))
        assert (given.received_on, given.deadline, given.deadline_assumption) == (
            date(2024, 6, 5), date(2024, 6, 19), None)
    with pytest.raises(UserError, match="tính từ ngày nhận được văn bản: cần ngày đơn vị nhận công văn"), \
            app.session() as session:
        add_request(session, cycle, app.calendar, RequestInput("3002/BNV-CTTN", date(2024, 6, 3), FROM_RECEIPT))
    assumed = add_request_service(app, cycle.id, NewRequest.of(number="3003/BNV-CTTN", issued=date(2024, 6, 3),
                                                                deadline=FROM_RECEIPT))
    latest = assumed["requests"][-1]
    assert (latest["number"], latest["received_on"], latest["deadline"]) == ("3003/BNV-CTTN", "2024-06-04", "2024-06-18")
    assert latest["deadline_assumption"].startswith("đơn vị nhận được văn bản ngày 04/06/2024")
    assert "giả định" in latest["deadline_rule"] and assumed["deadline_assumption"] == latest["deadline_assumption"]
    with app.session() as session:
        assert [r.number for r in requests_of(session, cycle.id)] == ["2748/BNV-CTTN", "3001/BNV-CTTN", "3003/BNV-CTTN"]
