from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.workdays import WorkCalendar, load_overrides
from tests.conftest import PROJECT_DIR

CAL = WorkCalendar(load_overrides(PROJECT_DIR / "data" / "calendar" / "day_overrides.csv"))


@pytest.mark.parametrize(
    "day, reason",
    [
        (date(2026, 11, 24), "Ngày Văn hóa Việt Nam"),  # new holiday from 2026 (a Tuesday)
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 2, 20), "Mùng bốn Tết Nguyên Đán"),
        (date(2026, 8, 31), "Ngày nghỉ (thay cho ngày 22/08/2026)"),  # substitute day off
        (date(2024, 4, 29), "Ngày nghỉ (thay cho ngày 04/05/2024)"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2026, 11, 21), "Thứ Bảy"),
        (date(2026, 11, 22), "Chủ nhật"),
    ],
)
def test_days_off(day, reason):
    assert CAL.day_off_reason(day) == reason
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [date(2026, 8, 22), date(2024, 5, 4), date(2025, 4, 26)])
def test_worked_saturdays_are_working_days(day):
    assert day.weekday() == 5
    assert CAL.is_working_day(day)
    assert CAL.worked_reason(day).startswith("Làm bù cho ngày")


def test_worked_saturday_is_a_day_off_without_the_override():
    assert not WorkCalendar([]).is_working_day(date(2026, 8, 22))


def test_add_working_days_skips_the_new_holiday_and_weekends():
    # Before Friday 27/11/2026: 26, 25, (24 holiday), 23, (22, 21 weekend), 20, 19.
    assert CAL.add_working_days(date(2026, 11, 27), -5) == date(2026, 11, 19)
    assert CAL.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
    assert CAL.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_add_working_days_counts_the_worked_saturday():
    # Thursday 20/08/2026 + 2 working days = Saturday 22/08 (worked), + 3 = Tuesday 25/08.
    assert CAL.add_working_days(date(2026, 8, 20), 2) == date(2026, 8, 22)
    assert CAL.add_working_days(date(2026, 8, 20), 3) == date(2026, 8, 24)


def test_roll_forward_across_tet():
    assert CAL.roll_forward(date(2026, 2, 16)) == date(2026, 2, 23)
    assert CAL.roll_forward(date(2026, 2, 23)) == date(2026, 2, 23)


def test_working_days_between_over_a_holiday():
    assert CAL.working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 4  # 23, 25, 26, 27
    assert CAL.working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == -4


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(-60, 60))
def test_adding_n_working_days_spans_n_working_days(day, n):
    result = CAL.add_working_days(day, n)
    one = timedelta(days=1)
    if n >= 0:  # n working days in (day, result]
        assert CAL.working_days_between(day, result) == n
    else:  # |n| working days in [result, day)
        assert CAL.working_days_between(result - one, day - one) == -n
    if n:
        assert CAL.is_working_day(result)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_roll_forward_gives_the_first_working_day(day):
    rolled = CAL.roll_forward(day)
    assert CAL.is_working_day(rolled)
    assert all(not CAL.is_working_day(day + timedelta(days=i)) for i in range((rolled - day).days))
