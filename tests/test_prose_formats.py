"""Word, PDF and edXML reports: a package of the prose report and the workbook, scans, the inbox,
and hostile files refused in bounded memory like the workbooks are."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import date

import pytest
from PIL import Image, ImageDraw

from tasks.intake import submit_files, sweep_inbox
from tests.helpers import fill_template, open_2023_danvan, vn_noon
from tests.prose_documents import AN_GIANG, DOCX_TYPE, XLSX_TYPE, edxml, seed_lines, write_docx
from tests.test_hostile_input import MB, deflated_zip, peak_memory

RECEIVED = vn_noon(date(2024, 5, 24))


@pytest.fixture
def cycle(app):
    return open_2023_danvan(app)


@pytest.fixture(scope="module")
def an_giang(tmp_path_factory):
    return write_docx(seed_lines(AN_GIANG), tmp_path_factory.mktemp("ag") / "529-BC-UBND.docx")


def package(path, *attachments, organ_id="000.00.00.H01"):
    path.write_bytes(edxml(organ_id=organ_id, organ_name="Ủy ban nhân dân tỉnh An Giang", code_number="529",
                           code_notation="BC-UBND", place="An Giang", date="2024/05/24",
                           subject="Báo cáo kết quả thực hiện công tác dân vận của cơ quan hành chính nhà nước và "
                                   "chính quyền các cấp năm 2023",
                           attachments=list(attachments)))
    return path


def test_a_package_of_the_report_and_its_workbook_is_one_submission(app, cycle, an_giang, tmp_path):
    annex = fill_template(app, cycle.id, tmp_path / "phu-luc.xlsx", unit="89",
                          values={"par_inspections": "10", "civil_service_inspections": "20", "reception_visits": "1.250"})
    path = package(tmp_path / "529.edxml", (an_giang.name, DOCX_TYPE, an_giang.read_bytes()),
                   ("phu-luc.xlsx", XLSX_TYPE, annex.read_bytes()))
    [o] = submit_files(app, [path], received_at=RECEIVED)
    assert (o.outcome, o.unit_id, o.doc_number, o.version) == ("accepted", "p2004-89", "529/BC-UBND", 1), o.errors
    assert [p["kind"] for p in o.document["parts"]] == ["docx", "form"]
    assert o.document["sections"]["III.5"] == "reported" and o.document["sections"]["VI"] == "empty"
    # The workbook's figures are the report's; the text's other figures wait for a review.
    assert {p["indicator"] for p in o.document["proposals"]} == {"par_index_score", "par_index_rank", "papi_score",
                                                                 "sipas_score", "papi_rank", "sipas_rank"}
    assert o.figures_pending
    conflict = [w for w in o.warnings if "civil_service_inspections" in w.message]
    assert conflict and "phụ lục ghi '20', văn bản ghi '21'" in conflict[0].message
    with app.session() as session:
        from sqlmodel import select

        from models.tables import SectionRow, SubmissionRow, ValueRow
        sub = session.exec(select(SubmissionRow)).one()
        values = {v.indicator_id: v.value for v in session.exec(select(ValueRow).where(
            ValueRow.submission_id == sub.id, ValueRow.status == "reported"))}
        texts = {s.section_id: s.text for s in session.exec(select(SectionRow).where(SectionRow.submission_id == sub.id))}
    assert values == {"par_inspections": 10, "civil_service_inspections": 20, "reception_visits": 1250}
    assert texts["III.5"].startswith("Tỉnh ủy, Ủy ban nhân dân tỉnh thường xuyên chỉ đạo")


def test_a_workbook_alone_still_goes_the_old_way(app, cycle, tmp_path):
    annex = fill_template(app, cycle.id, tmp_path / "phu-luc.xlsx", unit="89",
                          meta={"number": "529/BC-UBND", "date": date(2024, 5, 24)}, values={"par_inspections": "10"})
    [o] = submit_files(app, [annex], received_at=RECEIVED)
    assert (o.outcome, o.document, o.figures_pending) == ("accepted", None, False)


def scan(path):
    page = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(page).text((100, 100), "So: 529/BC-UBND", fill="black")
    page.save(path, "PDF")
    return path


def test_a_scan_counts_by_its_envelope_and_needs_its_figures_entered(app, cycle, tmp_path):
    pdf = scan(tmp_path / "ban-quet.pdf")
    [alone] = submit_files(app, [pdf], received_at=RECEIVED)
    assert alone.outcome == "rejected" and "bản quét, không có lớp văn bản" in alone.errors[0].message
    assert "dvtracker record" in alone.errors[0].message
    path = package(tmp_path / "quet.edxml", ("ban-quet.pdf", "application/pdf", pdf.read_bytes()))
    [o] = submit_files(app, [path], received_at=RECEIVED)
    assert (o.outcome, o.unit_id, o.doc_number, o.received_on) == ("accepted", "p2004-89", "529/BC-UBND",
                                                                  date(2024, 5, 24)), o.errors
    assert o.figures_pending and any("cần nhập số liệu" in w.message for w in o.warnings)
    assert o.document["parts"] == [dict(name="ban-quet.pdf", kind="pdf", paragraphs=0, scanned=True)]


def test_the_inbox_takes_word_and_edxml_reports(app, cycle, an_giang, tmp_path):
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    (inbox / an_giang.name).write_bytes(an_giang.read_bytes())
    package(inbox / "529.edxml", (an_giang.name, DOCX_TYPE, an_giang.read_bytes()))
    outcomes = sweep_inbox(app, received_at=RECEIVED)
    assert sorted((o.source_ref, o.outcome) for o in outcomes) == [("529-BC-UBND.docx", "accepted"),
                                                                   ("529.edxml", "duplicate")]
    assert (inbox / "processed" / "529.edxml").exists() and (inbox / "processed" / an_giang.name).exists()
    # The same document, alone or in its envelope, says the same thing: one version.
    assert {o.version for o in outcomes} == {1}


# --- hostile files ---------------------------------------------------------------------------------
def docx_parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("header, message", [
    ("true", "tệp Word quá lớn khi giải nén (32"),
    ("lying", "không phải tệp Word .docx hợp lệ (phần word/document.xml hỏng: Bad CRC-32"),
])
def test_a_word_zip_bomb_is_refused_without_being_inflated(app, cycle, an_giang, tmp_path, header, message):
    parts = docx_parts(an_giang)
    head = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    bomb = tmp_path / "bom.docx"
    bomb.write_bytes(deflated_zip(parts, "word/document.xml", head, b" " * MB, 3 * 1024, b"</w:body></w:document>",
                                  declared=None if header == "true" else len(parts["word/document.xml"])))
    assert bomb.stat().st_size < 4 * MB
    [outcome], peak = peak_memory(lambda: submit_files(app, [bomb], received_at=RECEIVED))
    assert outcome.outcome == "rejected" and message in outcome.errors[0].message
    assert peak < 64 * MB
    inside = package(tmp_path / "bom.edxml", ("bom.docx", DOCX_TYPE, bomb.read_bytes()))
    [outcome], peak = peak_memory(lambda: submit_files(app, [inside], received_at=RECEIVED))
    assert outcome.outcome == "rejected" and "tệp đính kèm 'bom.docx'" in outcome.errors[0].message
    assert peak < 64 * MB


def test_a_word_document_of_a_million_elements_is_refused_without_being_read(app, cycle, an_giang, tmp_path):
    parts = docx_parts(an_giang)
    head = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    block = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 10_000
    tail = b"</w:body></w:document>"
    crc = zlib.crc32(tail, zlib.crc32(block * 100, zlib.crc32(head)))
    path = tmp_path / "trieu-doan.docx"
    path.write_bytes(deflated_zip(parts, "word/document.xml", head, block, 100, tail, crc=crc))
    [outcome], peak = peak_memory(lambda: submit_files(app, [path], received_at=RECEIVED))
    assert [p.message for p in outcome.errors] == [
        "tệp Word có phần quá lớn (word/document.xml: hơn 400.000 phần tử): không phải văn bản báo cáo."]
    assert peak < 8 * MB


def flate_bomb_pdf(inflated_mb: int) -> bytes:
    """A PDF whose page content inflates to ``inflated_mb`` megabytes (one deflated block repeated)."""
    c = zlib.compressobj(9)
    head = c.compress(b"q") + c.flush(zlib.Z_FULL_FLUSH)  # the zlib header, once
    block = c.compress(b" " * MB) + c.flush(zlib.Z_FULL_FLUSH)
    stream = head + block * inflated_mb + c.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def test_a_pdf_that_inflates_without_end_is_refused_in_bounded_memory(app, cycle, tmp_path):
    path = tmp_path / "bom.pdf"
    path.write_bytes(flate_bomb_pdf(1024))
    assert path.stat().st_size < 2 * MB  # 1 GiB once inflated
    [outcome], peak = peak_memory(lambda: submit_files(app, [path], received_at=RECEIVED))
    assert outcome.outcome == "rejected" and "tệp PDF giải nén quá lớn" in outcome.errors[0].message
    assert peak < 32 * MB


def test_broken_word_pdf_and_xml_files_are_refused_with_a_reason(app, cycle, tmp_path):
    broken_docx = tmp_path / "hong.docx"
    broken_docx.write_bytes(b"PK\x03\x04 not really a document")
    broken_pdf = tmp_path / "hong.pdf"
    broken_pdf.write_bytes(b"%PDF-1.4 ...")
    doc = tmp_path / "cu.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    cut = tmp_path / "cat.edxml"
    cut.write_bytes(package(tmp_path / "tmp.edxml", ("a.docx", DOCX_TYPE, b"x")).read_bytes()[:400])
    outcomes = submit_files(app, [broken_docx, broken_pdf, doc, cut], received_at=RECEIVED)
    reasons = [o.errors[0].message for o in outcomes]
    assert [o.outcome for o in outcomes] == ["rejected"] * 4
    assert reasons[0] == "không phải tệp Word .docx hợp lệ (tệp hỏng, bị cắt cụt hoặc là loại tệp khác)."
    assert reasons[1].startswith("không đọc được tệp PDF") and "dvtracker record" in reasons[1]
    assert reasons[2] == "tệp Word 97-2003 (.doc) không được hỗ trợ: hãy lưu lại dạng .docx hoặc PDF."
    assert reasons[3].startswith("gói edXML không phải XML hợp lệ (dòng ")


@pytest.mark.parametrize("body, message", [
    (b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b']><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:Subject>&b;</edXML:Subject>'
     b'</edXML:edXML>', "có khai báo DOCTYPE/ENTITY"),
    (b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM "file:///etc/passwd"><edXML:edXML '
     b'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>', "có khai báo DOCTYPE/ENTITY"),
    (b'<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">' + b"<a>" * 5000 + b"</a>" * 5000
     + b"</edXML:edXML>", "lồng nhau quá sâu"),
    (b'<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">' + b"<a/>" * 30_000 + b"</edXML:edXML>",
     "hơn 20.000 phần tử"),
])
def test_hostile_edxml_is_refused_before_anything_expands(app, cycle, tmp_path, body, message):
    path = tmp_path / "doc.edxml"
    path.write_bytes(body)
    [outcome] = submit_files(app, [path], received_at=RECEIVED)
    assert outcome.outcome == "rejected" and message in outcome.errors[0].message
    assert "root:" not in str(outcome.to_dict())  # /etc/passwd never read


def test_an_attachment_that_is_not_base64_is_named(app, cycle, tmp_path):
    path = package(tmp_path / "doc.edxml", ("bao-cao.docx", DOCX_TYPE, b"placeholder"))
    path.write_bytes(path.read_bytes().replace(b"cGxhY2Vob2xkZXI=", b"@@not base64@@"))
    [outcome] = submit_files(app, [path], received_at=RECEIVED)
    assert outcome.outcome == "rejected"
    assert "tệp đính kèm 'bao-cao.docx': nội dung base64 không giải mã được." in [p.message for p in outcome.warnings]


def test_overlong_fields_and_invisible_characters_never_reach_the_database(app, cycle, an_giang, tmp_path):
    long_symbol = package(tmp_path / "dai.edxml", (an_giang.name, DOCX_TYPE, an_giang.read_bytes()))
    long_symbol.write_bytes(long_symbol.read_bytes().replace(b">BC-UBND<", b">BC-" + b"X" * 80 + b"<"))
    [o] = submit_files(app, [long_symbol], received_at=RECEIVED)
    assert o.outcome == "rejected" and "số văn bản dài quá 64 ký tự" in o.errors[0].message
    lines = seed_lines(AN_GIANG)
    first = next(i for i, line in enumerate(lines) if line.startswith("Tỉnh An Giang nằm"))  # section I
    lines[first] = "Tỉnh An Giang\u202e nằm ở phía\u200b Tây Nam Tổ quốc"  # a right-to-left override, a zero-width space
    [o] = submit_files(app, [write_docx(lines, tmp_path / "an.docx")], received_at=RECEIVED)
    assert o.outcome == "accepted", o.errors
    with app.session() as session:
        from sqlmodel import select

        from models.tables import SectionRow
        text = session.exec(select(SectionRow.text).where(SectionRow.section_id == "I")).one()
    assert text.startswith("Tỉnh An Giang nằm ở phía Tây Nam Tổ quốc\n")
