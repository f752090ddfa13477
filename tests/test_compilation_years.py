"""The same period of the previous year, and the checks of parts, rates, periods and units."""

from datetime import date

import pandas as pd
from docx import Document

from models.cycles import exempt_unit
from models.footnote import build_footnote
from tasks.compile import compile_cycle
from tests.compilation_cases import QUANG_TRI_2022, QUANG_TRI_2023, compile_models, open_annual, total, v
from tests.helpers import open_2023_danvan, submit


def test_quang_tri_s_parts_that_do_not_add_up_are_to_be_checked(app):
    cycle = open_annual(app, 2022, "6001/BNV-CTTN", date(2022, 11, 15), "chậm nhất ngày 15/12/2022")
    submit(app, cycle.id, "Quảng Trị", date(2022, 12, 10), **QUANG_TRI_2022)
    result = compile_cycle(app, cycle.id, as_of=date(2022, 12, 20))
    (finding,) = [f for f in result.findings if f.kind == "part_sum"]
    assert (finding.unit_name, finding.indicator, finding.version, finding.severity) == (
        "Tỉnh Quảng Trị", "reception_visits", 1, "error")
    assert finding.message == (
        "Số lượt tiếp công dân: tổng số là 419 nhưng các thành phần cộng lại là 420 (Tiếp định kỳ của người đứng đầu "
        "(lượt) 342 + Tiếp thường xuyên (lượt) 78 + Tiếp đột xuất (lượt) 0).")
    # The finding is in the review file "Cần kiểm tra"; the total stays as reported, not silently corrected.
    doc = Document(str(result.files["review"]))
    checks = doc.tables[-1]
    assert [c.text for c in checks.rows[0].cells] == ["TT", "Mức độ", "Đơn vị", "Chỉ tiêu", "Bản", "Nội dung"]
    assert [c.text for c in checks.rows[1].cells] == ["1", "Sai", "Tỉnh Quảng Trị", "Số lượt tiếp công dân", "1",
                                                      finding.message]
    assert ("| Sai | Tỉnh Quảng Trị | Số lượt tiếp công dân | 1 | Số lượt tiếp công dân: tổng số là 419"
            in result.markdown)


def test_the_same_period_of_last_year_is_compared(app):
    old = open_annual(app, 2022, "6001/BNV-CTTN", date(2022, 11, 15), "chậm nhất ngày 15/12/2022")
    submit(app, old.id, "Quảng Trị", date(2022, 12, 10), **QUANG_TRI_2022)
    submit(app, old.id, "Cao Bằng", date(2022, 12, 12), values={"reception_visits": v(200)})
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "Quảng Trị", date(2024, 5, 30), **QUANG_TRI_2023)
    submit(app, cycle.id, "Cao Bằng", date(2024, 5, 30), values={"reception_visits": v(250)})
    submit(app, cycle.id, "Cà Mau", date(2024, 5, 30), values={"reception_visits": v(330)})
    comp, _ = compile_models(app, cycle, date(2024, 6, 10))
    assert comp.previous.cycle_id == "danvan-2022-annual" and comp.previous.label == "năm 2022"
    visits = total(comp, "reception_visits", "provincial")
    assert (visits["value"], visits["reported"]) == (352 + 250 + 330, 3)
    assert (visits["previous_value"], visits["previous_reported"], visits["previous_actual"]) == (419 + 200, 2, 2)
    qt = comp.comparison.set_index(["name", "indicator"]).loc[("Tỉnh Quảng Trị", "reception_visits")]
    assert (qt["current"], qt["previous"], qt["predecessors"]) == (352, 419, "Tỉnh Quảng Trị")

    result = compile_cycle(app, cycle.id, as_of=date(2024, 6, 10))
    row = next(r for t in Document(str(result.files["materials"])).tables for r in t.rows
               if r.cells[0].text == "Số lượt tiếp công dân (lượt)")
    # 932 against 619 the year before: +50,57%, in the drafter's table and in the draft's sentence.
    assert row.cells[-1].text == "619\n(2/2 đơn vị)\ntăng 50,57%"
    (sentence,) = [p.text for p in Document(str(result.files["docx"])).paragraphs
                   if "số lượt tiếp công dân là" in p.text]
    assert sentence.startswith("Năm 2023, theo số liệu của 3/3 cơ quan, đơn vị đã gửi báo cáo, số lượt tiếp công "
                               "dân là 932 lượt (chi tiết theo số liệu của 1/3 cơ quan, đơn vị: tiếp định kỳ của "
                               "người đứng đầu 289 lượt; ")
    assert sentence.endswith(" (tăng 50,57% so với năm 2022).")


def test_last_year_s_units_are_mapped_to_their_successors(app):
    """2025 An Giang (code 91) succeeds 2024 An Giang and Kiên Giang; Quảng Trị succeeds Quảng Bình and Quảng Trị."""
    old = open_annual(app, 2024, "1001/BNV-CTTN", date(2024, 11, 15), "chậm nhất ngày 15/12/2024")
    for unit, visits in (("An Giang", 100), ("Kiên Giang", 50), ("Quảng Bình", 80), ("Quảng Trị", 300)):
        submit(app, old.id, unit, date(2024, 12, 10), values={"reception_visits": v(visits)})
    cycle = open_annual(app, 2025, "2001/BNV-CTTN", date(2025, 11, 14), "chậm nhất ngày 15/12/2025")
    submit(app, cycle.id, "An Giang", date(2025, 12, 10), values={"reception_visits": v(170)})
    comp, _ = compile_models(app, cycle, date(2025, 12, 20))
    by_unit = comp.comparison.set_index("unit_id")
    assert by_unit.loc["p2025-91", ["current", "previous", "predecessors"]].tolist() == [
        170, 150, "Tỉnh An Giang, Tỉnh Kiên Giang"]
    assert by_unit.loc["p2025-44", "previous"] == 380 and by_unit.loc["p2025-44", "current"] != by_unit.loc[
        "p2025-44", "current"]  # Quảng Trị has not reported yet: NaN, not 0
    visits = total(comp, "reception_visits", "provincial")
    assert (visits["value"], visits["expected"], visits["previous_value"], visits["previous_reported"]) == (
        170, 34, 530, 4)

    # The annex puts each unit's figure beside its predecessors' of last year, one row per unit.
    result = compile_cycle(app, cycle.id, as_of=date(2025, 12, 20))
    sheet = pd.read_excel(result.files["xlsx"], sheet_name="Cùng kỳ năm trước").set_index("Đơn vị")
    now, before = "Số lượt tiếp công dân (lượt): kỳ này", "Số lượt tiếp công dân (lượt): cùng kỳ năm 2024"
    assert sheet.loc["Tỉnh An Giang", [now, before, "Đơn vị năm trước"]].tolist() == [
        170, 150, "Tỉnh An Giang, Tỉnh Kiên Giang"]
    assert pd.isna(sheet.loc["Tỉnh Quảng Trị", now]) and sheet.loc["Tỉnh Quảng Trị", before] == 380
    assert sheet.loc["Tỉnh Quảng Trị", "Đơn vị năm trước"] == "Tỉnh Quảng Bình, Tỉnh Quảng Trị"
    assert list(sheet.index) == ["Tỉnh Quảng Trị", "Tỉnh An Giang"]  # the official order, as everywhere else


def test_parts_rates_and_numerators_are_checked(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "Cà Mau", date(2024, 5, 30), values={
        # Forwarded petitions are a part of the petitions received: never more.
        "petitions_received": v(100), "petitions_forwarded": v(120),
        # More resolved than in jurisdiction.
        "complaint_cases_in_jurisdiction": v(20), "complaint_cases_resolved": v(25),
        "complaint_resolution_rate": v(125)})
    submit(app, cycle.id, "Cao Bằng", date(2024, 5, 30), values={
        "reception_visits": v(100), "reception_visits_periodic": v(60),  # parts missing: no sum check
        # seed 002: 9.904/13.889 resolved, "đạt 71,3%": a rounded rate is not a mistake.
        "complaint_cases_in_jurisdiction": v(13889), "complaint_cases_resolved": v(9904),
        "complaint_resolution_rate": v(71.3)})
    _, findings = compile_models(app, cycle, date(2024, 6, 10))
    got = sorted((f.kind, f.unit_name, f.indicator) for f in findings)
    assert got == [
        ("numerator_exceeds", "Tỉnh Cà Mau", "complaint_resolution_rate"),
        ("parts_exceed", "Tỉnh Cà Mau", "complaint_cases_in_jurisdiction"),
        ("parts_exceed", "Tỉnh Cà Mau", "petitions_received"),
    ]


def test_figures_outside_the_period_are_flagged(app):
    cycle = open_2023_danvan(app, window=(date(2022, 12, 15), date(2023, 12, 14)))  # NĐ 09/2019's window
    submit(app, cycle.id, "Cà Mau", date(2024, 5, 30), data_until=date(2024, 3, 31))
    submit(app, cycle.id, "Cao Bằng", date(2024, 5, 30), data_until=date(2022, 12, 31))
    submit(app, cycle.id, "Hà Giang", date(2024, 5, 30), doc_date=date(2022, 7, 1))  # last year's report again
    submit(app, cycle.id, "Thanh Hóa", date(2024, 5, 30), data_until=date(2023, 12, 14))  # exactly the window
    _, findings = compile_models(app, cycle, date(2024, 6, 10))
    got = sorted((f.unit_name, f.kind, f.severity) for f in findings)
    assert got == [("Tỉnh Cao Bằng", "partial_period", "info"), ("Tỉnh Cà Mau", "outside_period", "warning"),
                   ("Tỉnh Hà Giang", "outside_period", "error")]


def test_an_exempted_unit_leaves_the_denominator_and_its_report_is_not_compiled(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "bqp", date(2024, 5, 20), values={"reception_visits": v(999)})
    submit(app, cycle.id, "bca", date(2024, 5, 20), values={"reception_visits": v(10)})
    with app.session() as session:
        exempt_unit(session, cycle, app.roster, "bqp", "báo cáo mật", date(2024, 5, 25))
    comp, findings = compile_models(app, cycle, date(2024, 6, 10))
    visits = total(comp, "reception_visits", "central")
    assert (visits["value"], visits["reported"], visits["actual"], visits["expected"]) == (10, 1, 1, 29)
    assert [(f.kind, f.unit_name) for f in findings] == [("exempted_reported", "Bộ Quốc phòng")]
    lines = build_footnote(comp.units, app.roster.groups).lines
    assert lines[0] == "01 bộ, ngành và 00/63 địa phương"
    assert lines[-1] == "- 01 bộ, ngành được miễn báo cáo: Bộ Quốc phòng (báo cáo mật)."
    assert lines[1].startswith("- 28 bộ, ngành chưa có báo cáo gồm: Bộ Ngoại giao; ")


def test_two_expected_units_under_one_name_are_a_finding():
    from types import SimpleNamespace

    import pandas as pd

    from models.checks import check_duplicate_units

    units = pd.DataFrame({"unit_id": ["p2004-45", "x-qt", "p2004-44"], "name": ["Tỉnh Quảng Trị", "Quảng Trị",
                          "Tỉnh Quảng Bình"], "footnote_name": ["Quảng Trị", "Quảng Trị", "Quảng Bình"]})
    (finding,) = check_duplicate_units(SimpleNamespace(units=units))
    assert finding.kind == "duplicate_unit" and finding.message == (
        "2 đơn vị phải báo cáo trùng tên 'Quảng Trị': Tỉnh Quảng Trị (p2004-45), Quảng Trị (x-qt).")


def test_a_corrected_report_of_last_year_makes_a_new_version(app):
    """Last year's figures are inputs of the comparison: correcting one changes the compilation."""
    old = open_annual(app, 2022, "6001/BNV-CTTN", date(2022, 11, 15), "chậm nhất ngày 15/12/2022")
    submit(app, old.id, "Cao Bằng", date(2022, 12, 12), values={"reception_visits": v(200)})
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "Cao Bằng", date(2024, 5, 30), values={"reception_visits": v(250)})
    first = compile_cycle(app, cycle.id, as_of=date(2024, 6, 10))
    assert compile_cycle(app, cycle.id, as_of=date(2024, 6, 10)).created is False

    submit(app, old.id, "Cao Bằng", date(2024, 6, 3), number="2/BC", values={"reception_visits": v(210)})
    second = compile_cycle(app, cycle.id, as_of=date(2024, 6, 10))
    assert (first.version, second.version, second.created) == (1, 2, True)
    sheet = pd.read_excel(second.files["xlsx"], sheet_name="Cùng kỳ năm trước").set_index("Đơn vị")
    assert sheet.loc["Tỉnh Cao Bằng", "Số lượt tiếp công dân (lượt): cùng kỳ năm 2022"] == 210
