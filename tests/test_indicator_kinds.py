"""Scores and ranks are kinds of their own, and the catalogue carries the figures of the real
national report (seed 000) and of the units' reports (seeds 003, 004): each with its parts, read,
checked and written the way the report writes it."""

import json
from datetime import date

import pytest

from models import report_prose
from models.catalogue import read_figure
from models.numbers import NumberError
from models.report_prose import section_sentences
from tasks.intake import submit_files
from tests.compilation_cases import ZERO, compile_models, v
from tests.helpers import open_2023_danvan, submit, vn_noon


@pytest.fixture
def catalogue(app):
    return {i.id: i for i in app.catalogue("danvan")}


@pytest.mark.parametrize(("indicator", "cell", "value", "of"), [
    ("papi_rank", "35/63", 35, 63),         # seed 003: "Chỉ số PAPI … xếp hạng 35/63"
    ("sipas_rank", "54", 54, None),
    ("par_index_rank", "63/63", 63, 63),    # seed 003: the last of 63
    ("sipas_score", "7,97/10", 7.97, 10),   # seed 003: "7,97/10 điểm"
    ("par_index_score", "81,32", 81.32, None),
])
def test_a_standing_is_read_with_what_it_is_out_of(catalogue, indicator, cell, value, of):
    figure = read_figure(catalogue[indicator], cell)
    assert (figure.value, figure.of) == (value, of)


@pytest.mark.parametrize(("indicator", "cell", "says"), [
    ("papi_rank", "35,5", "thứ hạng là số nguyên từ 1"),
    ("papi_rank", "0", "thứ hạng là số nguyên từ 1"),
    ("papi_rank", "Không có", "thứ hạng là số nguyên từ 1"),
    ("papi_rank", "64/63", "không lớn hơn số đơn vị được xếp hạng"),
    ("sipas_score", "11/10", "lớn hơn thang điểm"),
    ("reception_visits", "35/63", "chỉ tiêu này cần một số"),  # a count is never a pair
])
def test_a_standing_out_of_its_kind_is_refused_with_its_reason(catalogue, indicator, cell, says):
    with pytest.raises(NumberError, match=says):
        read_figure(catalogue[indicator], cell)


def test_a_rank_that_is_no_rank_is_refused_alone_naming_its_field(app, tmp_path):
    """Through the intake: the field is named, the reason is Vietnamese, the other report goes on."""
    cycle = open_2023_danvan(app)
    files = []
    for name, unit, figures in (("bad.json", "89", {"papi_rank": "35,5", "papi_score": "41,85"}),
                                ("good.json", "04", {"papi_rank": "35/63", "sipas_rank": "54/63"})):
        files.append(tmp_path / name)
        files[-1].write_text(json.dumps({"cycle": cycle.id, "unit": unit, "number": "1/BC-UBND", "date": "2024-05-20",
                                         "indicators": figures}, ensure_ascii=False), encoding="utf-8")
    bad, good = submit_files(app, files, received_at=vn_noon(date(2024, 5, 21)))
    assert bad.outcome == "rejected" and good.outcome == "accepted"
    [error] = bad.errors
    assert error.field == "indicators.papi_rank" and "thứ hạng là số nguyên từ 1" in str(error)


def test_ranks_list_the_lowest_first_and_scores_the_highest(app):
    cycle = open_2023_danvan(app)
    for unit, score, rank in (("p2004-89", "41,85", "35/63"), ("p2004-04", "44,10", "12/63"),
                              ("p2004-96", "40,02", "50/63")):
        submit(app, cycle.id, unit, date(2024, 5, 24),
               values={"papi_score": v(float(score.replace(",", ".")), score), "papi_rank": v(int(rank[:2]), rank)})
    comp, _ = compile_models(app, cycle, date(2024, 6, 10))
    r = comp.rankings
    assert r[r["indicator"] == "papi_rank"]["raw"].tolist() == ["12/63", "35/63", "50/63"]
    assert r[r["indicator"] == "papi_score"]["raw"].tolist() == ["44,10", "41,85", "40,02"]
    sentences = [s.text for s in section_sentences(comp, "III.4")]
    # Three units, all named: listed in order, none said to lead; the label's colon is not the sentence's.
    assert ("Về xếp hạng chỉ số PAPI: các địa phương (3 đơn vị có số liệu) theo thứ tự là Cao Bằng (12/63), "
            "An Giang (35/63), Cà Mau (50/63).") in sentences
    assert not [s for s in sentences if "dẫn đầu" in s or s.count(": ") > 1]


def test_seed_000_s_splits_are_parts_with_their_sums(app):
    """"183.676 mô hình … đăng ký, trong đó đã công nhận 120.622 mô hình, gồm 75.340 mô hình tập thể,
    45.282 mô hình cá nhân" (seed 000, III.3); Quảng Trị's 622 persons received, 534 periodic + 88
    regular + none ad hoc (seed 004): parts that add up raise nothing, parts that do not are found."""
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "p2004-01", date(2024, 5, 24), values={
        "dvk_models_recognised": v(120622), "dvk_models_recognised_collective": v(75340),
        "dvk_models_recognised_individual": v(45282)})
    submit(app, cycle.id, "p2004-45", date(2024, 5, 24), values={
        "reception_persons": v(622), "reception_persons_periodic": v(534, "534 người"),
        "reception_persons_regular": v(88, "88 người"), "reception_persons_adhoc": ZERO})
    submit(app, cycle.id, "p2004-04", date(2024, 5, 24), values={
        "reception_persons": v(600), "reception_persons_periodic": v(534), "reception_persons_regular": v(88),
        "reception_persons_adhoc": ZERO})
    comp, findings = compile_models(app, cycle, date(2024, 6, 10))
    sums = [(f.unit_id, f.indicator) for f in findings if f.kind == "part_sum"]
    assert sums == [("p2004-04", "reception_persons")]
    sentences = [s.text for s in section_sentences(comp, "III.3")]
    assert any("được công nhận là 120.622 mô hình (trong đó: mô hình tập thể được công nhận 75.340 mô hình; "
               "mô hình cá nhân được công nhận 45.282 mô hình)" in s for s in sentences), sentences


def test_a_rate_is_given_for_each_group_as_seed_000_writes_it(app):
    """"tỷ lệ TTHC cung cấp dịch vụ công trực tuyến (DVCTT) tại các bộ, ngành đạt 40,09%; tại các
    địa phương đạt 69,19%" (seed 000, III.4.b): recomputed for each group from its summed parts."""
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "c2021-bnv", date(2024, 5, 24), values={"procedures_total": v(200), "procedures_online": v(80)})
    submit(app, cycle.id, "p2004-01", date(2024, 5, 24), values={"procedures_total": v(1000), "procedures_online": v(700)})
    comp, _ = compile_models(app, cycle, date(2024, 6, 10))
    sentences = [s.text for s in section_sentences(comp, "III.4")]
    assert ("Năm 2023, tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến đạt 65% (780/1.200 thủ tục; "
            "tính lại từ số liệu của 2/2 cơ quan, đơn vị), trong đó tại các bộ, ngành đạt 40%; "
            "tại các địa phương đạt 70%.") in sentences, sentences


def test_the_form_names_each_kind_and_the_total_a_part_belongs_to(app, tmp_path):
    from openpyxl import load_workbook

    from tasks.workbook import write_template

    cycle = open_2023_danvan(app)
    path = write_template(app, cycle.id, unit="89", path=tmp_path / "form.xlsx")
    sheet = load_workbook(path)["Số liệu"]
    hints = {sheet.cell(r, 1).value: sheet.cell(r, 7).value for r in range(4, sheet.max_row + 1)}
    assert hints["papi_rank"].startswith("Thứ hạng (hạng 1 là cao nhất)")
    assert hints["papi_score"].startswith("Số điểm")
    assert hints["civil_servants_resigned"] == ("Thuộc chỉ tiêu: Số cán bộ, công chức, viên chức nghỉ việc, "
                                                "thôi việc")


def test_a_standing_given_by_one_unit_is_stated_not_said_to_lead(app):
    """An Giang alone gave its PAR INDEX rank, 63/63: the draft states it, it never says "dẫn đầu là
    An Giang (63/63)" (the last of 63 provinces would read as the first)."""
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "p2004-89", date(2024, 5, 24), values={"par_index_rank": v(63, "63/63")})
    comp, _ = compile_models(app, cycle, date(2024, 6, 10))
    sentences = [s.text for s in section_sentences(comp, "III.4")]
    assert ("Về xếp hạng chỉ số cải cách hành chính (PAR INDEX): các địa phương chỉ có số liệu của "
            "An Giang (63/63).") in sentences
    assert not [s for s in sentences if "dẫn đầu là An Giang" in s]


def test_a_standing_leads_only_when_some_units_are_left_out(app):
    """Four provinces gave their PAPI rank: the first three lead ("dẫn đầu là"), the fourth is not named."""
    cycle = open_2023_danvan(app)
    for unit, rank in (("p2004-89", 35), ("p2004-04", 12), ("p2004-96", 50), ("p2004-01", 7)):
        submit(app, cycle.id, unit, date(2024, 5, 24), values={"papi_rank": v(rank, f"{rank}/63")})
    comp, _ = compile_models(app, cycle, date(2024, 6, 10))
    [sentence] = [s.text for s in section_sentences(comp, "III.4") if "PAPI" in s.text]
    assert sentence == ("Về xếp hạng chỉ số PAPI: các địa phương (4 đơn vị có số liệu) dẫn đầu là Hà Nội (7/63), "
                        "Cao Bằng (12/63), An Giang (35/63).")


@pytest.mark.parametrize("label, topic", [
    ("Chỉ số PAPI: xếp hạng", "xếp hạng chỉ số PAPI"),
    ("Chỉ số cải cách hành chính (PAR INDEX): điểm", "điểm chỉ số cải cách hành chính (PAR INDEX)"),
    ("Chỉ số SIPAS", "chỉ số SIPAS"),
])
def test_a_label_with_a_colon_reads_as_one_topic(label, topic):
    assert report_prose.topic(label) == topic
