"""The shortcuts of the formatters (numbers formatted once each, plain texts left as they are)
write exactly what the full path writes."""

import random

from models import limits, vnformat


def test_a_number_formatted_again_reads_the_same_and_zero_keeps_its_sign_where_it_showed():
    assert [vnformat.rate(-0.0), vnformat.rate(0.0), vnformat.rate(-0.0)] == ["-0,0%", "0,0%", "-0,0%"]
    assert [vnformat.number(-0.0), vnformat.number(0.0)] == ["0", "0"]
    assert [vnformat.number(22153), vnformat.number(22153.0), vnformat.number(0.005), vnformat.number(0.005)] == [
        "22.153", "22.153", "0,01", "0,01"]
    assert vnformat.number(71.3066) == "71,31" and vnformat.number(71.3066, 0) == "71"


def _full_path(value: str) -> str:
    text = " ".join(limits.without_controls(value).split())
    text = limits._MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[:1] in ("-", "=", "+", "#") else text


def test_markdown_text_of_a_plain_text_is_the_full_paths():
    alphabet = [*"ab Đắk  \t\n\r-=+#*_[]<>|~`\\()\x07\x85\u00a0\u200b\u2028\ufeff\x1c", "ệ", "1", ".", ","]
    rng = random.Random(1)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert limits.markdown_text(text) == _full_path(text), repr(text)
    assert limits.markdown_text("Ủy ban nhân dân xã Hòa Bình") == "Ủy ban nhân dân xã Hòa Bình"
