from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.deadlines import derive_deadline, parse_date
from models.errors import UserError
from tests.test_workdays import CAL

ISSUED = date(2024, 5, 17)  # 2748/BNV-CTTN


def last_day(text, issued=ISSUED, roll=True):
    return derive_deadline(text, issued, CAL, roll_forward=roll).last_day


@pytest.mark.parametrize(
    "text, expected",
    [
        ("chậm nhất ngày 31/5/2024", date(2024, 5, 31)),
        ("Chậm nhất vào ngày 31/05/2024", date(2024, 5, 31)),
        ("chậm nhất ngày 31 tháng 5 năm 2024", date(2024, 5, 31)),
        ("Báo cáo gửi về Bộ Nội vụ chậm nhất ngày 31/5/2024 để tổng hợp", date(2024, 5, 31)),
        ("trước ngày 15/6/2024", date(2024, 6, 14)),
        ("gửi trước ngày 15/6", date(2024, 6, 14)),  # year taken from the letter
        ("trước 17 giờ ngày 14/6/2024", date(2024, 6, 14)),  # a time on the day keeps the day
        ("trong 10 ngày làm việc kể từ ngày ký", date(2024, 5, 31)),
        ("trong vòng 10 ngày kể từ ngày ký", date(2024, 5, 27)),
        ("31/5/2024", date(2024, 5, 31)),
        ("2024-05-31", date(2024, 5, 31)),
    ],
)
def test_wordings(text, expected):
    assert last_day(text) == expected


def test_truoc_ngay_and_cham_nhat_ngay_differ_by_one_day():
    assert last_day("chậm nhất ngày 13/6/2024") == date(2024, 6, 13)
    assert last_day("trước ngày 13/6/2024") == date(2024, 6, 12)


def test_a_deadline_on_a_saturday_rolls_to_monday_only_if_the_policy_says_so():
    # "trước ngày 16/6/2024" -> 15/6/2024, a Saturday.
    assert last_day("trước ngày 16/6/2024", roll=False) == date(2024, 6, 15)
    d = derive_deadline("trước ngày 16/6/2024", ISSUED, CAL)
    assert d.last_day == date(2024, 6, 17) and d.rolled_forward
    assert "Điều 148" in d.rule and "Thứ Bảy" in d.rule


def test_deadline_on_the_day_of_vietnamese_culture_2026():
    d = derive_deadline("chậm nhất ngày 24/11/2026", date(2026, 11, 2), CAL)
    assert d.last_day == date(2026, 11, 25)
    assert "Ngày Văn hóa Việt Nam" in d.rule
    assert last_day("chậm nhất ngày 24/11/2026", date(2026, 11, 2), roll=False) == date(2026, 11, 24)


def test_deadline_in_tet_2026():
    assert last_day("chậm nhất ngày 17/02/2026", date(2026, 2, 2)) == date(2026, 2, 23)
    # 10 working days from Monday 09/02/2026: 10-13 Feb (4), Tết 16-20 off, 23-27 Feb (9), 02/03 (10).
    assert last_day("trong 10 ngày làm việc kể từ ngày ký", date(2026, 2, 9)) == date(2026, 3, 2)


def test_worked_saturday_is_a_valid_last_day():
    d = derive_deadline("chậm nhất ngày 22/8/2026", date(2026, 8, 3), CAL)
    assert d.last_day == date(2026, 8, 22) and not d.rolled_forward


@pytest.mark.parametrize(
    "text, message",
    [
        ("càng sớm càng tốt", "Không đọc được thời hạn 'càng sớm càng tốt'"),
        ("chậm nhất ngày 31/2/2024", "có ngày không tồn tại"),
        ("chậm nhất ngày 01/5/2024", "sớm hơn ngày ban hành công văn"),
    ],
)
def test_unreadable_deadlines_are_clear_errors(text, message):
    with pytest.raises(UserError, match=message):
        last_day(text)


def test_parse_date_errors_name_the_field():
    assert parse_date("24/05/2024") == date(2024, 5, 24)
    assert parse_date("ngày 24 tháng 5 năm 2024") == date(2024, 5, 24)
    with pytest.raises(UserError, match="--issued không hợp lệ: '2024-13-01'"):
        parse_date("2024-13-01", field="--issued")


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2020, 1, 2), max_value=date(2030, 12, 31)), st.integers(1, 60))
def test_truoc_is_always_the_day_before_cham_nhat(issued, days_ahead):
    target = issued + timedelta(days=days_ahead)
    text = f"{target.day}/{target.month}/{target.year}"
    at_latest = last_day(f"chậm nhất ngày {text}", issued, roll=False)
    before = last_day(f"trước ngày {text}", issued, roll=False)
    assert at_latest == target and before == target - timedelta(days=1)
    rolled = last_day(f"chậm nhất ngày {text}", issued)
    assert rolled == CAL.roll_forward(target)
