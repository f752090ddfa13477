"""Reports as units really send them: the seeds' real texts as Word documents, as the PDF LibreOffice
prints, and inside edXML packages; read through `dvtracker submit --json`, their figures
reviewed through `dvtracker review --json`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from models.cycles import RequestInput, open_cycle
from models.status import compute_status
from models.tables import AuditRow, CycleRow, FigureProposalRow, SubmissionRow, ValueRow
from tests.helpers import open_2023_danvan
from tests.prose_documents import AN_GIANG, DOCX_TYPE, QUANG_TRI, VPCP, edxml, seed_lines, to_pdf, write_docx

CYCLE = "danvan-2023-annual"
AN_GIANG_SECTIONS = {"I", "II.1", "II.2", "III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7", "IV.1",
                     "IV.2", "V"}
AN_GIANG_FIGURES = {"par_inspections": "10", "civil_service_inspections": "21", "par_index_score": "81,32",
                    "par_index_rank": "63/63", "papi_score": "41,85", "sipas_score": "7,97/10",
                    # "Chỉ số PAPI đạt 41,85 điểm, xếp hạng 35/63 …; Chỉ số SIPAS … 7,97/10 điểm, xếp hạng 54/63"
                    "papi_rank": "35/63", "sipas_rank": "54/63"}


@pytest.fixture
def cycles(app):
    cycle = open_2023_danvan(app)
    with app.session() as session:
        qcdc = open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="qcdc",
                          kind="annual", year=2023,
                          request=RequestInput("6507/BNV-CTTN", date(2023, 11, 9), "trước ngày 15/12/2023"))
    return cycle, qcdc


@pytest.fixture(scope="module")
def an_giang_docx(tmp_path_factory):
    return write_docx(seed_lines(AN_GIANG), tmp_path_factory.mktemp("ag") / "529-BC-UBND.docx")


@pytest.fixture(scope="module")
def an_giang_pdf(an_giang_docx):
    return to_pdf(an_giang_docx)


def submit_json(cli, *args: str) -> tuple[int, list[dict]]:
    result = cli("submit", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def an_giang_package(tmp_path, docx_path, organ_id="000.00.00.H01") -> object:
    path = tmp_path / "529-BC-UBND.edxml"
    path.write_bytes(edxml(organ_id=organ_id, organ_name="Ủy ban nhân dân tỉnh An Giang", code_number="529",
                           code_notation="BC-UBND", place="An Giang", date="2024/05/24",
                           subject="Báo cáo kết quả thực hiện công tác dân vận của cơ quan hành chính nhà nước và "
                                   "chính quyền các cấp năm 2023",
                           attachments=[(docx_path.name, DOCX_TYPE, docx_path.read_bytes())]))
    return path


def check_an_giang(o: dict, where_number: str) -> None:
    assert (o["outcome"], o["cycle_id"], o["unit_id"], o["doc_number"], o["version"]) == (
        "accepted", CYCLE, "p2004-89", "529/BC-UBND", 1), o["errors"]
    header = o["document"]["header"]
    assert header["number"] == {"value": "529/BC-UBND", "where": where_number}
    assert header["date"]["value"] == "24/05/2024"
    assert header["answers_request"]["value"] == "2748/BNV-CTTN"
    assert header["cycle"]["value"] == CYCLE
    assert header["signer"]["value"].endswith("PHÓ CHỦ TỊCH / Lê Văn Phước")
    assert (o["document"]["stream"]["value"], o["document"]["period"]["kind"], o["document"]["period"]["year"]) == (
        "danvan", "annual", 2023)
    sections = o["document"]["sections"]
    assert {s for s, status in sections.items() if status == "reported"} == AN_GIANG_SECTIONS
    assert sections["VI"] == "empty"  # "VI. KIẾN NGHỊ, ĐỀ XUẤT: (không có)"
    stated = {p["indicator"]: p["raw"] for p in o["document"]["proposals"]}
    assert stated == AN_GIANG_FIGURES
    civil = next(p for p in o["document"]["proposals"] if p["indicator"] == "civil_service_inspections")
    assert civil["sentence"] == "kiểm tra công vụ tại 21 cơ quan, đơn vị." and civil["section"] == "III.5"
    assert o["figures_pending"] is True


def test_an_giang_529_as_a_word_document(app, cli, cycles, an_giang_docx):
    code, [o] = submit_json(cli, str(an_giang_docx), "--received-at", "2024-05-24T16:30")
    assert code == 0
    check_an_giang(o, "đoạn 1")
    assert o["document"]["header"]["unit"] == {"value": "p2004-89", "where": "đoạn 5"}  # "Ủy ban nhân dân tỉnh An Giang báo cáo"
    # The position of a figure is its offset in the document's text.
    text = "\n".join(seed_lines(AN_GIANG))
    civil = next(p for p in o["document"]["proposals"] if p["indicator"] == "civil_service_inspections")
    assert text[civil["position"]:civil["position"] + 2] == "21"
    with app.session() as session:
        sub = session.exec(select(SubmissionRow)).one()
        values = session.exec(select(ValueRow).where(ValueRow.submission_id == sub.id)).all()
        proposals = session.exec(select(FigureProposalRow)).all()
    assert sub.figures_pending and (sub.doc_date, sub.answers_request) == (date(2024, 5, 24), "2748/BNV-CTTN")
    assert {v.status for v in values} == {"not_reported"}  # never silently taken
    assert len(proposals) == 8  # AN_GIANG_FIGURES
    with app.session() as session:
        row = compute_status(session, session.get(CycleRow, CYCLE), app.roster, app.calendar,
                             date(2024, 6, 5)).units.set_index("unit_id").loc["p2004-89"]
    assert (row["status"], row["received_on"]) == ("on_time", date(2024, 5, 24))  # received, figures pending


def test_an_giang_529_as_the_pdf_libreoffice_prints(cli, cycles, an_giang_pdf):
    code, [o] = submit_json(cli, str(an_giang_pdf), "--received-at", "2024-05-24T16:30")
    assert code == 0
    check_an_giang(o, "trang 1, dòng 1")
    assert o["document"]["format"] == "pdf"


def test_an_giang_529_in_an_edxml_package_counts_from_the_service_receipt(app, cli, cycles, an_giang_docx, tmp_path):
    package = an_giang_package(tmp_path, an_giang_docx)
    code, [o] = submit_json(cli, str(package), "--received-at", "2024-05-27T08:00")
    assert code == 0
    check_an_giang(o, "phong bì edXML (Code)")
    assert o["document"]["header"]["unit"]["where"] == "phong bì edXML (From/OrganId) 000.00.00.H01"
    assert o["document"]["envelope"]["organ_id"] == "000.00.00.H01"
    assert o["received_on"] == "2024-05-27"  # the receipt, not the document's date nor the trace header's


def test_an_unknown_organ_id_is_refused_naming_it(cli, cycles, an_giang_docx, tmp_path):
    package = an_giang_package(tmp_path, an_giang_docx, organ_id="000.00.00.H99")
    code, [o] = submit_json(cli, str(package))
    assert code == 1 and o["outcome"] == "rejected"
    assert "000.00.00.H99" in o["errors"][0]["message"] and "Ủy ban nhân dân tỉnh An Giang" in o["errors"][0]["message"]


def test_van_phong_chinh_phu_answers_6507_in_the_grassroots_democracy_stream(cli, cycles, tmp_path):
    path = write_docx(seed_lines(VPCP), tmp_path / "vpcp.docx")
    code, [o] = submit_json(cli, str(path), "--received-at", "2023-12-08")
    assert code == 0
    header = o["document"]["header"]
    assert header["answers_request"] == {"value": "6507/BNV-CTTN", "where": "đoạn 4"}
    assert (o["cycle_id"], o["document"]["stream"]["value"], o["unit_id"]) == ("qcdc-2023-annual", "qcdc", "c2021-vpcp")
    assert o["document"]["sections"]["V.2"] == "reported"
    # The seed's text has no number line and no date: a draft, never a submission.
    assert o["outcome"] == "draft" and any("thiếu số văn bản" in w["message"] for w in o["warnings"])
    stated = {p["indicator"]: p["raw"] for p in o["document"]["proposals"]}
    assert stated.items() >= {"petitions_received": "22.153", "petitions_forwarded": "4.244",
                              "reception_visits": "103", "staff_count": "gần 2000"}.items()


def test_quang_tri_draft_is_refused_as_a_submission(app, cli, cycles, tmp_path):
    path = write_docx(seed_lines(QUANG_TRI), tmp_path / "quang-tri.docx")
    code, [o] = submit_json(cli, str(path), "--cycle", CYCLE, "--received-at", "2024-05-30")
    assert code == 0 and o["outcome"] == "draft"
    assert o["document"]["header"]["number"]["value"] == "/BC-VP"  # "Số: /BC-VP"
    assert "date" not in o["document"]["header"]  # "Quảng Trị, ngày tháng năm 2023"
    assert o["unit_id"] == "p2004-45" and not o["figures_pending"]
    with app.session() as session:
        row = compute_status(session, session.get(CycleRow, CYCLE), app.roster, app.calendar,
                             date(2024, 6, 5)).units.set_index("unit_id").loc["p2004-45"]
        assert not session.exec(select(FigureProposalRow)).all()
    assert row["status"] == "draft_only"
    # Without --cycle nothing in it says which cycle it answers: refused, saying what was read.
    code, [o] = submit_json(cli, str(path))
    assert code == 1 and "không xác định được kỳ báo cáo" in o["errors"][0]["message"]
    assert "Sơ kết 02 năm" in o["errors"][0]["message"]


def test_review_accepts_corrects_and_rejects_into_a_new_audited_version(app, cli, cycles, an_giang_docx):
    submit_json(cli, str(an_giang_docx), "--received-at", "2024-05-24T16:30")
    listed = json.loads(cli("review", "--cycle", CYCLE, "--json").stdout)
    assert [(r["unit_id"], r["figures_pending"], r["current_version"]) for r in listed] == [("p2004-89", True, 1)]
    numbers = {p["indicator"]: p["number"] for p in listed[0]["proposals"]}
    assert {p["status"] for p in listed[0]["proposals"]} == {"proposed"}

    result = cli("review", "--cycle", CYCLE, "--unit", "89", "--accept", str(numbers["civil_service_inspections"]),
                 "--reject", str(numbers["papi_score"]), "--set", "par_inspections=11", "--json")
    [r] = json.loads(result.stdout)
    assert r["figures_pending"] and r["current_version"] == 2 and r["review"]["new_version"] == 2
    status = {p["indicator"] + ("*" if p["origin"] == "coordinator" else ""): p["status"] for p in r["proposals"]}
    assert status == {"par_inspections": "corrected", "par_inspections*": "accepted",
                      "civil_service_inspections": "accepted", "papi_score": "rejected", "par_index_score": "proposed",
                      "par_index_rank": "proposed", "sipas_score": "proposed",
                      "papi_rank": "proposed", "sipas_rank": "proposed"}
    assert r["figures"] == {"civil_service_inspections": {"status": "reported", "value": 21.0, "raw": "21"},
                            "par_inspections": {"status": "reported", "value": 11.0, "raw": "11"}}
    assert all(p["decided_by"] == "cli:test" for p in r["proposals"] if p["status"] != "proposed")

    [r] = json.loads(cli("review", "--cycle", CYCLE, "--accept-all", "--json").stdout)
    assert not r["figures_pending"] and r["current_version"] == 3
    assert r["figures"]["par_index_rank"] == {"status": "reported", "value": 63.0, "raw": "63/63"}
    assert "papi_score" not in r["figures"]
    assert json.loads(cli("review", "--cycle", CYCLE, "--json").stdout) == []  # nothing pending any more
    with app.session() as session:
        subs = session.exec(select(SubmissionRow).order_by(SubmissionRow.version)).all()
        reviews = session.exec(select(AuditRow).where(AuditRow.action == "review")).all()
        known_on = {day: compute_status(session, session.get(CycleRow, CYCLE), app.roster, app.calendar,
                                        day).units.set_index("unit_id").loc["p2004-89"]
                    for day in (date(2024, 6, 5), app.clock.today())}
    assert [(s.version, s.source, s.figures_pending, s.review_of) for s in subs] == [
        (1, "file", True, None), (2, "review", True, subs[0].id), (3, "review", False, subs[0].id)]
    assert [len(a.details["decisions"]) for a in reviews] == [4, 5] and {a.actor for a in reviews} == {"cli:test"}
    # Timeliness stays that of the report received: the review only settles its figures, from the
    # day it was made (the status as known before it still shows the report read).
    assert [(r["status"], r["received_on"], r["version"]) for r in known_on.values()] == [
        ("on_time", date(2024, 5, 24), 1), ("on_time", date(2024, 5, 24), 3)]


def test_review_refuses_what_it_cannot_do(cli, cycles, an_giang_docx):
    submit_json(cli, str(an_giang_docx), "--received-at", "2024-05-24T16:30")
    shown = " ".join(cli("review", "--cycle", CYCLE).stdout.split())  # the table as printed, wrapped at 80 columns
    assert "Tỉnh An Giang — 529/BC-UBND ngày 24/05/2024 (phiên bản 1, hiện hành 1): số liệu chờ xác nhận" in shown
    assert "1 báo cáo; còn chờ xác nhận số liệu: 1." in shown
    assert "Không có đề xuất số 99" in cli("review", "--cycle", CYCLE, "--unit", "89", "--accept", "99").stderr
    assert "Cần ghi đơn vị" in cli("review", "--cycle", CYCLE, "--accept", "1").stderr
    assert "chỉ tiêu 'no_such'" in cli("review", "--cycle", CYCLE, "--unit", "89", "--set", "no_such=1").stderr.lower()
    assert "không phải là số" in cli("review", "--cycle", CYCLE, "--unit", "89", "--set", "par_inspections=mười").stderr


def test_the_compilation_says_how_many_reports_have_figures_pending(app, cli, cycles, an_giang_docx, tmp_path):
    from tasks.compile import compile_cycle

    submit_json(cli, str(an_giang_docx), "--received-at", "2024-05-24T16:30")
    before = compile_cycle(app, CYCLE, as_of=date(2024, 6, 5), out_dir=tmp_path / "v1")
    assert "Báo cáo chờ xác nhận số liệu: 1 (Tỉnh An Giang)" in before.markdown
    [pending] = [f for f in before.findings if f.kind == "figures_pending"]
    assert (pending.unit_id, pending.version) == ("p2004-89", 1)
    assert f"dvtracker review --cycle {CYCLE} --unit 89" in pending.message
    with app.session() as session:
        from models.tables import CompilationRow
        assert session.exec(select(CompilationRow)).one().summary["figures_pending"] == ["Tỉnh An Giang"]

    cli("review", "--cycle", CYCLE, "--unit", "89", "--accept-all")
    after = compile_cycle(app, CYCLE, as_of=app.clock.today(), out_dir=tmp_path / "v2")
    assert after.version == 2 and "chờ xác nhận số liệu" not in after.markdown
    assert not [f for f in after.findings if f.kind == "figures_pending"]
    assert "Số cơ quan, đơn vị được kiểm tra công vụ" in after.markdown and "| 21 (1/1)" in after.markdown
