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
