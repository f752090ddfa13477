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
from tests.helpers import open_2023_danvan


def test_open_2023_annual_cycle_from_2748(app):
    cycle = open_2023_danvan(app)
    assert cycle.id == "danvan-2023-annual"
    assert (cycle.window_start, cycle.window_end) == (date(2022, 12, 15), date(2023, 12, 14))  # NĐ 09/2019, Điều 12
    assert cycle.reference_date == date(2023, 12, 14)
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
