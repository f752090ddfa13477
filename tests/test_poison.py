"""No input stops the cycle: an over-long field, a control character, a reader that breaks, a
shared string repeated without end, a bad option or setting. Each is refused alone with a
Vietnamese reason naming where, its bytes kept; what comes after it is processed, and the cycle
still gets its day and compiles (on SQLite and on PostgreSQL, where lengths are enforced)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

import tasks.intake as intake
from models.tables import BlobRow, IntakeRow, SectionRow, SubmissionRow
from services.compile import CompileRequest, compile_cycle
from services.tick import run_daily_tick
from tasks.intake import submit_files, sweep_inbox
from tests.helpers import fill_template, open_2023_danvan, peak_memory, vn_noon

RECEIVED = vn_noon(date(2024, 5, 24))
SAU_2 = date(2024, 6, 4)
MB = 1024 * 1024


def report(unit: str, **fields) -> bytes:
    return json.dumps({"cycle": "danvan-2023-annual", "unit": unit, "number": "1/BC-UBND", "date": "2024-05-20"}
                      | fields, ensure_ascii=False).encode()


def drop(app, name: str, content: bytes) -> None:
    app.settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    (app.settings.inbox_dir / name).write_bytes(content)


@pytest.mark.parametrize("field, value, message", [
    ("signer", "Nguyễn Văn A " * 25, "mục signer: Người ký quá dài (324 ký tự, tối đa 255)."),
    ("number", "1/" + "BC-UBND" * 10, "mục number: Số văn bản (ví dụ 529/BC-UBND) quá dài (72 ký tự, tối đa 64)."),
    ("answers_request", "2748/BNV-CTTN" * 6, "mục answers_request: Trả lời công văn số quá dài (78 ký tự, tối đa 64)."),
    ("signer", "Nguyễn\x07Văn A", "mục signer: Người ký chứa ký tự điều khiển U+0007 ở vị trí 7."),
])
def test_an_impossible_field_refuses_its_file_alone_and_the_day_goes_on(app, field, value, message):
    cycle = open_2023_danvan(app, quorum={"required": ["p2004-02"]})
    drop(app, "a-ha-noi.json", report("01", **{field: value}))
    drop(app, "b-ha-giang.json", report("02"))
    result = run_daily_tick(app, SAU_2, cycle_id=cycle.id)
    assert [(o.source_ref, o.outcome) for o in result.outcomes] == [("a-ha-noi.json", "rejected"),
                                                                    ("b-ha-giang.json", "accepted")]
    assert str(result.outcomes[0].errors[0]) == f"tệp a-ha-noi.json, {message}"
    assert result.cycles[0].quorum.newly_reached  # the day went on to the quorum
    with app.session() as session:
        assert session.get(BlobRow, result.outcomes[0].blob_sha256) is not None  # its bytes are kept
    assert sorted(p.name for p in (app.settings.inbox_dir / "rejected").iterdir()) == [
        "a-ha-noi.json", "a-ha-noi.json.reason.txt"]
    assert compile_cycle(app, CompileRequest.of(cycle=cycle.id, as_of=SAU_2)).created


def test_control_characters_of_a_word_table_are_removed_and_everything_downstream_works(app, tmp_path):
    cycle = open_2023_danvan(app)
    text = "Tiếp công dân\x07 thường xuyên\x1b[2J; đối thoại\x0b định kỳ.\r\nCó 21 cơ quan."
    [outcome] = submit_files(app, [_file(tmp_path, "an-giang.json", report("89", sections={"III.6": text}))],
                             received_at=RECEIVED)
    assert outcome.outcome == "accepted"
    assert "đã bỏ các ký tự điều khiển" in str(outcome.warnings[0])
    with app.session() as session:
        stored = session.exec(select(SectionRow.text).where(SectionRow.section_id == "III.6")).one()
    assert stored == "Tiếp công dân thường xuyên[2J; đối thoại định kỳ.\nCó 21 cơ quan."
    result = compile_cycle(app, CompileRequest.of(cycle=cycle.id, as_of=SAU_2))
    assert result.created and result.files["docx"].is_file()
    from services.tracking import status

    status(app, cycle.id, SAU_2, export=tmp_path / "tinh-hinh.xlsx")
    assert (tmp_path / "tinh-hinh.xlsx").stat().st_size > 0


def test_whatever_breaks_a_reader_refuses_that_file_alone(app, tmp_path, monkeypatch):
    open_2023_danvan(app)
    real = intake.read_form

    def breaks_on_ha_noi(form, **kwargs):
        if form.get("unit") == "01":
            raise KeyError("một lỗi không ai lường trước")
        return real(form, **kwargs)

    monkeypatch.setattr(intake, "read_form", breaks_on_ha_noi)
    outcomes = submit_files(app, [_file(tmp_path, "ha-noi.json", report("01")),
                                  _file(tmp_path, "ha-giang.json", report("02"))], received_at=RECEIVED)
    assert [o.outcome for o in outcomes] == ["rejected", "accepted"]
    assert outcomes[0].errors[0].message.startswith("không xử lý được tệp (KeyError: 'một lỗi không ai lường trước').")
    with app.session() as session:
        rows = session.exec(select(IntakeRow.outcome).order_by(IntakeRow.id)).all()
    assert rows == ["rejected", "accepted"]


def test_a_value_that_slips_past_a_reader_is_still_refused_before_the_database(app, tmp_path, monkeypatch):
    """The second defence: whatever a reader lets through, the flush checks every text against its
    column, on SQLite as on PostgreSQL, and the file is refused instead of failing the sweep."""
    open_2023_danvan(app)
    monkeypatch.setattr("models.report_form._LIMITS", {})  # a reader that forgot to check
    drop(app, "ha-noi.json", report("01", signer="x" * 300))
    drop(app, "ha-giang.json", report("02"))
    outcomes = sweep_inbox(app, received_at=RECEIVED)
    assert [(o.source_ref, o.outcome) for o in outcomes] == [("ha-giang.json", "accepted"), ("ha-noi.json", "rejected")]
    assert outcomes[1].errors[0].message == "giá trị submission.signer quá dài (300 ký tự, tối đa 255): không lưu được."
    with app.session() as session:
        assert len(session.exec(select(SubmissionRow)).all()) == 1


def test_a_shared_string_repeated_without_end_is_refused_before_it_is_read(app, tmp_path):
    cycle = open_2023_danvan(app)
    path = fill_template(app, cycle.id, tmp_path / "mau.xlsx", unit="89",
                         sections=dict.fromkeys(("I", "II.1", "II.2", "III.1"), ("Có báo cáo", "x")))
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    huge = b"<si><t>" + b"A" * (40 * MB) + b"</t></si>"
    shared = parts.get("xl/sharedStrings.xml")
    if shared is None:  # write-only workbooks keep strings inline: add the table and point cells at it
        shared = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                  b"</sst>")
    parts["xl/sharedStrings.xml"] = shared.replace(b"</sst>", huge + b"</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    bomb = tmp_path / "bom-chuoi.xlsx"
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 200 * 1024  # a small file…
    [outcome], peak = peak_memory(lambda: submit_files(app, [bomb], received_at=RECEIVED))
    assert outcome.outcome == "rejected"
    assert "một ô văn bản dài hơn 32.767 ký tự" in outcome.errors[0].message
    assert peak < 48 * MB  # …refused without building what it expands to


@pytest.mark.parametrize("args, line", [
    (["record", "--cycle", "danvan-2023-annual", "--unit", "01", "--number", "1/" + "B" * 100, "--date", "2024-05-24"],
     "Lỗi: Số văn bản: dài quá 64 ký tự.\n"),
    (["record", "--cycle", "danvan-2023-annual", "--unit", "01", "--number", "=HYPERLINK(\"http://x\")",
      "--date", "2024-05-24"],
     "Lỗi: Số văn bản '=HYPERLINK(\"http://x\")': không được bắt đầu bằng =, + hoặc @ (sẽ thành công thức "
     "trong Excel).\n"),
    (["cycle", "exempt", "danvan-2023-annual", "--unit", "01", "--reason", "x" * 600],
     "Lỗi: Lý do: dài quá 500 ký tự.\n"),
    (["cycle", "exempt", "danvan-2023-annual", "--unit", "01", "--reason", "=1+1"],
     "Lỗi: Lý do '=1+1': không được bắt đầu bằng =, + hoặc @ (sẽ thành công thức trong Excel).\n"),
    (["cycle", "exempt", "danvan-2023-annual", "--unit", "01", "--reason", "xoá màn hình \x1b[2J"],
     "Lỗi: Lý do 'xoá màn hình ?[2J': chứa ký tự điều khiển U+001B.\n"),
    (["cycle", "open", "--stream", "danvan", "--kind", "adhoc", "--name", "so-ket", "--year", "2023",
      "--label", "x" * 300, "--request", "1/BNV", "--issued", "2024-05-17", "--window-start", "2023-01-01",
      "--window-end", "2023-12-31"], "Lỗi: Tên kỳ: dài quá 255 ký tự.\n"),
    (["cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "-5", "--request", "1/BNV",
      "--issued", "2024-05-17"], "Lỗi: Năm '-5': phải từ 2000 trở lên.\n"),
    (["calendar", "add", "2026-11-27", "99999999"],
     "Lỗi: 99999999 ngày làm việc là quá xa (tối đa 2500 ngày, khoảng 10 năm).\n"),
    (["calendar", "add", "9999-12-31", "5"], "Lỗi: Ngày 31/12/9999 nằm ngoài lịch (từ 01/01/1990 đến 31/12/2100).\n"),
    (["status", "--cycle"], "Lỗi: tùy chọn --cycle cần một giá trị (xem: dvtracker --help)\n"),
    (["status", "--cylce", "x"], "Lỗi: không có tùy chọn --cylce; có phải ý là --cycle? (xem: dvtracker status --help)\n"),
    (["cycle", "opne"], "Lỗi: không có lệnh 'opne'; có phải ý là 'open'? (xem: dvtracker cycle --help)\n"),
    (["calendar", "add", "2026-11-27", "năm"],
     "Lỗi: giá trị không hợp lệ cho N: phải là số nguyên (xem: dvtracker calendar add --help)\n"),
])
def test_every_bad_command_is_one_vietnamese_line_with_exit_code_2(cli, app, args, line):
    open_2023_danvan(app)
    result = cli(*args)
    assert (result.exit_code, result.stderr, result.stdout) == (2, line, "")


def test_a_utf16_exemplary_file_is_one_line(cli, app, tmp_path):
    open_2023_danvan(app)
    listed = tmp_path / "tieu-bieu.yaml"
    listed.write_text('"II.1": [Cà Mau]\n', encoding="utf-16")
    result = cli("compile", "--cycle", "danvan-2023-annual", "--exemplary", str(listed))
    assert (result.exit_code, result.stderr) == (
        2, f"Lỗi: Tệp {listed} không phải văn bản mã UTF-8: hãy lưu lại với bảng mã UTF-8.\n")


@pytest.mark.parametrize("setting, value, line", [
    ("DVTRACKER_SMTP_PORT", "abc", "DVTRACKER_SMTP_PORT 'abc': phải là số nguyên."),
    ("DVTRACKER_MAX_FILE_MB", "-", "DVTRACKER_MAX_FILE_MB '-': phải là số nguyên."),
])
def test_a_setting_that_cannot_be_read_is_one_line(cli, monkeypatch, setting, value, line):
    from wiring.settings import get_settings

    monkeypatch.setenv(setting, value)
    get_settings.cache_clear()
    result = cli("cycles")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("Lỗi: Cấu hình không hợp lệ (biến môi trường DVTRACKER_… hoặc tệp ")
    assert result.stderr.endswith(line + "\n")


def test_a_broken_config_file_is_one_line(cli, monkeypatch, tmp_path):
    from wiring.settings import get_settings

    broken = tmp_path / "dvtracker.toml"
    broken.write_text("smtp_port = [\n", encoding="utf-8")
    monkeypatch.setenv("DVTRACKER_CONFIG", str(broken))
    get_settings.cache_clear()
    result = cli("cycles")
    assert result.exit_code == 2 and result.stderr.startswith(f"Lỗi: Không đọc được tệp cấu hình {broken}: ")
    assert result.stderr.count("\n") == 1


def test_terminal_control_sequences_never_reach_the_terminal(cli, app):
    open_2023_danvan(app)
    drop(app, "xoa-man-hinh-\x1b[2J.json", report("01"))
    result = cli("inbox")
    assert "\x1b" not in result.stdout + result.stderr
    assert result.exit_code == 0 and result.stdout.endswith("đã nhận: 1\n")


def _file(folder, name: str, content: bytes):
    path = folder / name
    path.write_bytes(content)
    return path


# --- generated reports ---------------------------------------------------------------------------------
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
_FIELD = st.one_of(st.none(), _TEXT, st.integers(min_value=-10**20, max_value=10**20),
                   st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(fields=st.fixed_dictionaries({
    "number": _FIELD, "signer": _FIELD, "answers_request": _FIELD, "date": _FIELD, "data_until": _FIELD,
    "sections": st.dictionaries(st.sampled_from(["I", "II.1", "III.6", "IX"]), _FIELD, max_size=3),
    "indicators": st.dictionaries(st.sampled_from(["reception_visits", "par_index_score", "nope"]), _FIELD,
                                  max_size=3),
}))
def test_any_generated_report_is_accepted_or_refused_with_a_reason_never_an_exception(app, tmp_path, fields):
    open_2023_danvan(app)
    content = json.dumps({"cycle": "danvan-2023-annual", "unit": "01"} | fields, ensure_ascii=False,
                         allow_nan=True).encode()
    [outcome] = submit_files(app, [_file(tmp_path, "sinh.json", content)], received_at=RECEIVED)
    assert outcome.outcome in ("accepted", "draft", "duplicate", "rejected")
    if outcome.outcome == "rejected":
        assert outcome.errors and all(p.message for p in outcome.errors)
        assert not any(p.message.startswith("không xử lý được tệp") for p in outcome.errors), outcome.errors
    said = " ".join(str(p) for p in outcome.errors + outcome.warnings)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", said), said  # what a coordinator reads is printable
