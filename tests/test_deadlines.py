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


# --- the wordings of the guidance: clauses by report kind, additions, receipt, impossible dates ----
TWO_KINDS = ("Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng; "
             "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm")
TWO_KINDS_BRACKETS = "trước ngày 18 tháng 6 (báo cáo sáu tháng) và trước ngày 18 tháng 12 (báo cáo năm)"
WITH_ADDITION = ("gửi báo cáo trước ngày 15/6/2024; trường hợp chưa đủ số liệu, "
                 "gửi bổ sung trong 05 ngày làm việc")
FROM_RECEIPT = "trong 10 ngày làm việc kể từ ngày nhận được văn bản"
OCT_2026 = date(2026, 10, 15)


@pytest.mark.parametrize("text, kind, expected, clause", [
    (TWO_KINDS, "annual", date(2026, 11, 25), "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm"),
    # 06/06/2027 is a Sunday: the half-year clause rolls to Monday.
    (TWO_KINDS, "half_year", date(2027, 6, 7), "Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng"),
    (TWO_KINDS_BRACKETS, "annual", date(2026, 12, 17), "trước ngày 18 tháng 12 (báo cáo năm)"),
    (TWO_KINDS_BRACKETS, "half_year", date(2027, 6, 17), "trước ngày 18 tháng 6 (báo cáo sáu tháng)"),
])
def test_a_clause_that_names_a_report_kind_applies_to_that_kind_only(text, kind, expected, clause):
    d = derive_deadline(text, OCT_2026, CAL, kind=kind)
    assert (d.last_day, d.clause, d.kinds) == (expected, clause, (kind,))
    assert [c.text for c in d.clauses] == [c.text for c in derive_deadline(text, OCT_2026, CAL, kind="annual").clauses]


@pytest.mark.parametrize("half, annual", [
    ("6 tháng", "năm"), ("sáu tháng", "hằng năm"), ("06 tháng đầu năm", "cả năm"), ("định kỳ 6 tháng", "hàng năm"),
    ("bán niên", "01 năm"),
])
def test_every_way_of_naming_the_half_year_and_the_year(half, annual):
    text = f"đối với báo cáo {half}, chậm nhất ngày 10/6/2024, đối với báo cáo {annual}, chậm nhất ngày 10/12/2024"
    assert derive_deadline(text, ISSUED, CAL, kind="half_year").last_day == date(2024, 6, 10)
    assert derive_deadline(text, ISSUED, CAL, kind="annual").last_day == date(2024, 12, 10)


def test_quarterly_clauses_apply_to_no_cycle_and_ad_hoc_clauses_to_ad_hoc_cycles():
    text = ("báo cáo quý II trước ngày 15/6/2024; báo cáo đột xuất gửi trong 03 ngày làm việc kể từ ngày ký; "
            "báo cáo năm trước ngày 15/12/2024")
    assert derive_deadline(text, ISSUED, CAL, kind="adhoc").last_day == date(2024, 5, 22)
    assert derive_deadline(text, ISSUED, CAL, kind="annual").last_day == date(2024, 12, 16)  # 14/12 is a Saturday
    with pytest.raises(UserError, match=r"không có thời hạn nào cho báo cáo 6 tháng: các vế đọc được là "
                                        r"\(1\) 'báo cáo quý II trước ngày 15/6/2024' \(báo cáo quý\): 14/06/2024"):
        derive_deadline(text, ISSUED, CAL, kind="half_year")


def test_a_clause_that_names_no_kind_applies_when_none_names_the_cycle_s_kind():
    text = "chậm nhất ngày 14/6/2024; riêng báo cáo năm chậm nhất ngày 13/12/2024"
    assert derive_deadline(text, ISSUED, CAL, kind="annual").last_day == date(2024, 12, 13)
    assert derive_deadline(text, ISSUED, CAL, kind="half_year").last_day == date(2024, 6, 14)
    assert derive_deadline("trước ngày 15/6/2024; chậm nhất ngày 14/6/2024", ISSUED, CAL).last_day == date(2024, 6, 14)


def test_dates_that_cannot_be_attributed_are_refused_with_the_clauses_listed():
    with pytest.raises(UserError) as refused:
        derive_deadline(TWO_KINDS, OCT_2026, CAL)
    assert refused.value.message == (
        f"Câu thời hạn '{TWO_KINDS}' có 2 thời hạn khác nhau, không rõ vế nào áp dụng: "
        "(1) 'Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng' (báo cáo 6 tháng): 07/06/2027; "
        "(2) 'Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm' (báo cáo năm): 25/11/2026. "
        "Hãy ghi rõ ngày áp dụng (--deadline \"chậm nhất ngày …\") hoặc cho biết loại kỳ (--kind).")
    with pytest.raises(UserError, match=r"có 2 thời hạn khác nhau, không rõ vế nào áp dụng cho báo cáo năm: "
                                        r"\(1\) 'trước ngày 15/6/2024': 14/06/2024; \(2\) 'hoặc"):
        derive_deadline("trước ngày 15/6/2024, hoặc chậm nhất ngày 20/6/2024", ISSUED, CAL, kind="annual")
    with pytest.raises(UserError, match="không có thời hạn nào cho báo cáo năm"):
        derive_deadline("trước ngày 15/6/2024 đối với báo cáo 6 tháng", ISSUED, CAL, kind="annual")


def test_the_addition_window_is_a_second_date_after_the_main_deadline():
    d = derive_deadline(WITH_ADDITION, ISSUED, CAL, kind="annual")
    assert (d.last_day, d.clause) == (date(2024, 6, 14), "gửi báo cáo trước ngày 15/6/2024")
    assert d.addition.last_day == date(2024, 6, 21)  # 5 working days after Friday 14/06
    assert d.addition.clause == "trường hợp chưa đủ số liệu, gửi bổ sung trong 05 ngày làm việc"
    assert "kể từ hạn nộp 14/06/2024" in d.addition.rule and "tính từ sau hạn nộp" in d.addition.assumptions[0]
    official = derive_deadline("báo cáo nhanh gửi trước ngày 15/6/2024, báo cáo chính thức gửi trước ngày 30/6/2024",
                               ISSUED, CAL)
    assert (official.last_day, official.addition.last_day, official.addition.rolled_forward) == (
        date(2024, 6, 14), date(2024, 7, 1), True)  # 29/06/2024 is a Saturday
    later = derive_deadline("gửi báo cáo trước ngày 15/6/2024; báo cáo chính thức gửi sau", ISSUED, CAL)
    assert (later.addition.last_day, later.addition.clause) == (None, "báo cáo chính thức gửi sau")
    december = derive_deadline("gửi báo cáo trước ngày 15/6/2024; báo cáo chính thức gửi sau tháng 12", ISSUED, CAL,
                               kind="annual")  # "sau tháng 12" is not "sáu tháng"
    assert december.addition.clause == "báo cáo chính thức gửi sau tháng 12"


def test_additions_that_are_not_a_second_date():
    only = derive_deadline("đề nghị gửi bổ sung số liệu trước ngày 20/6/2024", ISSUED, CAL)
    assert (only.last_day, only.addition) == (date(2024, 6, 19), None)  # a letter that asks for additions only
    decree = derive_deadline("theo Nghị định sửa đổi, bổ sung, gửi báo cáo trước ngày 15/6/2024", ISSUED, CAL)
    assert (decree.last_day, decree.addition) == (date(2024, 6, 14), None)
    with pytest.raises(UserError, match=r"hạn gửi bổ sung \(10/06/2024\) sớm hơn hạn nộp \(14/06/2024\)"):
        derive_deadline("trước ngày 15/6/2024; gửi bổ sung chậm nhất ngày 10/6/2024", ISSUED, CAL)


def test_a_count_from_receipt_counts_from_the_receipt_date():
    given = derive_deadline(FROM_RECEIPT, ISSUED, CAL, received_on=date(2024, 5, 21))
    assert (given.last_day, given.received_on, given.assumptions) == (date(2024, 6, 4), date(2024, 5, 21), ())
    assert "kể từ ngày nhận văn bản 21/05/2024" in given.rule and "ngày ký" not in given.rule
    assumed = derive_deadline(FROM_RECEIPT, ISSUED, CAL, delivery_days=1)  # Friday 17/05 + 1 working day
    assert (assumed.last_day, assumed.received_on) == (date(2024, 6, 3), date(2024, 5, 20))
    assert "giả định: đơn vị nhận được văn bản ngày 20/05/2024" in assumed.rule and assumed.assumptions
    assert derive_deadline(FROM_RECEIPT, ISSUED, CAL, received_on=date(2024, 5, 21), delivery_days=1).last_day \
        == date(2024, 6, 4)  # a date given wins over the allowance
    with pytest.raises(UserError, match="tính từ ngày nhận được văn bản: cần ngày đơn vị nhận công văn "
                                        r"\(--received\) hoặc số ngày làm việc chuyển văn bản"):
        derive_deadline(FROM_RECEIPT, ISSUED, CAL)
    with pytest.raises(UserError, match=r"Ngày nhận công văn \(16/05/2024\) sớm hơn ngày ban hành"):
        derive_deadline(FROM_RECEIPT, ISSUED, CAL, received_on=date(2024, 5, 16))


def test_a_count_from_signing_and_a_count_from_a_date():
    signed = derive_deadline("trong 10 ngày làm việc kể từ ngày ký", ISSUED, CAL)
    assert (signed.last_day, signed.assumptions) == (date(2024, 5, 31), ())
    assert "không tính ngày ký" in signed.rule
    unanchored = derive_deadline("trong 10 ngày làm việc", ISSUED, CAL)
    assert unanchored.last_day == date(2024, 5, 31) and "không ghi mốc tính nên tính từ ngày ký" in unanchored.rule
    dated = derive_deadline("trong 05 ngày làm việc kể từ ngày 03/6/2024", ISSUED, CAL)
    assert dated.last_day == date(2024, 6, 10)


@pytest.mark.parametrize("text, message", [
    ("chậm nhất ngày 31/5/99999", "có ngày '31/5/99999' với năm 99999 ngoài khoảng 2000–2100"),
    ("trước ngày 15/6/20245", "có ngày '15/6/20245' với năm 20245 ngoài khoảng 2000–2100"),
    ("chậm nhất ngày 31 tháng 5 năm 1999", "năm 1999 ngoài khoảng"),
    ("chậm nhất ngày 31/5/2101", "năm 2101 ngoài khoảng"),
    ("chậm nhất ngày 31/5/24", "năm 24 ngoài khoảng"),
    ("trước ngày 15/13/2024", "có ngày không tồn tại '15/13/2024'"),
    ("chậm nhất ngày 100/5/2024", "có ngày không tồn tại '100/5/2024'"),
    ("trước ngày 15/6/2024; bổ sung trước ngày 30/2/2024", "có ngày không tồn tại '30/2/2024'"),
])
def test_years_and_dates_that_cannot_be_are_refused(text, message):
    with pytest.raises(UserError, match=message):
        derive_deadline(text, ISSUED, CAL)


def test_every_rule_carries_its_legal_basis():
    dated = derive_deadline("trước ngày 16/6/2024", ISSUED, CAL)  # 15/06 is a Saturday
    assert [b.split(" (")[0] for b in dated.basis] == [
        "Nghị định 09/2019/NĐ-CP, Điều 13", "Bộ luật Dân sự 2015, Điều 148", "Bộ luật Dân sự 2015, Điều 148 khoản 5"]
    counted = derive_deadline("trong 10 ngày làm việc kể từ ngày ký", ISSUED, CAL)
    assert [b.split(" (")[0] for b in counted.basis] == ["Bộ luật Dân sự 2015, Điều 147", "Bộ luật Dân sự 2015, Điều 148"]
    data = derive_deadline(WITH_ADDITION, ISSUED, CAL).as_dict()
    assert (data["clause"], data["addition"]["last_day"]) == ("gửi báo cáo trước ngày 15/6/2024", "2024-06-21")
    assert [(c["role"], c["dated"]) for c in data["clauses"]] == [("main", True), ("addition", True)]
