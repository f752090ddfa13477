import contextlib
import json
from datetime import date

from sqlmodel import select

from models.tables import BlobRow, IntakeRow, SubmissionRow
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


def test_a_crash_after_the_commit_leaves_the_file_to_be_read_again_as_a_duplicate(app, monkeypatch):
    open_2023_danvan(app)
    drop(app, "ha-noi.json", json_report("01"))
    drop(app, "hai-phong.json", json_report("31"))

    def crash(*_args):
        raise KeyboardInterrupt("mất điện")  # the process stops right after the first outcome is committed

    monkeypatch.setattr(intake.os, "replace", crash)
    with contextlib.suppress(KeyboardInterrupt):
        sweep_inbox(app, received_at=RECEIVED)
    inbox = app.settings.inbox_dir
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["ha-noi.json", "hai-phong.json"]
    monkeypatch.undo()
    outcomes = sweep_inbox(app, received_at=RECEIVED)
    assert [(o.source_ref, o.outcome) for o in outcomes] == [("ha-noi.json", "duplicate"), ("hai-phong.json", "accepted")]
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
