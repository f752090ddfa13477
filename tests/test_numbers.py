from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from models.numbers import Figure, NumberError, parse_figure


@pytest.mark.parametrize("text, value", [
    ("22.153", 22153), ("81,32", 81.32), ("03", 3), ("1.234.567", 1234567), ("3.536,67", 3536.67),
    ("22 153", 22153), (" 7 ", 7), (12, 12), (3.5, 3.5), (Decimal("2.5"), 2.5), ("95,5%", 95.5),
])
def test_vietnamese_numbers(text, value):
    figure = parse_figure(text)
    assert (figure.status, figure.value, figure.approximate) == ("reported", value, False)


@pytest.mark.parametrize("text", ["Không có", "không", "KHÔNG CÓ", "khong co", "0", "00", "0,0", 0, 0.0])
def test_explicit_zero_is_not_blank(text):
    assert parse_figure(text).status == "zero" and parse_figure(text).value == 0


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0"])
def test_blank_is_not_reported(text):
    assert parse_figure(text) == Figure("not_reported")


@pytest.mark.parametrize("text, value", [
    ("hơn 200", 200), ("trên 22.153", 22153), ("gần 100", 100), ("khoảng 1.234,5", 1234.5), ("Khoảng gần 50", 50),
    ("ước tính 12", 12),
])
def test_qualifiers_make_a_value_approximate(text, value):
    figure = parse_figure(text)
    assert (figure.value, figure.approximate, figure.raw) == (value, True, text)


@pytest.mark.parametrize("text, value, of", [("9.904/13.889", 9904, 13889), ("7,97/10", 7.97, 10), ("63/63", 63, 63)])
def test_pairs_scores_and_ranks_only_for_list_indicators(text, value, of):
    figure = parse_figure(text, allow_ratio=True)
    assert (figure.value, figure.of, figure.raw) == (value, of, text)
    with pytest.raises(NumberError, match="chỉ tiêu này cần một số"):
        parse_figure(text)


@pytest.mark.parametrize("text, message", [
    ("-5", "số âm"), (-1, "số âm"), ("−3", "số âm"), ("abc", "không phải là số"), ("12 lượt", "không phải là số"),
    ("22.15", "không đúng cách viết số"), ("1.5", "không đúng cách viết số"), (True, "không phải là số"),
    (float("nan"), "không phải là số"), ("5/0", "chỉ tiêu này cần một số"), ([1], "không phải là số"),
])
def test_bad_figures_are_clear_errors(text, message):
    with pytest.raises(NumberError, match=message):
        parse_figure(text)


def test_a_zero_denominator_is_an_error():
    with pytest.raises(NumberError, match="mẫu số bằng 0"):
        parse_figure("5/0", allow_ratio=True)


@given(st.integers(min_value=1, max_value=10**12))
def test_any_integer_written_the_vietnamese_way_reads_back(n):
    text = format_decimal(n, locale="vi")  # 22153 -> "22.153"
    assert parse_figure(text).value == n
    assert parse_figure("0" + str(n)).value == n  # leading zeros: "03"


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_decimal_written_the_vietnamese_way_reads_back(d):
    figure = parse_figure(format_decimal(d, format="#,##0.00", locale="vi"))
    assert figure.value == pytest.approx(float(d))
    assert figure.status == ("zero" if d == 0 else "reported")


@given(st.sampled_from(["hơn", "trên", "gần", "khoảng", "Hơn", "TRÊN"]), st.integers(min_value=1, max_value=10**9))
def test_a_qualifier_keeps_the_value_and_marks_it_approximate(word, n):
    plain, qualified = parse_figure(format_decimal(n, locale="vi")), parse_figure(f"{word} {format_decimal(n, locale='vi')}")
    assert (qualified.value, qualified.approximate, plain.approximate) == (plain.value, True, False)


@given(st.integers(min_value=1, max_value=10**9))
def test_negative_numbers_are_always_rejected(n):
    for value in (-n, f"-{format_decimal(n, locale='vi')}"):
        with pytest.raises(NumberError):
            parse_figure(value)


@given(st.text(max_size=30))
def test_any_text_gives_a_figure_or_a_number_error(text):
    try:
        figure = parse_figure(text, allow_ratio=True)
    except NumberError as exc:
        assert str(exc)
    else:
        assert figure.status in ("reported", "zero", "not_reported")
        assert figure.value is None or figure.value >= 0


@given(st.one_of(st.text(alphabet="0123456789.,", min_size=1, max_size=12),
                 st.integers(0, 10**12).map(lambda n: format_decimal(n, locale="vi")),
                 st.decimals(0, 10**9, places=3).map(lambda d: format_decimal(d, locale="vi"))))
def test_the_fast_reading_of_plain_numbers_agrees_with_babel(text):
    """Well-grouped numbers are read without babel; whatever the text, the result is babel's."""
    from babel.numbers import NumberFormatError, parse_decimal

    try:
        expected = float(parse_decimal(text, locale="vi", strict=True))
    except NumberFormatError:
        expected = None
    try:
        got = parse_figure(text).value
    except NumberError:
        got = None
    assert got == expected
