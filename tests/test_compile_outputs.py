"""compile_cycle end to end: the Word draft and the Excel annex read back, versions, idempotence."""

from datetime import date

import pandas as pd
import pytest
import yaml
from docx import Document
from sqlmodel import select

from models.errors import UserError
from models.tables import AuditRow, CompilationRow
from tasks.compile import compile_cycle, draft_file
from tasks.docx_footnotes import read_footnotes
from tests.compilation_cases import EXEMPLARY, FOOTNOTE_V1, FOOTNOTE_V2, V1_DAY, V2_DAY, late_reports
from tests.helpers import open_2023_danvan


def headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def table_with(doc, first_header: str):
    return [t for t in doc.tables if t.rows[0].cells[0].text == first_header]


def write_exemplary(app, cycle_id, listed):
    path = draft_file(app, cycle_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"exemplary": listed}, allow_unicode=True), encoding="utf-8")


def paragraphs(path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def test_each_version_is_three_word_files_each_with_one_reader(app, cycle_2023):
    write_exemplary(app, cycle_2023.id, EXEMPLARY)
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    assert (result.version, result.created) == (1, True)
    folder = app.settings.exports_dir / cycle_2023.id / "v1"
    assert result.files == {kind: folder / f"{cycle_2023.id}-v1{suffix}" for kind, suffix in (
        ("docx", ".docx"), ("materials", "-tu-lieu-tong-hop.docx"), ("review", "-can-kiem-tra.docx"),
        ("xlsx", ".xlsx"), ("md", ".md"))}

    # The draft to be signed: the report and only it — the generated footnote, the figures as
    # sentences, the exemplary units; no unit's excerpt, no finding, nothing "to delete".
    doc = Document(str(result.files["docx"]))
    draft = paragraphs(result.files["docx"])
    opening = next(p for p in doc.paragraphs if "Trên cơ sở báo cáo của các bộ, ngành và địa phương" in p.text)
    assert "footnoteReference" in opening._p.xml and "2748/BNV-CTTN ngày 17/5/2024" in opening.text
    assert read_footnotes(doc)[1] == FOOTNOTE_V1
    assert ("Tiêu biểu như: Bộ Tài chính, Bộ Lao động - Thương binh và Xã hội; các địa phương: Bình Phước, Cà Mau, "
            "Cao Bằng, Đồng Tháp, Hà Giang, Kiên Giang, Kon Tum, Lai Châu, Lâm Đồng, Nam Định, Phú Thọ, Quảng Ngãi, "
            "Tây Ninh, Thái Bình, Thanh Hóa, Tuyên Quang.") in draft
    # The groups' shares add up to the total; the parts, given by fewer units, carry their own coverage.
    assert ("Năm 2023, theo số liệu của 5/62 cơ quan, đơn vị đã gửi báo cáo, số lượt tiếp công dân là 803 lượt "
            "(trong đó: các bộ, ngành 223 lượt; các địa phương 580 lượt) (chi tiết theo số liệu của 1/62 cơ quan, đơn "
            "vị: tiếp định kỳ của người đứng đầu 20 lượt; tiếp thường xuyên 100 lượt; tiếp đột xuất 0 lượt).") in draft
    assert ("Năm 2023, tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền đạt 79% (79/100 vụ việc; tính lại từ số "
            "liệu của 3/62 cơ quan, đơn vị), trong đó tại các bộ, ngành đạt 81,67%; tại các địa phương đạt 75%.") in draft
    everything = "\n".join(draft + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for not_for_signing in ("Vụ I đã tiếp nhận", "CẦN KIỂM TRA", "TƯ LIỆU", "xóa trước khi trình ký", "(bản 1)",
                            "chưa có số liệu"):
        assert not_for_signing not in everything, not_for_signing
    assert [t.rows[0].cells[0].text for t in doc.tables] == [doc.tables[0].rows[0].cells[0].text, doc.tables[-1].rows[
        0].cells[0].text]  # only the header block and the closing: no table of figures in the body

    # "Tư liệu tổng hợp": the figures with their coverage, every unit's words by section, each unit's figures.
    materials = Document(str(result.files["materials"]))
    texts = paragraphs(result.files["materials"])
    assert texts[:2] == ["TƯ LIỆU TỔNG HỢP", "Kết quả thực hiện công tác dân vận của cơ quan hành chính nhà nước và "
                                              "chính quyền các cấp năm 2023"]
    row = next(r for t in table_with(materials, "Chỉ tiêu") for r in t.rows
               if r.cells[0].text == "Số lượt tiếp công dân (lượt)")
    assert [c.text for c in row.cells] == ["Số lượt tiếp công dân (lượt)", "223\n(3/9 đơn vị)", "580\n(2/53 đơn vị)",
                                           "803\n(5/62 đơn vị)"]
    assert ("Văn phòng Chính phủ (bản 1): Năm 2023, Vụ I đã tiếp nhận, phân loại xử lý 22.153 đơn thư khiếu nại, tố "
            "cáo, kiến nghị, phản ánh; đã chuyển các Bộ, ngành, địa phương 4.244 đơn đủ điều kiện.") in texts
    assert "Báo cáo ghi không có nội dung: Văn phòng Chính phủ." in texts
    assert any(t.startswith("Văn phòng Chính phủ: ") and "Số lượt tiếp công dân (lượt): 103" in t for t in texts)

    # "Cần kiểm tra": every finding.
    review = Document(str(result.files["review"]))
    assert paragraphs(result.files["review"])[0] == "CẦN KIỂM TRA"
    (checks,) = table_with(review, "TT")
    assert len(checks.rows) - 1 == len(result.findings) > 0
    rows = [[c.text for c in r.cells] for r in checks.rows[1:]]
    assert ["Bộ Tài chính", "Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền", "1"] in [r[2:5] for r in rows]
    assert any(r[2] == "Đài Truyền hình Việt Nam" and "chưa có báo cáo" in r[5] for r in rows)

    # The summary links all three.
    for name in ("Dự thảo báo cáo (để trình ký)", "Tư liệu tổng hợp (cho người soạn thảo)", "Cần kiểm tra"):
        assert name in result.markdown
    for kind in ("docx", "materials", "review"):
        assert result.files[kind].name in result.markdown


def test_the_excel_annex_has_one_sheet_per_group_with_totals_and_coverage(app, cycle_2023):
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    sheets = pd.read_excel(result.files["xlsx"], sheet_name=None)
    assert {"Tổng hợp", "Bộ, ngành", "Địa phương", "Cần kiểm tra", "Tình hình báo cáo"} <= set(sheets)
    central = sheets["Bộ, ngành"].set_index("Đơn vị")
    assert len(central) == 30 + 2  # every expected unit, then the totals and coverage rows
    visits = "Số lượt tiếp công dân (lượt)"
    vpcp = central.loc["Văn phòng Chính phủ", [visits, "Số văn bản", "Trạng thái"]]
    assert vpcp.tolist() == [103, "9/BC", "Đúng hạn"]
    assert central.loc["Bộ Tài chính", visits] == 0  # "Không có"
    assert pd.isna(central.loc["Bộ Công an", visits])  # not reported: empty, never 0
    assert central.loc["Bộ Ngoại giao", "Trạng thái"] == "Chưa báo cáo"
    assert central.loc["Tổng cộng", visits] == 223 and central.loc["Số đơn vị có số liệu", visits] == "3/9"
    assert central.loc["Số đơn vị có số liệu", "Chỉ số cải cách hành chính (PAR INDEX): điểm (điểm)"] == "0/9"
    provinces = sheets["Địa phương"].set_index("Đơn vị")
    assert len(provinces) == 63 + 2
    assert provinces.loc["Tỉnh Cà Mau", "Chỉ số cải cách hành chính (PAR INDEX): điểm (điểm)"] == 85.5
    assert pd.isna(provinces.loc["Tổng cộng", "Chỉ số cải cách hành chính (PAR INDEX): điểm (điểm)"])  # never summed
    totals = sheets["Tổng hợp"].set_index("Chỉ tiêu")
    assert totals.loc["Số lượt tiếp công dân", ["Tổng cộng", "Tổng cộng: có số liệu"]].tolist() == [803, "5/62"]
    assert totals.loc["Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền", "Tổng cộng"] == 0.79  # shown as 79,00%
    reporting = sheets["Tình hình báo cáo"].set_index("Nhóm")
    assert reporting.loc["Địa phương", ["Phải báo cáo", "Đã báo cáo", "Chưa báo cáo"]].tolist() == [63, 53, 10]
    assert sheets["Cần kiểm tra"]["Đơn vị"].tolist() == [f.unit_name for f in result.findings]


def test_a_late_report_makes_a_new_version_that_says_what_changed(app, cycle_2023):
    first = compile_cycle(app, cycle_2023.id, as_of=V1_DAY, trigger="quorum")
    again = compile_cycle(app, cycle_2023.id, as_of=date(2024, 6, 11))  # nothing new received: same inputs
    assert (again.version, again.created, again.files) == (1, False, first.files)
    assert again.footnote == FOOTNOTE_V1

    late_reports(app, cycle_2023)
    second = compile_cycle(app, cycle_2023.id, as_of=V2_DAY, trigger="late_report")
    assert (second.version, second.created) == (2, True)
    assert second.footnote == FOOTNOTE_V2
    assert second.changes["units_added"] == ["Tỉnh Quảng Trị", "Tỉnh An Giang"]
    visits = next(t for t in second.changes["overall_changed"] if t["indicator"] == "reception_visits")
    assert (visits["before"], visits["after"], visits["reported_before"], visits["reported_after"]) == (803, 1155, 5, 6)
    assert "- Số lượt tiếp công dân: 803 (5 đơn vị) → 1.155 (6 đơn vị)" in second.markdown
    assert first.files["docx"].exists() and second.files["docx"].parent.name == "v2"
    assert read_footnotes(Document(str(second.files["docx"])))[1] == FOOTNOTE_V2
    review = Document(str(second.files["review"]))
    assert "Thay đổi so với bản 1" in headings(review)
    assert "- Số lượt tiếp công dân: 803 (5 đơn vị) → 1.155 (6 đơn vị)" in paragraphs(second.files["review"])
    # The same clauses as the digest tells the version (models.compilation_summary.change_clauses).
    assert "- Thêm báo cáo của 2 đơn vị: Tỉnh Quảng Trị, Tỉnh An Giang" in paragraphs(second.files["review"])

    with app.session() as session:
        rows = session.exec(select(CompilationRow).order_by(CompilationRow.version)).all()
        audited = session.exec(select(AuditRow).where(AuditRow.action == "compile")).all()
    assert [(r.version, r.trigger, r.as_of) for r in rows] == [(1, "quorum", V1_DAY), (2, "late_report", V2_DAY)]
    assert rows[1].summary["changes"]["units_added"] == ["Tỉnh Quảng Trị", "Tỉnh An Giang"]
    assert len(audited) == 2
    assert compile_cycle(app, cycle_2023.id, as_of=V2_DAY).created is False


def test_editing_the_exemplary_list_is_a_new_version(app, cycle_2023):
    assert compile_cycle(app, cycle_2023.id, as_of=V1_DAY).version == 1
    assert draft_file(app, cycle_2023.id).exists()  # an empty list to fill in, written once
    assert compile_cycle(app, cycle_2023.id, as_of=V1_DAY).created is False
    write_exemplary(app, cycle_2023.id, {"II.1": ["Đài Truyền hình Việt Nam"]})
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    assert result.version == 2
    assert [f["kind"] for f in result.changes["findings_added"]] == ["exemplary_not_reported"]


@pytest.mark.parametrize("content, message", [
    ("exemplary: {IX: [Cà Mau]}", "mục 'IX' không có trong đề cương"),
    ("exemplary: {II.1: Cà Mau}", "mục 'II.1' phải là danh sách tên đơn vị"),
    ("exemplary: [", "Không đọc được tệp dữ liệu dự thảo"),
])
def test_a_bad_draft_file_is_a_clear_error(app, content, message):
    cycle = open_2023_danvan(app)
    path = draft_file(app, cycle.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        compile_cycle(app, cycle.id, as_of=V1_DAY)


def test_a_cycle_without_any_report_compiles_to_an_empty_draft(app):
    cycle = open_2023_danvan(app)
    result = compile_cycle(app, cycle.id, as_of=V1_DAY)
    assert result.footnote.splitlines()[0] == "00 bộ, ngành và 00/63 địa phương"
    assert result.findings == []
    sheets = pd.read_excel(result.files["xlsx"], sheet_name=None)
    assert sheets["Địa phương"].set_index("Đơn vị").loc["Số đơn vị có số liệu", "Số lượt tiếp công dân (lượt)"] == "0/0"
    doc = Document(str(result.files["docx"]))
    assert headings(doc)[0] == "I. KHÁI QUÁT CHUNG" and headings(doc)[-1] == "VI. KIẾN NGHỊ, ĐỀ XUẤT"
    assert "Không phát hiện điểm nào cần kiểm tra." in paragraphs(result.files["review"])


def test_a_run_that_loses_the_race_to_the_same_version_returns_it(app, monkeypatch):
    """Two runs of the same compilation at once (a retried flow): the second returns the first's version."""
    import tasks.compile as task
    from models.compilation_summary import inputs_hash

    cycle = open_2023_danvan(app)
    real = task.write_annex

    def another_run_finishes_first(path, comp, findings):
        with app.session() as session:
            session.add(CompilationRow(cycle_id=cycle.id, version=1, as_of=V1_DAY, inputs_hash=inputs_hash(comp, {}),
                                       trigger="quorum", summary={"footnote": "(bản của phiên kia)"}))
        return real(path, comp, findings)

    monkeypatch.setattr(task, "write_annex", another_run_finishes_first)
    result = compile_cycle(app, cycle.id, as_of=V1_DAY)
    assert (result.version, result.created, result.footnote) == (1, False, "(bản của phiên kia)")
