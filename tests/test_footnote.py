"""The footnote's counts always equal the names it lists, and add up to the expected set."""

import re
from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from models.footnote import build_footnote, join_names
from models.text import vietnamese_sort_key
from models.vnformat import count
from tests.test_roster import GROUPS, ROSTER

DAY = date(2023, 12, 14)
UNITS = ROSTER.on(DAY)  # 30 central units and 63 provinces, in official order
STATUSES = ["on_time", "late", "missing", "not_due", "draft_only", "exempted"]
LABELS = {"central": "bộ, ngành", "provincial": "địa phương"}
NAMES = {u.short_name(DAY) for u in UNITS}


def frame(statuses: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": [u.id for u in UNITS], "group": [u.group for u in UNITS], "status": statuses,
        "footnote_name": [u.short_name(DAY) for u in UNITS],
        "exempt_reason": ["theo đề nghị" if s == "exempted" else None for s in statuses]})


def listed(lines: list[str], label: str, verb: str) -> tuple[int, list[str]]:
    """(announced count, names) of the line "- NN <label> <verb>: names."; (0, []) if absent."""
    for line in lines[1:]:
        m = re.fullmatch(rf"- (\d+) {re.escape(label)} {verb}: (.*)\.", line)
        if m:
            text = m.group(2)
            if "; " not in text and text.removesuffix(" (mới gửi dự thảo)").removesuffix(" (theo đề nghị)") in NAMES:
                return int(m.group(1)), [text]  # one name, which may hold a comma itself
            return int(m.group(1)), text.split("; " if "; " in text else ", ")
    return 0, []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(STATUSES), min_size=len(UNITS), max_size=len(UNITS)))
def test_counts_match_names_and_add_up_to_the_expected_set(statuses):
    units = frame(statuses)
    lines = build_footnote(units, GROUPS).lines
    head = re.fullmatch(r"(\d+) bộ, ngành và (\d+)/(\d+) địa phương", lines[0])
    assert head, lines[0]
    reported = {"central": int(head.group(1)), "provincial": int(head.group(2))}
    assert len(head.group(1)) >= 2 and len(head.group(2)) >= 2  # "09", never "9"
    for group, label in LABELS.items():
        part = units[units.group == group]
        expected = part[part.status != "exempted"]
        n_missing, missing = listed(lines, label, "chưa có báo cáo gồm")
        n_exempt, exempt = listed(lines, label, "được miễn báo cáo")
        assert n_missing == len(missing) and n_exempt == len(exempt)
        assert reported[group] + n_missing == len(expected)
        assert reported[group] == expected.status.isin(["on_time", "late"]).sum()
        assert n_exempt == (part.status == "exempted").sum()
        plain = [n.removesuffix(" (mới gửi dự thảo)") for n in missing]
        official = part[part.status.isin(["missing", "not_due", "draft_only"])].footnote_name.tolist()
        # bộ, ngành in official order; địa phương alphabetically, as seed 000 lists them
        assert plain == (sorted(official, key=vietnamese_sort_key) if GROUPS[group].alphabetical else official)
    assert int(head.group(3)) == (units[units.group == "provincial"].status != "exempted").sum()


def test_names_holding_a_comma_are_separated_by_semicolons():
    assert join_names(["Bộ Y tế", "Bộ Văn hóa, Thể thao và Du lịch"]) == "Bộ Y tế; Bộ Văn hóa, Thể thao và Du lịch"
    assert join_names(["An Giang", "Gia Lai"]) == "An Giang, Gia Lai"
    assert count(9) == "09" and count(53) == "53" and count(0) == "00"


def test_everybody_reported():
    assert build_footnote(frame(["on_time"] * len(UNITS)), GROUPS).lines == ["30 bộ, ngành và 63/63 địa phương"]


def test_names_sort_in_the_vietnamese_alphabet():
    """ă, â, đ, ê, ô, ơ, ư are letters of their own after their base; a space sorts first; tone
    marks only break ties — not the code-point order, which puts "Đ" after "Y"."""
    names = ["Yên Bái", "Đắk Lắk", "Điện Biên", "Đà Nẵng", "Cà Mau", "Hải Dương", "Hà Giang", "Hậu Giang",
             "Hưng Yên", "Huế", "Bắc Ninh", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Đồng Tháp", "Đồng Nai", "Ơ", "Ô"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Ninh", "Cà Mau", "Đà Nẵng", "Đắk Lắk", "Điện Biên", "Đồng Nai",
        "Đồng Tháp", "Hà Giang", "Hải Dương", "Hậu Giang", "Huế", "Hưng Yên", "Ô", "Ơ", "Yên Bái"]
