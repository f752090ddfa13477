"""Property-based tests of the parsers that read what people type: figures, dates and deadline
sentences. Whatever they are given, they answer with a value or with the project's own error
(a Vietnamese message), never with another exception; and what is written the expected way,
however it is spelled, reads back right."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from models.deadlines import derive_deadline, parse_date
from models.errors import UserError
from models.numbers import MAX_VALUE, NumberError, parse_figure
from models.text import strip_accents
from tests.test_workdays import CAL

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- figures ----------------------------------------------------------------------------------------
FIGURE_TEXT = st.lists(st.sampled_from([*list("0123456789.,/% -−\xa0\u202f\t"), "hơn ", "trên ", "gần ", "khoảng ", "ước tính ", "Không có", "không", "x", "e", "∞", "٣", "²", "́"]),
    max_size=30).map("".join)
ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.text(), FIGURE_TEXT,
    st.text(alphabet="0123456789.,", min_size=20, max_size=400),  # long runs of digits
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@FAST
@given(ANYTHING, st.booleans())
def test_any_cell_gives_a_figure_or_a_number_error(cell, allow_ratio):
    try:
        figure = parse_figure(cell, allow_ratio=allow_ratio)
    except NumberError as exc:
        assert str(exc)
        return
    assert figure.status in ("reported", "zero", "not_reported")
    if figure.status == "not_reported":
        assert figure.value is None
    else:
        assert 0 <= figure.value <= MAX_VALUE and (figure.value == 0) == (figure.status == "zero")
    if figure.of is not None:
        assert allow_ratio and 0 < figure.of <= MAX_VALUE


@FAST
@given(st.integers(min_value=0, max_value=MAX_VALUE), st.sampled_from(["", "hơn ", "Khoảng ", "gần  "]),
       st.sampled_from(["", "%", " "]), st.sampled_from([".", " ", "\u00a0"]))
def test_numbers_written_the_vietnamese_way_read_back(n, qualifier, suffix, group):
    """Grouped by dots (or by spaces, as some units type them), with a qualifier or a percent sign."""
    text = qualifier + format_decimal(n, locale="vi").replace(".", group) + suffix
    figure = parse_figure(text)
    assert (figure.value, figure.approximate, figure.raw) == (n, bool(qualifier), " ".join(text.split()))
    assert figure.status == ("zero" if n == 0 else "reported")


@FAST
@given(st.decimals(min_value=0, max_value=10**12, places=3), st.integers(min_value=1, max_value=10**6))
def test_scores_and_ranks_read_back_as_a_pair(value, of):
    text = f"{format_decimal(value, format='#,##0.###', locale='vi')}/{format_decimal(of, locale='vi')}"
    figure = parse_figure(text, allow_ratio=True)
    assert figure.value == pytest.approx(float(value)) and figure.of == of


@FAST
@given(st.one_of(st.integers(min_value=MAX_VALUE + 1), st.floats(min_value=MAX_VALUE * 1.01, allow_infinity=False),
                 st.integers(min_value=MAX_VALUE + 1, max_value=10**24).map(lambda n: format_decimal(n, locale="vi"))))
def test_figures_beyond_any_report_are_refused_not_rounded(value):
    with pytest.raises(NumberError, match="quá lớn"):
        parse_figure(value)


def test_odd_numbers_are_number_errors():
    for cell in (10**400, -(10**400), Decimal("sNaN"), Decimal("1e400"), "1" * 400, "1." + "000." * 30 + "000"):
        with pytest.raises(NumberError):
            parse_figure(cell)


# --- dates ------------------------------------------------------------------------------------------
def spellings(d: date) -> st.SearchStrategy[str]:
    """The ways a Vietnamese document writes ``d``."""
    return st.sampled_from([
        f"{d.day}/{d.month}/{d.year}", f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day}-{d.month}-{d.year}",
        f"{d.day:02d}.{d.month:02d}.{d.year}", f"ngày {d.day} tháng {d.month} năm {d.year}",
        f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}", d.isoformat(), f"{d.day} / {d.month} / {d.year}",
    ])


@st.composite
def spelled_date(draw, start=date(1990, 1, 1), end=date(2100, 12, 31)):
    d = draw(st.dates(min_value=start, max_value=end))
    text = draw(spellings(d))
    text = draw(st.sampled_from([text, text.upper(), strip_accents(text), f"  {text} "]))
    return d, text


@FAST
@given(st.one_of(st.text(), st.text(alphabet="0123456789/-. ngàytháng", max_size=30)))
def test_any_text_is_a_date_or_a_clear_error(text):
    try:
        parse_date(text, field="Ngày văn bản")
    except UserError as exc:
        assert exc.message.startswith("Ngày văn bản không hợp lệ")


@FAST
@given(spelled_date())
def test_every_spelling_of_a_date_reads_back(case):
    d, text = case
    assert parse_date(text) == d


# --- deadline sentences -----------------------------------------------------------------------------
WORDS = ["chậm nhất", "trước", "ngày", "vào", "trong", "vòng", "ngày làm việc", "kể từ ngày ký", "giờ", "17",
         "tháng", "năm", "hạn chót", "/", "-", ".", " ", "0", "1", "01", "31", "12", "2024", "9999", "0001", "99",
         "đến hết"]
SOUP = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
ISSUED = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))  # letters are dated today


@FAST
@given(st.one_of(st.text(max_size=60), SOUP, st.text(min_size=501, max_size=600)), ISSUED, st.booleans())
@example("trước ngày 1/1/0001", date(2024, 5, 17), False)  # the day before year 1
@example("trong 999 ngày kể từ ngày ký", date(9999, 12, 1), True)  # after year 9999
def test_any_deadline_sentence_gives_a_last_day_or_a_clear_error(wording, issued, roll):
    try:
        d = derive_deadline(wording, issued, CAL, roll_forward=roll)
    except UserError as exc:
        assert exc.message
        return
    assert d.last_day >= issued and d.rule
    if roll:
        assert CAL.is_working_day(d.last_day)


@st.composite
def deadline_sentence(draw):
    """(issued on, sentence, the last allowed day before any roll-forward)."""
    issued = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    target = issued + timedelta(days=draw(st.integers(min_value=1, max_value=120)))
    spelled = draw(spellings(target)).removeprefix("ngày ")  # the sentence says "ngày" itself
    n = draw(st.integers(min_value=1, max_value=60))
    hour = draw(st.integers(min_value=7, max_value=17))
    sentence, expected = draw(st.sampled_from([
        (f"chậm nhất ngày {spelled}", target),
        (f"chậm nhất vào ngày {spelled}", target),
        (f"hạn chót ngày {spelled}", target),
        (f"chậm nhất {hour} giờ ngày {spelled}", target),
        (f"trước ngày {spelled}", target - timedelta(days=1)),
        (f"trước {hour} giờ ngày {spelled}", target),
        (f"trong {n} ngày làm việc kể từ ngày ký", CAL.add_working_days(issued, n)),
        (f"trong vòng {n} ngày kể từ ngày ký", issued + timedelta(days=n)),
    ]))
    around = draw(st.sampled_from(["{}", "Đề nghị các cơ quan gửi báo cáo về Bộ Nội vụ {} để tổng hợp.",
                                   "Báo cáo gửi {}, đồng thời gửi bản điện tử."]))
    text = around.format(sentence)
    text = draw(st.sampled_from([text, text.upper(), strip_accents(text), text.replace(" ", "  ")]))
    return issued, text, expected


@FAST
@given(deadline_sentence(), st.booleans())
def test_every_way_of_wording_a_deadline_gives_the_right_day(case, roll):
    issued, text, expected = case
    d = derive_deadline(text, issued, CAL, roll_forward=roll)
    assert d.last_day == (CAL.roll_forward(expected) if roll else expected)
    assert d.rolled_forward == (roll and not CAL.is_working_day(expected))


# --- deadline sentences of the guidance: clauses by kind, additions, receipt, impossible dates -----
@st.composite
def impossible_date(draw):
    """A date no deadline can mean: a year outside 2000–2100 or not of four digits, a day or a
    month that does not exist, a day the month does not have."""
    d, m, y = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(2000, 2100))
    what = draw(st.sampled_from(["year", "day", "month", "day of month"]))
    if what == "year":
        y = draw(st.one_of(st.integers(0, 1999), st.integers(2101, 10**6)))
    elif what == "day":
        d = draw(st.integers(32, 999))
    elif what == "month":
        m = draw(st.integers(13, 999))
    else:
        d, m = draw(st.sampled_from([(30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11)]))
    style = draw(st.sampled_from(["{d}/{m}/{y}", "{d:02d}/{m:02d}/{y}", "{d:02d}.{m:02d}.{y}", "{d}-{m}-{y}",
                                  "{d} tháng {m} năm {y}", "{d} / {m} / {y}", "{y}-{m:02d}-{d:02d}"]))
    return style.format(d=d, m=m, y=y)


@FAST
@given(impossible_date(), st.sampled_from([
    "chậm nhất ngày {}", "trước ngày {}", "hạn chót ngày {}", "trước 17 giờ ngày {}", "chậm nhất vào ngày {}",
    "trong 05 ngày làm việc kể từ ngày {}", "trước ngày 15/6/2024 đối với báo cáo 6 tháng; chậm nhất ngày {} đối với "
    "báo cáo năm", "gửi báo cáo trước ngày 15/6/2024; gửi bổ sung chậm nhất ngày {}",
]), st.sampled_from([None, "half_year", "annual", "adhoc"]), st.booleans())
@example("31/5/99999", "chậm nhất ngày {}", None, True)
@example("15/6/20245", "trước ngày {}", None, True)
def test_a_sentence_with_an_impossible_date_is_refused_whichever_clause_holds_it(bad, form, kind, roll):
    text = form.format(bad)
    with pytest.raises(UserError) as refused:
        derive_deadline(text, date(2024, 5, 17), CAL, roll_forward=roll, kind=kind)
    assert "không tồn tại" in refused.value.message or "ngoài khoảng 2000–2100" in refused.value.message


@FAST
@given(st.one_of(impossible_date(), st.text(max_size=20)))
def test_an_impossible_date_alone_is_refused(bad):
    with pytest.raises(UserError):
        derive_deadline(bad, date(2024, 5, 17), CAL)


def _dated_clause(draw, issued: date, kind_name: str) -> tuple[str, date]:
    target = issued + timedelta(days=draw(st.integers(min_value=1, max_value=300)))
    spelled = draw(spellings(target)).removeprefix("ngày ")
    return draw(st.sampled_from([
        (f"chậm nhất ngày {spelled} đối với báo cáo {kind_name}", target),
        (f"trước ngày {spelled} (báo cáo {kind_name})", target - timedelta(days=1)),
        (f"đối với báo cáo {kind_name}, chậm nhất ngày {spelled}", target),
        (f"báo cáo {kind_name} gửi trước ngày {spelled}", target - timedelta(days=1)),
    ]))


@st.composite
def two_kind_sentence(draw):
    """(issued on, sentence, last day for half-year reports, last day for annual reports)."""
    issued = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    half, half_day = _dated_clause(draw, issued, draw(st.sampled_from(
        ["6 tháng", "sáu tháng", "06 tháng đầu năm", "định kỳ 06 tháng", "bán niên"])))
    annual, annual_day = _dated_clause(draw, issued, draw(st.sampled_from(
        ["năm", "hằng năm", "cả năm", "định kỳ hằng năm", "hàng năm"])))
    first, second = draw(st.sampled_from([(half, annual), (annual, half)]))
    text = first + draw(st.sampled_from(["; ", " và ", ", ", ". ", "; còn "])) + second
    text = draw(st.sampled_from([text, text.upper(), strip_accents(text)]))
    return issued, text, half_day, annual_day


@FAST
@given(two_kind_sentence(), st.booleans())
def test_each_kind_gets_its_own_clause_and_without_a_kind_the_sentence_is_refused(case, roll):
    issued, text, half_day, annual_day = case
    for kind, expected in (("half_year", half_day), ("annual", annual_day)):
        d = derive_deadline(text, issued, CAL, roll_forward=roll, kind=kind)
        assert d.last_day == (CAL.roll_forward(expected) if roll else expected)
        assert d.kinds == (kind,)
    if half_day != annual_day:
        with pytest.raises(UserError, match="không rõ vế nào áp dụng"):
            derive_deadline(text, issued, CAL, roll_forward=roll)


@FAST
@given(deadline_sentence(), st.integers(min_value=1, max_value=30), st.booleans())
def test_an_addition_window_counts_after_the_main_deadline_and_leaves_it_alone(case, n, roll):
    issued, text, expected = case
    d = derive_deadline(f"{text}; trường hợp chưa đủ số liệu, gửi bổ sung trong {n:02d} ngày làm việc", issued, CAL,
                        roll_forward=roll)
    assert d.last_day == (CAL.roll_forward(expected) if roll else expected)
    assert d.addition.last_day == CAL.add_working_days(d.last_day, n) > d.last_day


@FAST
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 20),
       st.integers(1, 60), st.booleans())
def test_a_count_from_receipt_starts_the_day_after_receipt(issued, delay, n, given_date):
    received = CAL.add_working_days(issued, delay)
    d = derive_deadline(f"trong {n} ngày làm việc kể từ ngày nhận được văn bản", issued, CAL,
                        received_on=received if given_date else None, delivery_days=None if given_date else delay)
    assert (d.last_day, d.received_on) == (CAL.add_working_days(received, n), received)
    assert bool(d.assumptions) != given_date


GUIDANCE_WORDS = [*WORDS, "6 tháng", "năm", "hằng năm", "quý", "đột xuất", "đối với báo cáo", "bổ sung", ";", "và",
                  ",", "(", ")", "kể từ ngày nhận được văn bản", "99999", "2101", "1999", "báo cáo chính thức gửi sau"]
GUIDANCE_SOUP = st.lists(st.sampled_from(GUIDANCE_WORDS), max_size=16).map(" ".join)


@FAST
@given(GUIDANCE_SOUP, ISSUED, st.sampled_from([None, "half_year", "annual", "adhoc"]),
       st.one_of(st.none(), st.integers(0, 10)), st.one_of(st.none(), st.integers(0, 10)), st.booleans())
def test_any_guidance_sentence_gives_dates_in_order_or_a_clear_error(wording, issued, kind, received_after,
                                                                    delivery_days, roll):
    received = issued + timedelta(days=received_after) if received_after is not None else None
    try:
        d = derive_deadline(wording, issued, CAL, roll_forward=roll, kind=kind, received_on=received,
                            delivery_days=delivery_days)
    except UserError as exc:
        assert exc.message
        return
    assert d.last_day >= issued and d.rule and d.basis and d.clause
    assert d.last_day.year <= 2100
    if d.addition is not None and d.addition.last_day is not None:
        assert d.addition.last_day >= d.last_day
    if roll:
        assert CAL.is_working_day(d.last_day)
