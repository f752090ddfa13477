"""The national compilation of seed 000's cycle, built from real cases: the 9 + 53 units that
reported, An Giang's indices (seed 003), Quảng Trị's citizen-reception figures (seed 004) and
Văn phòng Chính phủ's petitions (seed 001). Every expected number is computed by hand below."""

from datetime import date

import pytest

from models.checks import run_checks
from models.compilation import build_compilation
from models.footnote import build_footnote
from models.reports import SectionEntry, ValueEntry
from tests.helpers import open_2023_danvan, submit, submit_seed_000

V1_DAY, V2_DAY = date(2024, 6, 10), date(2024, 6, 14)


def v(value, raw=None, approximate=False):
    return ValueEntry("reported", float(value), approximate, raw)


ZERO = ValueEntry("zero", 0.0, raw="Không có")
VPCP_III6 = ("Năm 2023, Vụ I đã tiếp nhận, phân loại xử lý 22.153 đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh; "
             "đã chuyển các Bộ, ngành, địa phương 4.244 đơn đủ điều kiện.\nVPCP đã tiếp 103 lượt công dân.")
REPORTS = {
    # Văn phòng Chính phủ, seed 001: 22.153 petitions, 4.244 forwarded, 103 visits, "gần 2000" staff.
    "c2021-vpcp": dict(values={
        "reception_visits": v(103), "petitions_received": v(22153, "22.153"), "petitions_forwarded": v(4244, "4.244"),
        "staff_count": v(2000, "gần 2000", approximate=True)},
        sections={"III.6": SectionEntry("reported", VPCP_III6), "VI": SectionEntry("empty")}),
    "c2021-bnv": dict(values={
        "reception_visits": v(120), "reception_visits_periodic": v(20), "reception_visits_regular": v(100),
        "reception_visits_adhoc": ZERO, "complaint_cases_in_jurisdiction": v(50), "complaint_cases_resolved": v(40)},
        sections={"II.1": SectionEntry("reported", "Bộ Nội vụ ban hành Công văn số 1432/BNV-CTTN.")}),
    # Bộ Tài chính: "Không có" visits; states a 95% resolution rate for 9 of 10 cases.
    "c2021-btc": dict(values={
        "reception_visits": ZERO, "complaint_cases_in_jurisdiction": v(10), "complaint_cases_resolved": v(9),
        "complaint_resolution_rate": v(95)},
        sections={"II.1": SectionEntry("reported", "Bộ Tài chính ban hành Chỉ thị số 01/CT-BTC ngày 01/3/2023.")}),
    # Resolved cases without the cases in jurisdiction: summed, but left out of the rate.
    "c2021-bldtbxh": dict(values={"complaint_cases_resolved": v(7)}),
    "p2004-04": dict(values={"reception_visits": v(250), "par_index_score": v(83, "83"),
                             "par_index_rank": v(50, "50/63")},
                     sections={"II.1": SectionEntry("reported", "Tỉnh Cao Bằng xây dựng mô hình dân vận khéo.")}),
    "p2004-38": dict(values={"reception_persons": v(1000, "hơn 1.000", approximate=True)}),
    "p2004-96": dict(values={"reception_visits": v(330), "complaint_cases_in_jurisdiction": v(40),
                             "complaint_cases_resolved": v(30), "par_index_score": v(85.5, "85,5"),
                             "par_index_rank": v(30, "30/63")}),
}
# Seed 003: An Giang's report 529/BC-UBND of 24/05/2024, counted as missing by seed 000.
AN_GIANG = dict(
    number="529/BC-UBND", doc_date=date(2024, 5, 24), answers_request="2748/BNV-CTTN",
    values={"par_index_score": v(81.32, "81,32"), "par_index_rank": v(63, "63/63"), "papi_score": v(41.85, "41,85"),
            "sipas_score": v(7.97, "7,97/10")},
    sections={"III.4": SectionEntry("reported", "Chỉ số cải cách hành chính năm 2023, tỉnh An Giang đạt 81,32 điểm, "
                                                "xếp thứ hạng 63/63 tỉnh, thành phố."),
              "VI": SectionEntry("empty", "(không có)")})
# Seed 004: Quảng Trị in 2023, "đến tháng 10 năm 2023": 352 lượt / 679 người / 124 vụ việc; 289 + 63 + 0.
QUANG_TRI_2023 = dict(
    number="15/BC-VP", data_until=date(2023, 10, 31),
    values={"reception_visits": v(352), "reception_persons": v(679), "reception_cases": v(124),
            "reception_visits_periodic": v(289), "reception_visits_regular": v(63), "reception_visits_adhoc": ZERO,
            "mass_delegations": v(17)})
# Seed 000's footnotes 2 (section II.1) and 16 (section III.4, Hà Nội twice), as a coordinator keeps them.
EXEMPLARY = {
    "II.1": ["Bộ Tài chính", "Bộ Lao động – Thương binh và Xã hội", "Đài Truyền hình Việt Nam", "Bình Phước", "Cà Mau",
             "Cao Bằng", "Đồng Tháp", "Gia Lai", "Hà Giang", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lào Cai",
             "Nam Định", "Phú Thọ", "Quảng Ngãi", "Tây Ninh", "Thái Bình", "Thanh Hóa", "Trà Vinh", "Tuyên Quang"],
    "III.4": ["Hà Nội", "Bắc Giang", "Yên Bái", "Thanh Hóa", "Bà Rịa - Vũng Tàu", "Bình Phước", "Cao Bằng", "Đắk Nông",
              "Đồng Nai", "Đồng Tháp", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Ninh Bình", "Ninh Thuận", "Quảng Ngãi",
              "Trà Vinh", "Tuyên Quang"],
}
MISSING_CENTRAL_V1 = (
    "Bộ Ngoại giao; Bộ Tư pháp; Bộ Nông nghiệp và Phát triển nông thôn; Bộ Giao thông vận tải; Bộ Xây dựng; "
    "Bộ Tài nguyên và Môi trường; Bộ Thông tin và Truyền thông; Bộ Văn hóa, Thể thao và Du lịch; Bộ Khoa học và Công nghệ; "
    "Bộ Giáo dục và Đào tạo; Bộ Y tế; Ủy ban Dân tộc; Thanh tra Chính phủ; Ban Quản lý Lăng Chủ tịch Hồ Chí Minh; "
    "Bảo hiểm xã hội Việt Nam; Thông tấn xã Việt Nam; Đài Tiếng nói Việt Nam; Đài Truyền hình Việt Nam; "
    "Viện Hàn lâm Khoa học và Công nghệ Việt Nam; Viện Hàn lâm Khoa học xã hội Việt Nam; "
    "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp")
FOOTNOTE_V1 = "\n".join([
    "09 bộ, ngành và 53/63 địa phương",
    f"- 21 bộ, ngành chưa có báo cáo gồm: {MISSING_CENTRAL_V1}.",
    "- 10 địa phương chưa có báo cáo gồm: Hà Nội, Lào Cai, Yên Bái, Vĩnh Phúc, Quảng Trị, Khánh Hòa, Gia Lai, "
    "Hồ Chí Minh, Trà Vinh, An Giang.",
])
FOOTNOTE_V2 = "\n".join([
    "09 bộ, ngành và 55/63 địa phương",
    f"- 21 bộ, ngành chưa có báo cáo gồm: {MISSING_CENTRAL_V1}.",
    "- 08 địa phương chưa có báo cáo gồm: Hà Nội, Lào Cai, Yên Bái, Vĩnh Phúc, Khánh Hòa, Gia Lai, Hồ Chí Minh, "
    "Trà Vinh.",
])


@pytest.fixture
def cycle_2023(app):
    cycle = open_2023_danvan(app)
    submit_seed_000(app, cycle, REPORTS)
    return cycle


def late_reports(app, cycle):
    submit(app, cycle.id, "An Giang", date(2024, 6, 11), **AN_GIANG)
    submit(app, cycle.id, "Quảng Trị", date(2024, 6, 12), **QUANG_TRI_2023)


def compile_models(app, cycle, as_of, exemplary=None):
    with app.session() as session:
        comp = build_compilation(session, cycle, app.roster, app.calendar, app.config.stream("danvan"),
                                 app.catalogue("danvan"), as_of)
    return comp, run_checks(comp, app.roster, exemplary or {})


def total(comp, indicator, group):
    return comp.totals.set_index(["indicator", "group"]).loc[(indicator, group)]


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
    assert build_footnote(comp.units).text == FOOTNOTE_V1
    late_reports(app, cycle_2023)
    comp, _ = compile_models(app, cycle_2023, V2_DAY)
    assert build_footnote(comp.units).text == FOOTNOTE_V2


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
    footnote = build_footnote(comp.units).text
    assert footnote.startswith("01 bộ, ngành và 00/63 địa phương\n- 29 bộ, ngành chưa có báo cáo gồm: ")
    assert "Bộ Y tế (mới gửi dự thảo)" in footnote


def test_sections_collect_every_units_words_per_section(app, cycle_2023):
    late_reports(app, cycle_2023)
    comp, _ = compile_models(app, cycle_2023, V2_DAY)
    ii1 = comp.sections[comp.sections.section_id == "II.1"]
    assert ii1["name"].tolist() == ["Bộ Nội vụ", "Bộ Tài chính", "Tỉnh Cao Bằng"]  # official order
    vi = comp.sections[comp.sections.section_id == "VI"].set_index("name")["status"].to_dict()
    assert vi == {"Văn phòng Chính phủ": "empty", "Tỉnh An Giang": "empty"}
