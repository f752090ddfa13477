"""The draft to be signed, as the drafter and the signer see it: the form of Nghị định 30/2020
(read back with python-docx and rendered by LibreOffice), sentences written from the figures in
the patterns of seed 000, and the national figures entered from their sources, with the checks
that catch seed 000's three sums that do not add up."""

import re
import shutil
import subprocess

import pytest
import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from models.errors import UserError
from services.intake import sweep_inbox
from tasks.compile import compile_cycle, draft_file
from tasks.docx_footnotes import read_footnotes
from tests.compilation_cases import EXEMPLARY, V1_DAY
from tests.helpers import open_2023_danvan, vn_at
from tests.prose_documents import to_pdf

RENDERS = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                             reason="LibreOffice and pdftotext render the draft")

# Seed 000's national figures, as its footnotes and sentences give them, with their three sums
# that do not add up: 3.827 + 1.337 + 1.708 = 6.872 ≠ 6.348; 57.393 + 131.209 = 188.602 ≠ 188.607;
# 148 + 348 = 496 ≠ 497 vụ and 164 + 325 = 489 ≠ 490 đối tượng.
NATIONAL = [
    {"label": "Số TTHC trên Cổng Dịch vụ công quốc gia", "value": "6.348", "unit": "TTHC",
     "section": "III.4", "source": "Cổng Dịch vụ công quốc gia, số liệu ngày 22/12/2023",
     "parts": {"thực hiện tại bộ, cơ quan Trung ương": "3.827", "thực hiện tại địa phương": "1.337",
               "ngành dọc tại địa phương": "1.708"}},
    {"label": "Số tiền kiến nghị thu hồi qua thanh tra", "value": "188.607", "unit": "tỷ đồng", "section": "III.5",
     "source": "Báo cáo của Thanh tra Chính phủ",
     "parts": {"về ngân sách nhà nước": "57.393", "về tổ chức, đơn vị": "131.209"}},
    {"label": "Số vụ chuyển cơ quan điều tra", "value": 497, "unit": "vụ", "section": "III.5",
     "source": "Báo cáo của Thanh tra Chính phủ",
     "parts": {"qua thanh tra hành chính": 148, "qua thanh tra, kiểm tra chuyên ngành": 348}},
    {"label": "Số đối tượng chuyển cơ quan điều tra", "value": 490, "unit": "đối tượng", "section": "III.5",
     "source": "Báo cáo của Thanh tra Chính phủ",
     "parts": {"qua thanh tra hành chính": 164, "qua thanh tra, kiểm tra chuyên ngành": 325}},
    {"label": "Số mô hình \"Dân vận khéo\" được công nhận", "indicator": "dvk_models_recognised", "value": "75.340",
     "source": "Báo cáo số 316-BC/BDVTW ngày 10/01/2024 của Ban Dân vận Trung ương"},
]


def write_draft(app, cycle_id, **data):
    path = draft_file(app, cycle_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def texts(path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def border_top(paragraph) -> bool:
    return paragraph._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:top')}") is not None


def test_the_draft_has_the_form_of_decree_30(app, cycle_2023):
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    doc = Document(str(result.files["docx"]))

    header = doc.tables[0]
    left, right = header.rows[0].cells
    assert right.width > left.width * 1.4  # about 6:4, so that the national title fits on one line
    issuer = left.paragraphs[0]
    assert issuer.text == "BỘ NỘI VỤ" and issuer.runs[0].bold and issuer.runs[0].font.size == Pt(13)
    assert border_top(left.paragraphs[1]) and left.paragraphs[2].text == "Số:      /BC-BNV"
    title, motto, rule, place = right.paragraphs
    assert title.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and title.runs[0].bold
    assert motto.text == "Độc lập - Tự do - Hạnh phúc" and motto.runs[0].bold and motto.runs[0].font.size == Pt(14)
    assert border_top(rule) and rule.text == ""
    assert place.text == "Hà Nội, ngày      tháng      năm 2024" and place.runs[0].italic

    body = doc.paragraphs
    at = [p.text for p in body].index("BÁO CÁO")
    kind, summary, under = body[at], body[at + 1], body[at + 2]
    assert kind.runs[0].bold and kind.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert summary.text == ("Kết quả thực hiện công tác dân vận của cơ quan hành chính nhà nước và chính quyền các cấp "
                            "năm 2023")
    assert summary.runs[0].bold and summary.alignment == WD_ALIGN_PARAGRAPH.CENTER and border_top(under)

    # Page numbers centred in the top margin, from page 2.
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(t.text for t in section.header._element.iter(qn("w:instrText")))
    assert all(p.text == "" for p in section.first_page_header.paragraphs)

    # Closing: "Nơi nhận" bold italic 12, the list 11 ending "- Lưu: VT, CTTN."; the signer's block from data.
    recipients, signer = doc.tables[-1].rows[0].cells
    lines = recipients.paragraphs
    assert lines[0].text == "Nơi nhận:" and lines[0].runs[0].bold and lines[0].runs[0].italic
    assert lines[0].runs[0].font.size == Pt(12) and {r.font.size for p in lines[1:] for r in p.runs} == {Pt(11)}
    listed = [p.text for p in lines[1:]]
    assert "- Văn phòng Chính phủ (Vụ QHĐP, VP BCSĐ CP);" in listed
    assert "- Ban Dân vận Trung ương (để phối hợp);" in listed
    assert all(x.endswith(";") for x in listed[:-1]) and listed[-1] == "- Lưu: VT, CTTN."
    assert [p.text for p in signer.paragraphs][:2] == ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]
    assert all(r.bold for p in signer.paragraphs[:2] for r in p.runs)
    assert "Họ và tên" not in signer.text and "QUYỀN HẠN" not in signer.text

    # Vietnamese, and the file's own properties (not python-docx's template of 2013).
    langs = {el.get(qn("w:val")) for el in doc.styles.element.iter(qn("w:lang"))}
    assert langs == {"vi-VN"}
    props = doc.core_properties
    assert props.language == "vi-VN" and props.author == "Vụ Công tác thanh niên"
    assert props.title.startswith("BÁO CÁO Kết quả thực hiện công tác dân vận")
    assert props.created.date() == V1_DAY and props.revision == 1


@RENDERS
def test_the_draft_renders_as_an_official_report(app, cycle_2023, tmp_path):
    write_draft(app, cycle_2023.id, exemplary=EXEMPLARY)
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    source = tmp_path / "du-thao.docx"
    shutil.copy(result.files["docx"], source)
    pdf = to_pdf(source)

    def page(n: int) -> list[str]:
        return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout.splitlines()

    first = page(1)
    top = [line for line in first if line.strip()][:6]
    assert re.fullmatch(r"\s*BỘ NỘI VỤ\s+CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", top[0]), top
    assert top[1].strip() == "Độc lập - Tự do - Hạnh phúc" and top[1].index("Độc") > top[0].index("CỘNG")
    assert top[2].strip() == "Số:      /BC-BNV" and top[2].index("Số") < top[0].index("CỘNG")
    width = max(len(line) for line in first)
    assert top[3].strip() == "Hà Nội, ngày           tháng       năm 2024" and top[3].index("Hà") > width / 3
    kind = next(line for line in first if line.strip() == "BÁO CÁO")
    assert abs(kind.index("B") - (width - len(kind.strip())) / 2) < width / 8  # centred
    assert not any(line.strip() == "1" for line in first)  # no number on the first page
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                            text=True).stdout).group(1))
    assert 1 < pages < 15
    for n in range(2, pages + 1):
        assert page(n)[0].strip() == str(n)  # the number heads every later page


def test_sections_open_with_sentences_written_from_the_figures(app, cycle_2023):
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    draft = texts(result.files["docx"])
    # The highest values stand out when the drafter named no exemplary unit.
    assert ("Tiêu biểu như: Bộ Nội vụ (120 lượt), Văn phòng Chính phủ (103 lượt); các địa phương: Cà Mau (330 lượt), "
            "Cao Bằng (250 lượt) (số lượt tiếp công dân cao nhất).") in draft
    # Indexes by group, top and bottom, never a table of every unit; a rank sorts ascending.
    assert ("Về xếp hạng chỉ số cải cách hành chính (PAR INDEX): các địa phương (2 đơn vị có số liệu) theo thứ "
            "tự là Cà Mau (30/63), Cao Bằng (50/63).") in draft
    # What only a person can write is marked, highlighted, in every section.
    doc = Document(str(result.files["docx"]))
    marked = [p for p in doc.paragraphs if p.text.startswith("[Người soạn thảo viết")]
    stream = app.config.stream("danvan")
    assert len(marked) == sum(len(s.items) or 1 for s in stream.sections) == 19
    assert all(p.runs[0]._r.find(f"{qn('w:rPr')}/{qn('w:highlight')}") is not None for p in marked)
    # Headings verbatim from seed 000, with their sub-items.
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "a) Khó khăn, hạn chế" in headings and "b) Nguyên nhân của khó khăn, hạn chế" in headings
    assert ("c) Kết quả Chỉ số hài lòng của người dân, tổ chức và doanh nghiệp đối với sự phục vụ của cơ quan, "
            "đơn vị") in headings
    assert "Bộ Nội vụ báo cáo, kiến nghị, đề xuất với Chính phủ, Thủ tướng Chính phủ chỉ đạo:" in draft


def test_the_opening_cites_the_year_s_guidance(app, cycle_2023):
    write_draft(app, cycle_2023.id, guidance="Công văn số 1432/BNV-CTTN ngày 03/4/2023")
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    opening = next(t for t in texts(result.files["docx"]) if t.startswith("Thực hiện "))
    assert ("; Bộ Nội vụ ban hành Công văn số 1432/BNV-CTTN ngày 03/4/2023 hướng dẫn các bộ, ngành và địa phương "
            "triển khai thực hiện. Trên cơ sở báo cáo của các bộ, ngành và địa phương") in opening


def test_national_figures_appear_with_their_source_and_the_checks_catch_seed_000_s_sums(app, cycle_2023):
    write_draft(app, cycle_2023.id, national=NATIONAL)
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    doc = Document(str(result.files["docx"]))
    draft = [p.text for p in doc.paragraphs]
    # Seed 000: "cả nước có 6.348 TTHC, trong đó 3.827 TTHC thực hiện tại bộ, cơ quan Trung ương, …"
    assert ("Năm 2023, cả nước có 6.348 TTHC trên Cổng Dịch vụ công quốc gia (trong đó: thực hiện tại bộ, cơ quan "
            "Trung ương 3.827 TTHC; thực hiện tại địa phương 1.337 TTHC; ngành dọc tại địa phương 1.708 TTHC).") in draft
    assert ("Năm 2023, số tiền kiến nghị thu hồi qua thanh tra trên cả nước là 188.607 tỷ đồng (trong đó: về ngân "
            "sách nhà nước 57.393 tỷ đồng; về tổ chức, đơn vị 131.209 tỷ đồng).") in draft
    assert "Năm 2023, cả nước có 75.340 mô hình \"Dân vận khéo\" được công nhận." in draft
    notes = read_footnotes(doc)
    assert "Số liệu từ Cổng Dịch vụ công quốc gia, số liệu ngày 22/12/2023." in notes.values()
    assert "Số liệu từ Báo cáo số 316-BC/BDVTW ngày 10/01/2024 của Ban Dân vận Trung ương." in notes.values()

    sums = {f.message for f in result.findings if f.kind == "national_parts_sum"}
    assert len(sums) == 4
    for total, found in (("6.348", "6.872"), ("188.607", "188.602"), ("497", "496"), ("490", "489")):
        assert any(f"tổng là {total} " in m and f"= {found} " in m for m in sums), (total, found, sums)
    review = texts(result.files["review"])
    assert any("6.872" in t for t in review) or any("6.872" in c.text for t in Document(str(
        result.files["review"])).tables for r in t.rows for c in r.cells)
    assert "Số liệu toàn quốc do người soạn thảo nhập (5)" in review


def test_a_national_figure_below_the_units_own_sum_is_to_be_checked(app, cycle_2023):
    write_draft(app, cycle_2023.id, national=[{"indicator": "reception_visits", "value": 800,
                                               "source": "Báo cáo số 1/BC-TTCP của Thanh tra Chính phủ"}])
    result = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    (finding,) = [f for f in result.findings if f.kind == "national_units_exceed_national"]
    assert "800" in finding.message and "803" in finding.message
    sentence = next(t for t in texts(result.files["docx"]) if "cả nước có 800" in t)
    assert sentence.endswith("; theo số liệu của 5/62 cơ quan, đơn vị đã gửi báo cáo, tổng số là 803 lượt.")


@pytest.mark.parametrize("entry, message", [
    ({"label": "x", "value": 6.348, "source": "y"}, "phải viết trong ngoặc kép"),
    ({"label": "x", "value": "1"}, "nguồn"),
    ({"indicator": "no_such", "value": 1, "source": "y"}, "không có trong danh mục"),
    ({"label": "x", "value": 1, "source": "y", "section": "IX"}, "không có trong đề cương"),
])
def test_a_bad_national_figure_is_a_clear_error(app, cycle_2023, entry, message):
    write_draft(app, cycle_2023.id, national=[entry])
    with pytest.raises(UserError, match=message):
        compile_cycle(app, cycle_2023.id, as_of=V1_DAY)


@RENDERS
def test_the_demo_cycle_s_draft_is_under_fifteen_pages(app, tmp_path):
    from dvtracker.demo import LAST_DAY, plan_arrivals

    cycle = open_2023_danvan(app)
    arrivals = plan_arrivals(app, tmp_path)
    app.settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    for day in sorted({a.day for a in arrivals}):
        for a in (a for a in arrivals if a.day == day):
            (app.settings.inbox_dir / a.name).write_bytes(a.content)
        sweep_inbox(app, received_at=vn_at(day))
    result = compile_cycle(app, cycle.id, as_of=LAST_DAY)
    assert result.footnote.startswith("09 bộ, ngành và 5")  # the demo's quorum and more
    source = tmp_path / "demo.docx"
    shutil.copy(result.files["docx"], source)
    info = subprocess.run(["pdfinfo", str(to_pdf(source))], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) < 15


def test_exemplary_units_read_as_the_report_writes_them():
    from models.report_prose import exemplary_text

    labels = {"central": "bộ, ngành", "provincial": "địa phương"}
    assert exemplary_text({"central": ["Bộ Tài chính"], "provincial": ["Cà Mau", "Cao Bằng"]}, labels) == (
        "Tiêu biểu như: Bộ Tài chính; các địa phương: Cà Mau, Cao Bằng.")
    # Only provinces named: one colon, never "Tiêu biểu như: các địa phương: …"
    assert exemplary_text({"provincial": ["Bắc Giang", "Thanh Hóa"]}, labels) == (
        "Tiêu biểu như các địa phương: Bắc Giang, Thanh Hóa.")
