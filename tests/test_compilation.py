"""The national compilation of seed 000's cycle, built from real cases: the 9 + 53 units that
reported, An Giang's indices (seed 003), Quảng Trị's citizen-reception figures (seed 004) and
Văn phòng Chính phủ's petitions (seed 001). Every expected number is computed by hand below."""

from datetime import date

import pytest

from models.footnote import build_footnote
from tests.compilation_cases import (
    EXEMPLARY,
    FOOTNOTE_V1,
    FOOTNOTE_V2,
    V1_DAY,
    V2_DAY,
    compile_models,
    late_reports,
    total,
    v,
)
from tests.helpers import open_2023_danvan, submit


def test_totals_and_coverage_are_counted_from_the_reports(app, cycle_2023):
    comp, _ = compile_models(app, cycle_2023, V1_DAY)
    visits = {g: total(comp, "reception_visits", g) for g in ("central", "provincial", "overall")}
    # VPCP 103 + BNV 120 + BTC "Không có" = 223 from 3 of 9; Cao Bằng 250 + Cà Mau 330 = 580 from 2 of 53.
    assert [(t["value"], t["reported"], t["zero"], t["actual"], t["expected"]) for t in visits.values()] == [
        (223, 3, 1, 9, 30), (580, 2, 0, 53, 63), (803, 5, 1, 62, 93)]
    # Not reported is not zero: a figure nobody gave has no value and a coverage of 0.
    nobody = total(comp, "dialogues_held", "overall")
    assert nobody["reported"] == 0 and nobody["value"] != nobody["value"]  # NaN
    resolved = total(comp, "complaint_cases_resolved", "central")
    assert (resolved["value"], resolved["reported"]) == (40 + 9 + 7, 3)
    persons = total(comp, "reception_persons", "provincial")
    assert (persons["value"], persons["approximate"]) == (1000, True)  # "hơn 1.000"


def test_rates_are_recomputed_from_summed_parts_never_averaged(app, cycle_2023):
    comp, _ = compile_models(app, cycle_2023, V1_DAY)
    central = total(comp, "complaint_resolution_rate", "central")
    # BNV 40/50 and BTC 9/10 -> 49/60, not the mean of 80% and 90%; BLĐTBXH's 7 lacks a denominator.
    assert (central["numerator"], central["denominator"], central["reported"]) == (49, 60, 2)
    assert central["value"] == pytest.approx(100 * 49 / 60)
    overall = total(comp, "complaint_resolution_rate", "overall")
    assert (overall["value"], overall["reported"], overall["actual"]) == (79.0, 3, 62)  # (40+9+30)/(50+10+40)


def test_scores_and_ranks_are_ranked_never_summed(app, cycle_2023):
    late_reports(app, cycle_2023)
    comp, _ = compile_models(app, cycle_2023, V2_DAY)
    assert "par_index_score" not in set(comp.totals["indicator"]) and "staff_count" not in set(comp.totals["indicator"])
    ranks = comp.rankings.set_index(["indicator", "name"])
    assert comp.rankings[comp.rankings.indicator == "par_index_score"]["name"].tolist() == [
        "Tỉnh Cà Mau", "Tỉnh Cao Bằng", "Tỉnh An Giang"]
    assert ranks.loc[("par_index_score", "Tỉnh An Giang"), ["value", "raw", "rank"]].tolist() == [81.32, "81,32", 3]
    # A rank is better when lower: 30/63 before 50/63 before 63/63.
    assert comp.rankings[comp.rankings.indicator == "par_index_rank"]["raw"].tolist() == ["30/63", "50/63", "63/63"]
    assert ranks.loc[("sipas_score", "Tỉnh An Giang"), "raw"] == "7,97/10"


def test_the_footnote_counts_and_names_who_did_not_report(app, cycle_2023):
    comp, _ = compile_models(app, cycle_2023, V1_DAY)
    assert build_footnote(comp.units, app.roster.groups).text == FOOTNOTE_V1
    late_reports(app, cycle_2023)
    comp, _ = compile_models(app, cycle_2023, V2_DAY)
    assert build_footnote(comp.units, app.roster.groups).text == FOOTNOTE_V2


def test_findings_name_the_unit_the_figure_and_the_version(app, cycle_2023):
    late_reports(app, cycle_2023)
    _, findings = compile_models(app, cycle_2023, V2_DAY, EXEMPLARY)
    by_kind = {}
    for f in findings:
        by_kind.setdefault(f.kind, []).append(f)
    (rate,) = by_kind["rate_mismatch"]
    assert (rate.unit_name, rate.indicator, rate.version) == ("Bộ Tài chính", "complaint_resolution_rate", 1)
    assert "ghi 95%" in rate.message and "(9/10) là 90%" in rate.message
    (partial,) = by_kind["partial_period"]
    assert (partial.unit_name, partial.version) == ("Tỉnh Quảng Trị", 1) and "31/10/2023" in partial.message
    # Seed 000 praises units that never reported; footnote 16 names Hà Nội twice.
    not_reported = {(f.section, f.unit_name) for f in by_kind["exemplary_not_reported"]}
    assert not_reported == {("II.1", "Đài Truyền hình Việt Nam"), ("II.1", "Tỉnh Gia Lai"), ("II.1", "Tỉnh Lào Cai"),
                            ("II.1", "Tỉnh Trà Vinh"), ("III.4", "Thành phố Hà Nội"), ("III.4", "Tỉnh Yên Bái"),
                            ("III.4", "Tỉnh Trà Vinh")}
    (twice,) = by_kind["exemplary_duplicate"]
    assert (twice.section, twice.unit_name) == ("III.4", "Thành phố Hà Nội") and "2 lần" in twice.message
    assert set(by_kind) == {"rate_mismatch", "partial_period", "exemplary_not_reported", "exemplary_duplicate"}


def test_drafts_are_not_submissions_and_are_flagged(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "byt", date(2024, 5, 20), number="/BC-BYT", values={"reception_visits": v(500)})
    submit(app, cycle.id, "btp", date(2024, 5, 20), number="3/BC-BTP", values={"reception_visits": v(40)})
    submit(app, cycle.id, "btp", date(2024, 5, 28), number="/BC-BTP", values={"reception_visits": v(45)})
    comp, findings = compile_models(app, cycle, V1_DAY)
    visits = total(comp, "reception_visits", "central")
    assert (visits["value"], visits["reported"], visits["actual"]) == (40, 1, 1)  # BTP's signed v1 only
    kinds = {(f.kind, f.unit_name, f.version) for f in findings}
    assert ("draft_only", "Bộ Y tế", 1) in kinds and ("draft_after_report", "Bộ Tư pháp", 2) in kinds
    footnote = build_footnote(comp.units, app.roster.groups).text
    assert footnote.startswith("01 bộ, ngành và 00/63 địa phương\n- 29 bộ, ngành chưa có báo cáo gồm: ")
    assert "Bộ Y tế (mới gửi dự thảo)" in footnote


def test_sections_collect_every_units_words_per_section(app, cycle_2023):
    late_reports(app, cycle_2023)
    comp, _ = compile_models(app, cycle_2023, V2_DAY)
    ii1 = comp.sections[comp.sections.section_id == "II.1"]
    assert ii1["name"].tolist() == ["Bộ Nội vụ", "Bộ Tài chính", "Tỉnh Cao Bằng"]  # official order
    vi = comp.sections[comp.sections.section_id == "VI"].set_index("name")["status"].to_dict()
    assert vi == {"Văn phòng Chính phủ": "empty", "Tỉnh An Giang": "empty"}
