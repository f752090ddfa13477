import contextlib
import json
from datetime import date

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from models.tables import AuditRow, BlobRow, IntakeRow, SectionRow, SubmissionRow, ValueRow
from tasks import intake
from tasks.intake import sweep_inbox
from tests.helpers import fill_template, open_2023_danvan, vn_noon

RECEIVED = vn_noon(date(2024, 5, 24))


def drop(app, name: str, content: bytes):
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(content)
    return inbox / name


def json_report(unit: str, number: str = "1/BC-UBND", **extra) -> bytes:
    return json.dumps({"cycle": "danvan-2023-annual", "unit": unit, "number": number, "date": "2024-05-20"} | extra,
                      ensure_ascii=False).encode("utf-8")


def test_the_sweep_moves_every_file_and_explains_every_rejection(app, tmp_path):
    open_2023_danvan(app)
    workbook = fill_template(app, "danvan-2023-annual", tmp_path / "an-giang.xlsx", unit="89",
                             meta={"number": "529/BC-UBND", "date": date(2024, 5, 24)})
    drop(app, "an-giang.xlsx", workbook.read_bytes())
    drop(app, "ha-noi.json", json_report("01"))
    drop(app, "nhap.json", json_report("02", number="Số: /BC-UBND"))
    drop(app, "am.json", json_report("31", indicators={"reception_visits": "-5"}))
    drop(app, "hong.xlsx", b"PK\x03\x04 not really a workbook")
    drop(app, ".dang-chep.json", json_report("04"))  # still being copied: left alone
    drop(app, "bao-cao.json.part", json_report("04"))

    outcomes = sweep_inbox(app, received_at=RECEIVED)
    assert [(o.source_ref, o.outcome) for o in outcomes] == [
        ("am.json", "rejected"), ("an-giang.xlsx", "accepted"), ("ha-noi.json", "accepted"),
        ("hong.xlsx", "rejected"), ("nhap.json", "draft")]
    inbox = app.settings.inbox_dir
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [".dang-chep.json", "bao-cao.json.part"]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["an-giang.xlsx", "ha-noi.json", "nhap.json"]
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == [
        "am.json", "am.json.reason.txt", "hong.xlsx", "hong.xlsx.reason.txt"]
    reason = (inbox / "rejected" / "am.json.reason.txt").read_text(encoding="utf-8")
    assert "Tệp: am.json" in reason and "Nhận lúc: 12:00 24/05/2024 (giờ Việt Nam)" in reason
    assert "- tệp am.json, mục indicators.reception_visits: Số lượt tiếp công dân: '-5' là số âm" in reason
    assert outcomes[0].blob_sha256 in reason
    assert "không phải tệp Excel .xlsx hợp lệ" in (inbox / "rejected" / "hong.xlsx.reason.txt").read_text("utf-8")
    with app.session() as session:
        rows = session.exec(select(IntakeRow).order_by(IntakeRow.id)).all()
        assert [(r.source, r.source_ref, r.outcome) for r in rows] == [
            ("inbox", o.source_ref, o.outcome) for o in outcomes]
        assert {b.filename for b in session.exec(select(BlobRow))} == {
            "am.json", "an-giang.xlsx", "ha-noi.json", "hong.xlsx", "nhap.json"}


def test_a_rerun_is_harmless_and_a_resent_file_keeps_both_copies(app):
    open_2023_danvan(app)
    drop(app, "ha-noi.json", json_report("01"))
    [first] = sweep_inbox(app, received_at=RECEIVED)
    assert sweep_inbox(app, received_at=RECEIVED) == []  # nothing new: nothing happens
    drop(app, "ha-noi.json", json_report("01"))  # the same file sent again
    drop(app, "ha-noi-2.json", json_report("01", number="2/BC-UBND"))  # a new version
    by_name = {o.source_ref: o for o in sweep_inbox(app, received_at=RECEIVED)}
    again, second = by_name["ha-noi.json"], by_name["ha-noi-2.json"]
    assert (first.outcome, again.outcome, second.outcome) == ("accepted", "duplicate", "accepted")
    assert (again.version, second.version) == (1, 2)
    processed = {p.name for p in (app.settings.inbox_dir / "processed").iterdir()}
    assert processed == {"ha-noi-2.json", "ha-noi.json", f"ha-noi-{first.blob_sha256[:8]}.json"}
    with app.session() as session:
        assert len(session.exec(select(SubmissionRow)).all()) == 2


@pytest.mark.parametrize("group", [1, 50])
def test_a_crash_after_the_commit_leaves_the_file_to_be_read_again_as_a_duplicate(app, monkeypatch, group):
    """The crash comes at the first move: after the first file's commit (one file a transaction)
    or after the whole group's (both files in one)."""
    app.settings.inbox_group_seconds = 3600  # groups as asked, however slow the machine
    open_2023_danvan(app)
    drop(app, "ha-noi.json", json_report("01"))
    drop(app, "hai-phong.json", json_report("31"))

    def crash(*_args):
        raise KeyboardInterrupt("mất điện")  # the process stops right after the first outcome is committed

    monkeypatch.setattr(intake.os, "replace", crash)
    with contextlib.suppress(KeyboardInterrupt):
        sweep_inbox(app, received_at=RECEIVED, group=group)
    inbox = app.settings.inbox_dir
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["ha-noi.json", "hai-phong.json"]
    monkeypatch.undo()
    outcomes = sweep_inbox(app, received_at=RECEIVED, group=group)
    assert [(o.source_ref, o.outcome) for o in outcomes] == [
        ("ha-noi.json", "duplicate"), ("hai-phong.json", "duplicate" if group > 1 else "accepted")]
    assert not [p for p in inbox.iterdir() if p.is_file()]
    with app.session() as session:
        assert len(session.exec(select(SubmissionRow)).all()) == 2


def test_an_empty_or_missing_inbox(app):
    assert sweep_inbox(app) == []
    assert (app.settings.inbox_dir / "processed").is_dir() and (app.settings.inbox_dir / "rejected").is_dir()


def test_a_file_that_cannot_be_moved_does_not_stop_the_sweep(app, monkeypatch):
    open_2023_danvan(app)
    drop(app, "ha-noi.json", json_report("01"))
    drop(app, "hai-phong.json", json_report("31"))
    real = intake.os.replace

    def refuse_the_first(source, target):
        if str(source).endswith("ha-noi.json"):
            raise PermissionError(13, "Permission denied")
        return real(source, target)

    monkeypatch.setattr(intake.os, "replace", refuse_the_first)
    outcomes = sweep_inbox(app, received_at=RECEIVED)
    assert [(o.source_ref, o.outcome, o.moved_to is None) for o in outcomes] == [
        ("ha-noi.json", "accepted", True), ("hai-phong.json", "accepted", False)]
    assert "không chuyển được tệp ra khỏi thư mục inbox" in str(outcomes[0].warnings[0])
    monkeypatch.undo()
    assert [o.outcome for o in sweep_inbox(app, received_at=RECEIVED)] == ["duplicate"]  # and then it leaves


# --- files committed in groups ---------------------------------------------------------------------
FIVE = [("a-ha-noi.json", "01"), ("b-ha-giang.json", "02"), ("c-hai-phong.json", "31"), ("d-quang-tri.json", "45"),
        ("e-an-giang.json", "89")]


def counts(app) -> dict:
    with app.session() as session:
        found = {t.__tablename__: session.exec(select(func.count()).select_from(t)).one()
                 for t in (BlobRow, SubmissionRow, SectionRow, ValueRow, IntakeRow)}
        found["audit_log"] = session.exec(select(func.count()).where(AuditRow.action == "submit")).one()
        return found


def five_in_the_inbox(app) -> None:
    """The 2023 cycle open, the five files in the inbox, and groups as asked however slow the machine."""
    app.settings.inbox_group_seconds = 3600
    open_2023_danvan(app)
    for name, unit in FIVE:
        drop(app, name, json_report(unit))


def in_inbox(app) -> list[str]:
    return sorted(p.name for p in app.settings.inbox_dir.iterdir() if p.is_file())


def test_a_file_that_breaks_in_the_middle_of_a_group_is_refused_alone(app, monkeypatch):
    """The third of five files breaks after its version, sections, figures and audit row are
    written: its savepoint takes them back, its bytes and refusal are committed with the others'
    reports, and each file is moved where its outcome says."""
    five_in_the_inbox(app)
    real = intake._describe

    def breaks_on_hai_phong(outcome, cycle, result):
        if result.unit.id.endswith("-31"):
            raise KeyError("một lỗi sau khi đã ghi")
        return real(outcome, cycle, result)

    monkeypatch.setattr(intake, "_describe", breaks_on_hai_phong)
    outcomes = sweep_inbox(app, received_at=RECEIVED, group=50)
    assert [(o.source_ref, o.outcome) for o in outcomes] == [
        ("a-ha-noi.json", "accepted"), ("b-ha-giang.json", "accepted"), ("c-hai-phong.json", "rejected"),
        ("d-quang-tri.json", "accepted"), ("e-an-giang.json", "accepted")]
    assert "KeyError" in outcomes[2].errors[0].message
    inbox = app.settings.inbox_dir
    assert in_inbox(app) == []
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [n for n, _ in FIVE if "hai-phong" not in n]
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == ["c-hai-phong.json", "c-hai-phong.json.reason.txt"]
    with app.session() as session:
        assert sorted(s.unit_id[-2:] for s in session.exec(select(SubmissionRow))) == ["01", "02", "45", "89"]
        assert len(session.exec(select(AuditRow).where(AuditRow.action == "submit")).all()) == 4
        assert [(r.source_ref, r.outcome, r.submission_id is None) for r in session.exec(
            select(IntakeRow).order_by(IntakeRow.id))] == [(o.source_ref, o.outcome, o.rejected) for o in outcomes]
        assert session.get(BlobRow, outcomes[2].blob_sha256) is not None  # its bytes are kept
    sections = len(app.config.stream("danvan").sections)
    assert counts(app)["submission_section"] == 4 * sections  # nothing of the refused version is left


def test_a_database_error_in_the_middle_of_a_group_moves_no_file_of_it(app, monkeypatch):
    """Groups of two; the database fails on the fourth file, the second of its group: the first
    group is committed and moved, nothing of the second is kept or moved (not even its first
    file, received without error), and the next sweep receives the rest."""
    five_in_the_inbox(app)
    real = intake._intake_row

    def fails_on_quang_tri(session, outcome, received_at):
        if outcome.source_ref == "d-quang-tri.json":
            raise OperationalError("INSERT INTO intake", {}, Exception("server closed the connection unexpectedly"))
        return real(session, outcome, received_at)

    monkeypatch.setattr(intake, "_intake_row", fails_on_quang_tri)
    with pytest.raises(OperationalError):
        sweep_inbox(app, received_at=RECEIVED, group=2)
    assert in_inbox(app) == ["c-hai-phong.json", "d-quang-tri.json", "e-an-giang.json"]
    sections = len(app.config.stream("danvan").sections)
    assert counts(app) | {"submission_value": 0} == {
        "blob": 2, "submission": 2, "submission_section": 2 * sections, "submission_value": 0, "intake": 2,
        "audit_log": 2}

    monkeypatch.undo()
    outcomes = sweep_inbox(app, received_at=RECEIVED, group=2)
    assert [(o.source_ref, o.outcome) for o in outcomes] == [
        ("c-hai-phong.json", "accepted"), ("d-quang-tri.json", "accepted"), ("e-an-giang.json", "accepted")]
    assert in_inbox(app) == [] and counts(app)["submission"] == 5


@pytest.mark.parametrize("group", [1, 3, 50])
def test_a_sweep_stores_the_same_whatever_its_groups(app, group):
    """A file a transaction, three, or all: the same outcomes, versions and reports; the same
    report twice in one group is a duplicate of the first."""
    five_in_the_inbox(app)
    drop(app, "f-nhap.json", json_report("04", number="Số: /BC-UBND"))
    drop(app, "g-hong.json", b"{not json")
    drop(app, "h-lai.json", json_report("01"))  # the same report as a-ha-noi.json, in the same group
    drop(app, "i-ha-noi-2.json", json_report("01", number="2/BC-UBND"))
    outcomes = sweep_inbox(app, received_at=RECEIVED, group=group)
    assert [(o.source_ref, o.outcome, o.version) for o in outcomes] == [
        ("a-ha-noi.json", "accepted", 1), ("b-ha-giang.json", "accepted", 1), ("c-hai-phong.json", "accepted", 1),
        ("d-quang-tri.json", "accepted", 1), ("e-an-giang.json", "accepted", 1), ("f-nhap.json", "draft", 1),
        ("g-hong.json", "rejected", None), ("h-lai.json", "duplicate", 1), ("i-ha-noi-2.json", "accepted", 2)]
    assert in_inbox(app) == []
    sections = len(app.config.stream("danvan").sections)
    assert counts(app) | {"submission_value": 0} == {
        "blob": 8, "submission": 7, "submission_section": 7 * sections, "submission_value": 0, "intake": 9,
        "audit_log": 7}


def test_a_group_that_takes_long_is_committed_before_it_is_full(app, monkeypatch):
    """A group's transaction holds SQLite's write lock: past inbox_group_seconds it is committed and
    its files moved, and the next files start a group of their own."""
    open_2023_danvan(app)
    drop(app, "ha-noi.json", json_report("01"))
    drop(app, "hai-phong.json", json_report("31"))
    app.settings.inbox_group_seconds = 0  # every file takes too long

    def crash(*_args):
        raise KeyboardInterrupt("mất điện")

    monkeypatch.setattr(intake.os, "replace", crash)
    with contextlib.suppress(KeyboardInterrupt):
        sweep_inbox(app, received_at=RECEIVED, group=50)
    assert counts(app)["submission"] == 1  # the first file's group was committed alone, then the crash
    monkeypatch.undo()
    assert [(o.source_ref, o.outcome) for o in sweep_inbox(app, received_at=RECEIVED, group=50)] == [
        ("ha-noi.json", "duplicate"), ("hai-phong.json", "accepted")]
