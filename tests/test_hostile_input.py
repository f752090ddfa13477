"""Hostile input: zip bombs, huge sheets, external links, oversized files, bombs and poison in
JSON/YAML, tricks in file names (inbox and document service), template and markup injection.
Each gets a clear rejection (or is shown literally), in bounded memory, and nothing is written
outside the project's folders. Memory is measured with tracemalloc, never with a clock."""

import base64
import functools
import io
import json
import os
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import select

from models.cycles import RequestInput, add_request
from models.tables import BlobRow, CycleRow, IntakeRow, SubmissionRow
from tasks.compile import compile_cycle
from tasks.http_source import pull_documents
from tasks.intake import submit_files, sweep_inbox
from tasks.reminders import send_digest, send_due_reminders
from tests.helpers import add_contacts, fill_template, open_2023_danvan, peak_memory, submit, vn_at, vn_noon
from tests.test_faults import Service, doc, service  # noqa: F401  (the document service fixture)

RECEIVED = vn_noon(date(2024, 5, 24))
MB = 1024 * 1024
SHEET = "xl/worksheets/sheet2.xml"  # the template's second sheet, "Nội dung"
SHEET_HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def report(unit: str, **fields) -> bytes:
    return json.dumps({"cycle": "danvan-2023-annual", "unit": unit, "number": "1/BC-UBND", "date": "2024-05-20"}
                      | fields, ensure_ascii=False).encode()


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


# --- workbooks ------------------------------------------------------------------------------------
def template_parts(app, cycle, tmp_path) -> dict[str, bytes]:
    path = fill_template(app, cycle.id, tmp_path / "mau.xlsx", unit="89",
                         meta={"number": "529/BC-UBND", "date": date(2024, 5, 24)})
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def deflated_zip(parts: dict[str, bytes], name: str, head: bytes, block: bytes, repeat: int, tail: bytes, *,
                 declared: int | None = None, crc: int = 0) -> bytes:
    """A zip of ``parts`` whose member ``name`` inflates to ``head + block * repeat + tail``,
    written by hand (``block`` deflated once, its compressed bytes repeated) so that a member of
    gigabytes takes no time to build. The headers declare the true size, or ``declared`` (a lie)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = (c.compress(head) + c.flush(zlib.Z_FULL_FLUSH) + (c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)) * repeat
            + c.compress(tail) + c.flush())
    size = len(head) + len(block) * repeat + len(tail)
    members = [(n, _deflate(v), zlib.crc32(v), len(v)) for n, v in parts.items() if n != name]
    members.append((name, data, crc, declared if declared is not None else size))
    out, central = io.BytesIO(), io.BytesIO()
    for filename, body, checksum, length in members:
        encoded = filename.encode()
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, checksum, len(body),
                                  length & 0xFFFFFFFF, len(encoded), 0, 0, 0, 0, 0, out.tell()) + encoded)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, checksum, len(body), length & 0xFFFFFFFF,
                              len(encoded), 0) + encoded + body)
    offset = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central.getvalue()),
                          offset, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize("header, message", [
    ("true", "bảng tính quá lớn khi giải nén (3221 MB)"),
    ("lying", "không phải tệp Excel .xlsx hợp lệ (phần xl/worksheets/sheet2.xml hỏng: Bad CRC-32"),
])
def test_a_zip_bomb_is_refused_without_being_inflated(app, tmp_path, header, message):
    cycle = open_2023_danvan(app)
    parts = template_parts(app, cycle, tmp_path)
    bomb = tmp_path / "bom.xlsx"
    bomb.write_bytes(deflated_zip(parts, SHEET, SHEET_HEAD, b" " * MB, 3 * 1024, b"</sheetData></worksheet>",
                                  declared=None if header == "true" else len(parts[SHEET])))
    assert bomb.stat().st_size < 4 * MB  # 3 GiB once inflated
    [outcome], peak = peak_memory(lambda: submit_files(app, [bomb], received_at=RECEIVED))
    assert outcome.outcome == "rejected" and message in outcome.errors[0].message
    assert peak < 64 * MB


def test_a_sheet_of_a_million_rows_is_refused_without_being_read(app, tmp_path):
    cycle = open_2023_danvan(app)
    parts = template_parts(app, cycle, tmp_path)
    rows, tail = b"<row><c><v>1</v></c></row>" * 40_000, b"</sheetData></worksheet>"
    crc = zlib.crc32(tail, functools.reduce(lambda c, _: zlib.crc32(rows, c), range(25), zlib.crc32(SHEET_HEAD)))
    path = tmp_path / "trieu-dong.xlsx"
    path.write_bytes(deflated_zip(parts, SHEET, SHEET_HEAD, rows, 25, tail, crc=crc))  # 1 000 000 rows, 26 MB
    with zipfile.ZipFile(path) as z:  # a well-formed workbook, as a program would write it
        assert z.getinfo(SHEET).file_size > 25_000_000 and z.read(SHEET).count(b"<row>") == 1_000_000
    assert submit_files(app, [tmp_path / "mau.xlsx"], received_at=RECEIVED)[0].outcome == "accepted"  # warm up
    [outcome], peak = peak_memory(lambda: submit_files(app, [path], received_at=RECEIVED))
    assert outcome.outcome == "rejected"
    assert [p.message for p in outcome.errors] == [
        "bảng tính có phần quá lớn (xl/worksheets/sheet2.xml: hơn 100.000 phần tử): không phải mẫu báo cáo."]
    assert peak < 4 * MB


def test_a_workbook_linked_to_another_is_refused_and_the_link_never_followed(app, tmp_path, service):  # noqa: F811
    cycle = open_2023_danvan(app)
    path = fill_template(app, cycle.id, tmp_path / "lien-ket.xlsx", unit="89",
                         meta={"number": "529/BC-UBND", "date": date(2024, 5, 24)},
                         values={"reception_visits": "='[1]Sheet1'!A1"})
    requested = []
    service.files["nguon.xlsx"] = lambda handler: requested.append(handler.path)
    target = f"{service.base_url}/files/nguon.xlsx"
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    ns = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts["xl/externalLinks/externalLink1.xml"] = (
        f'<externalLink {ns}><externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>999</v></cell></row></sheetData>'
        '</sheetDataSet></externalBook></externalLink>').encode()
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/externalLinkPath" Target="{target}" TargetMode="External"/>'
        '</Relationships>').encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdX1" Type="{rel}/externalLink" '
                             'Target="externalLinks/externalLink1.xml"/></Relationships>'.encode())
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", b'</sheets><externalReferences><externalReference xmlns:r="' + rel.encode()
        + b'" r:id="rIdX1"/></externalReferences>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
                     b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)

    [outcome] = submit_files(app, [path], received_at=RECEIVED)
    assert outcome.outcome == "rejected"
    assert [p.message for p in outcome.errors] == [
        "ô chứa công thức '='[1]Sheet1'!A1': hãy nhập giá trị, không dùng công thức."]
    assert requested == []


# --- files ------------------------------------------------------------------------------------------
def test_a_200_mb_file_in_the_inbox_is_refused_unread_and_kept_aside(app):
    open_2023_danvan(app)
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    (inbox / "ha-noi.json").write_bytes(report("01"))
    [accepted] = sweep_inbox(app, received_at=RECEIVED)  # the path every file takes, warmed up
    assert accepted.outcome == "accepted"
    with open(inbox / "khong-lo.xlsx", "wb") as f:  # sparse: 200 MB that take no disk
        f.truncate(200 * MB)
    [outcome], peak = peak_memory(lambda: sweep_inbox(app, received_at=RECEIVED))
    assert (outcome.outcome, outcome.errors[0].message) == (
        "rejected", "tệp quá lớn (200 MB, tối đa 20 MB): tệp không được đọc.")
    assert peak < 4 * MB
    rejected = inbox / "rejected"
    assert (rejected / "khong-lo.xlsx").stat().st_size == 200 * MB  # kept, for a person to look at
    assert "tệp quá lớn (200 MB, tối đa 20 MB)" in (rejected / "khong-lo.xlsx.reason.txt").read_text("utf-8")
    with app.session() as session:
        assert [b.filename for b in session.exec(select(BlobRow))] == ["ha-noi.json"]


@pytest.mark.parametrize("name, content, message", [
    ("sau.json", b'{"unit": ' * 50_000 + b"1" + b"}" * 50_000, "lồng nhau quá sâu"),
    ("sau.yaml", b"a: " + b"[" * 50_000 + b"]" * 50_000, "lồng nhau quá sâu"),
    ("so-lon.json", b'{"indicators": {"reception_visits": ' + b"9" * 5000 + b"}}", "JSON không hợp lệ"),
    ("so-lon-2.json", report("02", indicators={"reception_visits": 10**400}), "số liệu quá lớn"),
    ("so-dai.json", report("02", indicators={"reception_visits": "1." + "000." * 300 + "000"}), "quá dài"),
    ("cuoi.yaml", b'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                  b'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
                  b'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n', "YAML alias"),
    ("nul.json", report("02", sections={"I": "Khái quát\u0000"}), "sections.I: chứa ký tự NUL"),
    ("nul.yaml", b'unit: "02"\nsigner: "A\\0B"\n', "mục signer: chứa ký tự NUL"),
    ("nua-cap.json", b'{"unit": "02", "signer": "\\ud800"}', "nửa cặp UTF-16"),
    ("cong-thuc.json", report("02", sections={"I": '=HYPERLINK("http://x.invalid","bấm")'}), "là công thức"),
    ("cong-thuc.yaml", b"unit: '02'\nnumber: ' =1+1'\n", "là công thức"),
    ("so-van-ban.json", report("02", number="+cmd|' /C calc'!A0"), "số văn bản '+cmd|' /C calc'!A0' không hợp lệ"),
    ("so-van-ban-2.json", report("02", number="@SUM(A1)"), "phải bắt đầu bằng chữ hoặc số"),
])
def test_poisoned_json_and_yaml_are_refused_clearly_and_the_batch_carries_on(app, tmp_path, name, content, message):
    open_2023_danvan(app)
    bad, good = tmp_path / name, tmp_path / "ha-noi.json"
    bad.write_bytes(content)
    good.write_bytes(report("01"))
    outcomes, peak = peak_memory(lambda: submit_files(app, [bad, good], received_at=RECEIVED))
    assert [o.outcome for o in outcomes] == ["rejected", "accepted"]
    assert message in str(outcomes[0].errors[0]), outcomes[0].errors
    assert peak < 64 * MB
    with app.session() as session:  # what was refused is still kept, byte for byte
        assert session.get(BlobRow, outcomes[0].blob_sha256).content == content


def test_tricks_in_inbox_file_names_stay_in_the_inbox_folders(app, tmp_path):
    open_2023_danvan(app)
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    secret = tmp_path / "ngoai" / "bi-mat.json"
    secret.parent.mkdir()
    secret.write_bytes(report("04"))
    long_name = "Báo cáo công tác dân vận tỉnh Hà Giang năm 2023"
    while len(os.fsencode(long_name + " của Ủy ban nhân dân.json")) <= 255:
        long_name += " của Ủy ban nhân dân"
    long_name += ".json"
    assert 235 < len(os.fsencode(long_name)) <= 255
    names = {
        "bao-cao\\..\\..\\etc\\passwd.json": report("01"),  # a Windows path: one name here
        "bao\ncao\rhai-phong.json": report("31"),
        long_name: report("02"),
        os.fsdecode(b"b\xe1o-c\xe1o-cao-bang.json"): report("06"),  # a Latin-1 name from another system
        "bao-cao-\u202enosj.exe": b"MZ\x90\x00",  # shown as "bao-cao-exe.json"
        "a" * 240 + ".json": b"{}",
    }
    for name, content in names.items():
        (inbox / name).write_bytes(content)
    os.symlink(secret, inbox / "lien-ket.json")
    (inbox / "lien-ket-hong.json").symlink_to(tmp_path / "khong-co.json")
    before = files_under(tmp_path)

    outcomes = sweep_inbox(app, received_at=RECEIVED)
    assert len(outcomes) == len(names) + 2 and sweep_inbox(app, received_at=RECEIVED) == []
    assert [p for p in inbox.iterdir() if p.is_file() or p.is_symlink()] == []
    new = files_under(tmp_path) - before
    assert all(p.parent in (inbox / "processed", inbox / "rejected") or p.name.startswith("dvtracker.db")
               or p == inbox.parent / ".inbox.lock" for p in new), new  # the sweep's lock, a fixed name
    assert all(len(os.fsencode(p.name)) <= 255 for p in new)
    by_unit = {o.unit_id: o for o in outcomes if o.outcome == "accepted"}
    assert set(by_unit) == {"p2004-01", "p2004-31", "p2004-02", "p2004-06"}
    assert by_unit["p2004-31"].source_ref == "bao?cao?hai-phong.json"
    assert by_unit["p2004-06"].source_ref == "b\ufffdo-c\ufffdo-cao-bang.json"
    links = [o for o in outcomes if o.source_ref.startswith("lien-ket")]
    assert [o.outcome for o in links] == ["rejected", "rejected"]
    assert all("liên kết (symlink)" in o.errors[0].message and o.blob_sha256 is None for o in links)
    assert secret.read_bytes() == report("04")  # the target is neither read, moved nor changed
    assert (inbox / "rejected" / "lien-ket.json").is_symlink()
    with app.session() as session:
        refs = [i.source_ref for i in session.exec(select(IntakeRow))]
        units = {s.unit_id for s in session.exec(select(SubmissionRow))}
    assert all(r.isprintable() for r in refs) and "p2004-04" not in units
    reasons = list((inbox / "rejected").glob("*.reason.txt"))
    assert len(reasons) == 4 and all(r.read_text("utf-8").startswith("Tệp: ") for r in reasons)


def test_tricks_in_document_names_from_the_service_write_nothing_anywhere(app, tmp_path, service):  # noqa: F811
    def named(doc_id, filename, unit):
        return {"id": doc_id, "filename": filename, "content_base64": base64.b64encode(report(unit)).decode()}

    service.page([named("vb-1", "../../../../etc/passwd.json", "01"), named("vb\x00-2", "a\x00b.json", "02"),
                  named("vb-3", "/tmp/" + "x" * 1000 + ".json", "04"), named("vb-4\n", "c\ud800.json", "06")], "c4")
    before = files_under(tmp_path)
    outcomes = pull_documents(app, retries=0)
    assert [(o.outcome, o.unit_id) for o in outcomes] == [("accepted", f"p2004-{c}") for c in ("01", "02", "04", "06")]
    assert [o.source_ref.rsplit("/", 1)[-1] for o in outcomes] == ["vb-1", "vb?-2", "vb-3", "vb-4?"]
    assert all(p.name.startswith("dvtracker.db") for p in files_under(tmp_path) - before)
    with app.session() as session:
        names = {b.filename for b in session.exec(select(BlobRow))}
    assert {"../../../../etc/passwd.json", "a?b.json", "c\ufffd.json"} <= names
    assert pull_documents(app, retries=0) == []  # the odd ids are recognised next time


# --- injection ------------------------------------------------------------------------------------
JINJA = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {{ ''.__class__.__mro__ }}"


def test_template_syntax_in_names_and_texts_is_shown_literally_never_run(app, cli, monkeypatch):
    from dvtracker.cli.common import console

    monkeypatch.setattr(console, "width", 250)
    cycle = open_2023_danvan(app, label=f"năm 2023 {JINJA}")
    with app.session() as session:
        add_request(session, session.get(CycleRow, cycle.id), app.calendar,
                    RequestInput("3001/BNV-CTTN", date(2024, 6, 3), "chậm nhất ngày 7/6/2024 {{ 6*7 }}", "reminder"))
    add_contacts(app, ("89", "email", "ag@angiang.example.invalid", "focal", "[/bold] {% raw %} [red]Ông A"))
    submit(app, cycle.id, "01", date(2024, 5, 20), signer="{{ lipsum.__globals__ }}",
           sections={"III.6": _section(f"Tiếp công dân {JINJA} {{% include '/etc/passwd' %}} [/]")})
    day = date(2024, 6, 10)
    run = send_due_reminders(app, cycle.id, day, now=vn_at(day, 9))
    assert [i.unit_id for i in run.sent] == ["p2004-89"]
    digest = send_digest(app, cycle.id, day, run, now=vn_at(day, 9))
    compiled = compile_cycle(app, cycle.id, as_of=day)

    eml = (app.settings.outbox_dir / "reminders" / cycle.id / f"{run.stage.id}--p2004-89.eml").read_bytes()
    import email
    from email import policy
    mail = email.message_from_bytes(eml, policy=policy.default)
    texts = {"subject": str(mail["Subject"]), "body": mail.get_content().replace("\r\n", "\n"),
             "digest": email.message_from_bytes(Path(digest.path).read_bytes(), policy=policy.default).get_content(),
             "markdown": compiled.markdown,
             "word": "\n".join(p.text for kind in ("docx", "materials", "review")
                                for p in Document(str(compiled.files[kind])).paragraphs)}
    for where, text in texts.items():
        assert JINJA in text, where  # the label, as written
        assert "49 xxx" not in text and "<class" not in text, where  # what running it would give
    # A reminder says the deadline once, as its day; the digest quotes the letter's wording.
    assert '"chậm nhất ngày 7/6/2024 {{ 6*7 }}"' in texts["digest"]
    assert "{% include '/etc/passwd' %}" in texts["word"] and "root:" not in texts["word"]

    for args in (["contacts", "list"], ["cycle", "show", cycle.id], ["submissions", "--cycle", cycle.id]):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    assert "[/bold] {% raw %} [red]Ông A" in cli("contacts", "list").stdout.replace("\n", "")


def _section(text):
    from models.reports import SectionEntry

    return SectionEntry("reported", text)
