import hashlib
import io
import json
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from models.cycles import close_cycle
from models.status import compute_status
from models.tables import BlobRow, CycleRow, IntakeRow, SubmissionRow, ValueRow
from tasks.intake import submit_files
from tasks.workbook import write_template
from tests.helpers import fill_template, open_2023_danvan, vn_noon

AN_GIANG_META = {"number": "529/BC-UBND", "date": date(2024, 5, 24), "signer": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"}
AN_GIANG_VALUES = {"reception_visits": "22.153", "mass_delegations": "Không có", "par_index_score": "81,32",
                   "reception_persons": ("hơn 300", None), "dialogues_held": (12, "Có")}


@pytest.fixture
def cycle(app):
    return open_2023_danvan(app)


def status(app, cycle, as_of):
    with app.session() as session:
        return compute_status(session, session.get(CycleRow, cycle.id), app.roster, app.calendar, as_of)


def unit_row(app, cycle, as_of, code):
    return status(app, cycle, as_of).units.set_index("code").loc[code]


def an_giang_workbook(app, cycle, path, **changes):
    return fill_template(app, cycle.id, path, unit="89", meta=AN_GIANG_META | changes.pop("meta", {}),
                         sections={"I": ("Có báo cáo", "Tỉnh An Giang nằm ở phía Tây Nam Tổ quốc"),
                                   "VI": ("Không có nội dung", None)},
                         values=AN_GIANG_VALUES | changes.pop("values", {}))


def test_an_giang_529_from_the_template_is_on_time_with_its_figures(app, cycle, tmp_path):
    path = an_giang_workbook(app, cycle, tmp_path / "an-giang.xlsx")
    [outcome] = submit_files(app, [path], received_at=vn_noon(date(2024, 5, 24)))
    assert (outcome.outcome, outcome.unit_id, outcome.version, outcome.doc_number, outcome.errors) == (
        "accepted", "p2004-89", 1, "529/BC-UBND", [])
    row = unit_row(app, cycle, date(2024, 6, 5), "89")
    assert row[["status", "received_on", "doc_number"]].tolist() == ["on_time", date(2024, 5, 24), "529/BC-UBND"]
    with app.session() as session:
        sub = session.exec(select(SubmissionRow)).one()
        values = {v.indicator_id: v for v in session.exec(select(ValueRow).where(ValueRow.submission_id == sub.id))}
        blob = session.get(BlobRow, outcome.blob_sha256)
        intake = session.get(IntakeRow, outcome.intake_id)
    assert (sub.signer, sub.answers_request, sub.source) == ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "2748/BNV-CTTN", "file")
    assert (values["reception_visits"].value, values["reception_visits"].raw) == (22153, "22.153")
    assert (values["mass_delegations"].status, values["staff_trained"].status) == ("zero", "not_reported")
    assert values["reception_persons"].approximate and values["dialogues_held"].approximate
    assert values["par_index_score"].value == 81.32
    assert blob.content == path.read_bytes() and blob.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (intake.outcome, intake.submission_id, intake.unit_id) == ("accepted", sub.id, "p2004-89")


def test_the_template_is_one_form_per_cycle_with_vietnamese_sheets_and_validation(app, cycle, tmp_path):
    path = write_template(app, cycle.id, unit="Tỉnh An Giang", path=tmp_path / "mau.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Thông tin", "Nội dung", "Số liệu", "_dvtracker"]
    assert wb["_dvtracker"].sheet_state == "veryHidden" and wb["_dvtracker"]["B1"].value == "dvtracker-report/1"
    meta = {wb["Thông tin"].cell(r, 1).value: wb["Thông tin"].cell(r, 3).value for r in range(4, 13)}
    assert (meta["cycle"], meta["unit"], meta["answers_request"]) == (cycle.id, "Tỉnh An Giang", "2748/BNV-CTTN")
    assert [wb["Nội dung"].cell(r, 1).value for r in range(4, 18)][:3] == ["I", "II.1", "II.2"]
    lists = [dv.formula1 for ws in wb for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert '"Có báo cáo,Không báo cáo,Không có nội dung"' in lists and '"Đã ký ban hành,Dự thảo"' in lists
    custom = [dv for dv in wb["Số liệu"].data_validations.dataValidation if dv.type == "custom"]
    assert [(str(dv.sqref), dv.formula1) for dv in custom] == [("E4:E54", 'LEFT(TRIM(E4),1)<>"-"')]
    assert wb["Số liệu"].protection.sheet and not wb["Số liệu"]["E4"].protection.locked
    assert wb["Số liệu"]["E4"].number_format == "@"  # "22.153" stays as written


def test_broken_files_are_rejected_with_where_and_why_and_the_batch_carries_on(app, cycle, tmp_path):
    good = an_giang_workbook(app, cycle, tmp_path / "good.xlsx")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:3000])
    text_as_xlsx = tmp_path / "text.xlsx"
    text_as_xlsx.write_text("Số: 529/BC-UBND\nđây không phải bảng tính", encoding="utf-8")
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    renamed = fill_template(app, cycle.id, tmp_path / "renamed.xlsx", unit="01", meta=AN_GIANG_META)
    wb = load_workbook(renamed)
    wb["Số liệu"].title = "Sheet3"
    wb.save(renamed)
    formula = fill_template(app, cycle.id, tmp_path / "formula.xlsx", unit="02", meta=AN_GIANG_META,
                            values={"reception_visits": "=E19+E20", "staff_trained": "-4"})
    docx = tmp_path / "bao-cao.docx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.xlsx"
    locked = tmp_path / "mat-khau.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))

    paths = [truncated, text_as_xlsx, plain, renamed, formula, docx, pdf, empty, missing, locked, good]
    outcomes = submit_files(app, paths, received_at=vn_noon(date(2024, 5, 24)))
    assert [o.outcome for o in outcomes] == ["rejected"] * 10 + ["accepted"]
    reasons = {o.source_ref.rsplit("/", 1)[-1]: [str(p) for p in o.errors] for o in outcomes}
    assert reasons["truncated.xlsx"] == ["tệp truncated.xlsx: không phải tệp Excel .xlsx hợp lệ (tệp hỏng, bị cắt cụt "
                                         "hoặc là loại tệp khác)."]
    assert reasons["text.xlsx"] == [reasons["truncated.xlsx"][0].replace("truncated", "text")]
    assert "thiếu trang ẩn đánh dấu phiên bản mẫu" in reasons["plain.xlsx"][0]
    assert "thiếu trang 'Số liệu' (bảng tính có: 'Thông tin', 'Nội dung', 'Sheet3', '_dvtracker')" in reasons[
        "renamed.xlsx"][0]
    row = 4 + [i.id for i in app.catalogue("danvan")].index("reception_visits")
    assert reasons["formula.xlsx"] == [
        f"tệp formula.xlsx, trang 'Số liệu', ô E{row}: ô chứa công thức '=E19+E20': hãy nhập giá trị, không dùng "
        "công thức."]
    assert "tệp Word" in reasons["bao-cao.docx"][0] and "dvtracker record" in reasons["bao-cao.pdf"][0]
    assert reasons["empty.json"] == ["tệp empty.json: tệp rỗng."]
    assert "không đọc được tệp" in reasons["missing.xlsx"][0]
    assert "được đặt mật khẩu" in reasons["mat-khau.xlsx"][0]
    with app.session() as session:
        intakes = session.exec(select(IntakeRow).order_by(IntakeRow.id)).all()
        blobs = {b.sha256: b.content for b in session.exec(select(BlobRow))}
    assert [i.outcome for i in intakes] == [o.outcome for o in outcomes]
    for path, intake in zip(paths, intakes, strict=True):
        if path.exists():  # the original bytes are kept, whatever became of the file
            assert blobs[intake.blob_sha256] == path.read_bytes()
    assert intakes[0].errors[0]["message"].startswith("không phải tệp Excel")


def test_a_figure_error_names_the_sheet_and_cell(app, cycle, tmp_path):
    path = fill_template(app, cycle.id, tmp_path / "neg.xlsx", unit="89", meta=AN_GIANG_META,
                         values={"staff_trained": "-4", "reception_visits": "nhiều lắm"})
    [outcome] = submit_files(app, [path])
    rows = {i.id: 4 + n for n, i in enumerate(app.catalogue("danvan"))}
    assert {(p.sheet, p.cell, p.field) for p in outcome.errors} == {
        ("Số liệu", f"E{rows['staff_trained']}", "indicators.staff_trained"),
        ("Số liệu", f"E{rows['reception_visits']}", "indicators.reception_visits")}
    assert outcome.outcome == "rejected"


def test_json_and_yaml_forms_read_vietnamese_figures(app, cycle, tmp_path):
    yaml_file = tmp_path / "ha-noi.yaml"
    yaml_file.write_text(
        "cycle: danvan-2023-annual\nunit: Thành phố Hà Nội\nnumber: 10/BC-UBND\ndate: 2024-05-20\n"
        "sections:\n  III.6: {status: Có báo cáo, text: Tiếp công dân}\n  VI: {status: empty}\n"
        "indicators:\n  reception_visits: 22.153\n  mass_delegations: 03\n  staff_trained: 010\n"
        "  par_index_score: 7,97/10\n  petitions_received: null\n", encoding="utf-8")
    json_file = tmp_path / "hai-phong.json"
    json_file.write_bytes(b"\xef\xbb\xbf" + json.dumps({
        "cycle": "danvan-2023-annual", "unit": "31", "number": "11/BC-UBND", "date": "20/05/2024",
        "indicators": {"reception_visits": 1200, "reception_persons": "1.250", "dialogues_held": "Không có"},
    }, ensure_ascii=False).encode("utf-8"))
    utf16 = tmp_path / "hai-duong.json"
    utf16.write_bytes(json.dumps({"cycle": cycle.id, "unit": "Hải Dương", "number": "5/BC-UBND",
                                  "date": "2024-05-21"}, ensure_ascii=False).encode("utf-16"))
    outcomes = submit_files(app, [yaml_file, json_file, utf16], received_at=vn_noon(date(2024, 5, 21)))
    assert [(o.outcome, o.unit_name) for o in outcomes] == [
        ("accepted", "Thành phố Hà Nội"), ("accepted", "Thành phố Hải Phòng"), ("accepted", "Tỉnh Hải Dương")]
    with app.session() as session:
        values = {(v.submission_id, v.indicator_id): v for v in session.exec(select(ValueRow))}
    hn, hp = outcomes[0].submission_id, outcomes[1].submission_id
    assert values[hn, "reception_visits"].value == 22153  # YAML is read as written, not as the float 22.153
    assert (values[hn, "mass_delegations"].value, values[hn, "staff_trained"].value) == (3, 10)  # not octal
    assert (values[hn, "par_index_score"].value, values[hn, "par_index_score"].raw) == (7.97, "7,97/10")
    assert values[hn, "petitions_received"].status == "not_reported"
    assert (values[hp, "reception_visits"].value, values[hp, "reception_persons"].value) == (1200, 1250)
    assert values[hp, "dialogues_held"].status == "zero"


def test_wrong_encodings_and_malformed_text_are_rejected_with_the_reason(app, cycle, tmp_path):
    form = {"cycle": cycle.id, "unit": "Hà Nội", "number": "10/BC-UBND", "date": "2024-05-20"}
    cp1258 = tmp_path / "cp1258.json"
    # Windows-1258 writes "ộ" as "ô" + a combining dot below.
    cp1258.write_bytes(json.dumps(form, ensure_ascii=False).replace("ộ", "ô\u0323").encode("cp1258"))
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("unit: Cà Mau\nnumber: 10/BC-UBND\n".encode("latin-1"))
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"unit": "89",\n "number": }', encoding="utf-8")
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("unit: [89\nnumber: 1/BC\n", encoding="utf-8")
    not_a_mapping = tmp_path / "list.json"
    not_a_mapping.write_text("[1, 2]", encoding="utf-8")
    outcomes = submit_files(app, [cp1258, latin1, bad_json, bad_yaml, not_a_mapping])
    assert all(o.outcome == "rejected" for o in outcomes)
    messages = [o.errors[0].message for o in outcomes]
    assert messages[0].startswith("tệp không phải văn bản mã UTF-8 (byte 0xe0 ở vị trí")
    assert "hãy lưu lại với bảng mã UTF-8" in messages[1]
    assert messages[2].startswith("JSON không hợp lệ ở dòng 2, cột 12")
    assert messages[3].startswith("YAML không hợp lệ ở dòng")
    assert "bảng khoá - giá trị" in messages[4]


@pytest.mark.parametrize("form, field, message", [
    ({"unit": "Tỉnh Atlantis"}, "unit", "Đơn vị 'Tỉnh Atlantis' không có trong danh mục vào ngày 31/12/2023"),
    ({"unit": "Học viện Chính trị quốc gia Hồ Chí Minh"}, "unit", "không thuộc danh sách phải báo cáo"),
    ({"unit": "89", "cycle": "danvan-2099-annual"}, "cycle", "Không có kỳ báo cáo 'danvan-2099-annual'"),
    ({"unit": "89", "sender": "Thành phố Hà Nội"}, "sender", "không phải là đơn vị kế thừa"),
    ({"unit": "89", "cycle": None}, "cycle", "thiếu mã kỳ báo cáo"),
])
def test_validation_against_the_cycle_and_roster(app, cycle, tmp_path, form, field, message):
    form = {"cycle": cycle.id, "number": "1/BC", "date": "2024-05-20"} | form
    path = tmp_path / "r.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    [outcome] = submit_files(app, [path], received_at=vn_noon(date(2024, 5, 24)))
    assert outcome.outcome == "rejected" and outcome.errors[0].field == field
    assert message in outcome.errors[0].message


def test_an_unknown_unit_in_a_workbook_names_its_cell(app, cycle, tmp_path):
    path = fill_template(app, cycle.id, tmp_path / "x.xlsx", meta={"unit": "Tỉnh Atlantis", **AN_GIANG_META})
    [outcome] = submit_files(app, [path])
    assert (outcome.errors[0].sheet, outcome.errors[0].cell) == ("Thông tin", "C5")


def test_a_closed_cycle_and_a_cycle_other_than_the_one_asked(app, cycle, tmp_path):
    path = an_giang_workbook(app, cycle, tmp_path / "a.xlsx")
    [other] = submit_files(app, [path], cycle_id="qcdc-2023-annual")
    assert "không phải kỳ 'qcdc-2023-annual'" in other.errors[0].message
    with app.session() as session:
        close_cycle(session, session.get(CycleRow, cycle.id))
    [closed] = submit_files(app, [path])
    assert (closed.outcome, closed.errors[0].cell) == ("rejected", "C4")
    assert "đã đóng" in closed.errors[0].message


def test_versions_the_first_complete_date_counts_and_the_latest_figures(app, cycle, tmp_path):
    draft = an_giang_workbook(app, cycle, tmp_path / "draft.xlsx", meta={"number": "Số:    /BC-UBND"})
    first = an_giang_workbook(app, cycle, tmp_path / "v1.xlsx")
    second = an_giang_workbook(app, cycle, tmp_path / "v2.xlsx", values={"reception_visits": "22.160"})
    [d] = submit_files(app, [draft], received_at=vn_noon(date(2024, 5, 20)))
    assert d.outcome == "draft" and "lưu là dự thảo" in d.warnings[0].message
    assert unit_row(app, cycle, date(2024, 6, 5), "89")["status"] == "draft_only"
    [v1] = submit_files(app, [first], received_at=vn_noon(date(2024, 5, 24)))
    [v2, again] = submit_files(app, [second, first], received_at=vn_noon(date(2024, 6, 10)))
    assert [(o.outcome, o.version) for o in (d, v1, v2, again)] == [
        ("draft", 1), ("accepted", 2), ("accepted", 3), ("duplicate", 2)]
    row = unit_row(app, cycle, date(2024, 6, 12), "89")
    assert row[["status", "received_on", "version", "versions"]].tolist() == ["on_time", date(2024, 5, 24), 3, 3]
    with app.session() as session:
        latest = session.exec(select(ValueRow).where(ValueRow.submission_id == v2.submission_id,
                                                     ValueRow.indicator_id == "reception_visits")).one()
    assert latest.value == 22160


def test_a_successor_sends_an_old_cycles_report_in_2026(app, cycle, tmp_path):
    path = an_giang_workbook(app, cycle, tmp_path / "an-giang-2026.xlsx", meta={"sender": "Tỉnh An Giang"})
    kien_giang = tmp_path / "kien-giang.json"
    kien_giang.write_text(json.dumps({"cycle": cycle.id, "unit": "91", "sender": "An Giang", "number": "7/BC-UBND",
                                      "date": "2026-01-05"}, ensure_ascii=False), encoding="utf-8")
    outcomes = submit_files(app, [path, kien_giang], received_at=vn_noon(date(2026, 1, 5)))
    assert [(o.outcome, o.unit_id, o.unit_name, o.sender_name) for o in outcomes] == [
        ("accepted", "p2004-89", "Tỉnh An Giang", "Tỉnh An Giang"),
        ("accepted", "p2004-91", "Tỉnh Kiên Giang", "Tỉnh An Giang")]
    units = status(app, cycle, date(2026, 1, 6)).units.set_index("unit_id")
    assert units.loc["p2004-89", ["status", "sender_name"]].tolist() == ["late", "Tỉnh An Giang"]
    assert units.loc["p2004-91", "sender_id"] == "p2025-91"


def test_the_same_bytes_are_kept_once(app, cycle, tmp_path):
    path = an_giang_workbook(app, cycle, tmp_path / "a.xlsx")
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(path.read_bytes())
    outcomes = submit_files(app, [path, copy])
    assert [o.outcome for o in outcomes] == ["accepted", "duplicate"]
    with app.session() as session:
        assert len(session.exec(select(BlobRow)).all()) == 1
        assert len(session.exec(select(IntakeRow)).all()) == 2


def test_oversized_sheets_are_refused(app, cycle, tmp_path):
    path = an_giang_workbook(app, cycle, tmp_path / "big.xlsx")
    wb = load_workbook(path)
    ws = wb["Nội dung"]
    for r in range(30, 1100):
        ws.cell(r, 4, "x")
    buffer = io.BytesIO()
    wb.save(buffer)
    (tmp_path / "big.xlsx").write_bytes(buffer.getvalue())
    [outcome] = submit_files(app, [path])
    assert "hơn 1000 dòng" in outcome.errors[0].message and outcome.errors[0].sheet == "Nội dung"
