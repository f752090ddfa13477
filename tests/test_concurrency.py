"""Several processes at once on one database (PostgreSQL in production: READ COMMITTED): reports
submitted together, the same report twice, two daily ticks started together. Real OS processes,
released together by a barrier (tests/processes.py)."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

from sqlmodel import Session, func, select

from models.cycles import record_quorum
from models.status import compute_status
from models.tables import AuditRow, BlobRow, CycleRow, IntakeRow, ReminderRow, SectionRow, SubmissionRow
from tests.helpers import add_contacts, open_2023_danvan, vn_at, vn_noon
from tests.processes import daily_tick, run_together, submit_reports

RECEIVED = vn_noon(date(2024, 5, 24))  # before the deadline of 31/05/2024
SAU_2 = date(2024, 6, 4)  # the day of the reminder two working days after the deadline
HA_NOI, HAI_PHONG = "p2004-01", "p2004-31"


def report(unit: str, number: str = "1/BC-UBND", text: str = "Tiếp công dân") -> bytes:
    return json.dumps({"cycle": "danvan-2023-annual", "unit": unit, "number": number, "date": "2024-05-20",
                       "sections": {"III.6": text}}, ensure_ascii=False).encode()


def count(app, table, *where) -> int:
    with app.session() as session:
        return session.exec(select(func.count()).select_from(table).where(*where)).one()


def status_of(app, cycle_id, unit_id, day):
    with app.session() as session:
        units = compute_status(session, session.get(CycleRow, cycle_id), app.roster, app.calendar, day).units
    return units.set_index("unit_id").loc[unit_id]


def test_reports_submitted_at_once_by_four_processes_lose_nothing_and_duplicate_nothing(app):
    """Each process sends the same report of Hà Nội (all past the duplicate check before any
    inserts) and its own version of Hải Phòng's."""
    cycle = open_2023_danvan(app)
    same = ("ha-noi.json", report("01"))
    own = [(f"hai-phong-{n}.json", report("31", f"{n}/BC-UBND", f"Bản {n}")) for n in range(1, 5)]
    results = run_together(submit_reports, [(app.settings.model_dump(), [same, own[n]], RECEIVED, True)
                                            for n in range(4)])

    ha_noi = [r[0] for r in results]
    assert sorted(o[1] for o in ha_noi) == ["accepted", "duplicate", "duplicate", "duplicate"]
    assert {(o[3], o[4]) for o in ha_noi} == {(1, ha_noi[0][4])}  # one version, the one every process names
    hai_phong = [r[1] for r in results]
    assert [o[1] for o in hai_phong] == ["accepted"] * 4
    assert sorted(o[3] for o in hai_phong) == [1, 2, 3, 4]  # a version each, none lost, none twice

    with app.session() as session:
        subs = session.exec(select(SubmissionRow).order_by(SubmissionRow.unit_id, SubmissionRow.version)).all()
        texts = {s.version: session.exec(select(SectionRow.text).where(
            SectionRow.submission_id == s.id, SectionRow.section_id == "III.6")).one() for s in subs
            if s.unit_id == HAI_PHONG}
    assert [(s.unit_id, s.version) for s in subs] == [(HA_NOI, 1)] + [(HAI_PHONG, v) for v in (1, 2, 3, 4)]
    assert sorted(texts.values()) == [f"Bản {n}" for n in range(1, 5)]  # each version has its own content
    assert count(app, IntakeRow) == 8 and count(app, BlobRow) == 5
    assert count(app, SectionRow) == 5 * len(app.config.stream("danvan").sections)  # no orphan from a lost race
    ha_noi_now, hai_phong_now = (status_of(app, cycle.id, u, date(2024, 6, 5)) for u in (HA_NOI, HAI_PHONG))
    assert ha_noi_now[["status", "received_on", "versions"]].tolist() == ["on_time", date(2024, 5, 24), 1]
    assert hai_phong_now[["status", "version", "versions"]].tolist() == ["on_time", 4, 4]


def test_two_daily_ticks_started_together_do_the_work_once(app, smtp_server):
    """Two processes sweep the same inbox, send the day's reminders and check the quorum at once."""
    cycle = open_2023_danvan(app, quorum={"required": [HA_NOI, HAI_PHONG]})
    app.settings.smtp_host, app.settings.smtp_port, app.settings.smtp_timeout = "127.0.0.1", smtp_server.port, 5
    add_contacts(app, ("89", "email", "ag@angiang.example.invalid"), ("45", "email", "qt@quangtri.example.invalid"),
                 ("01", "email", "hn@hanoi.example.invalid"), ("02", "email", "hg@hagiang.example.invalid"))
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    files = {"ha-noi.json": report("01"), "hai-phong.json": report("31"), "ha-giang.json": report("02"),
             "cao-bang.json": report("04"), "ha-noi-lan-2.json": report("01"), "hong.json": b'{"unit": '}
    for name, content in files.items():
        (inbox / name).write_bytes(content)

    first, second = run_together(daily_tick, [(app.settings.model_dump(), cycle.id, SAU_2, vn_at(SAU_2, 9))] * 2)

    # Every file received by exactly one of the two, and moved once.
    swept = first["files"] + second["files"]
    assert sorted(name for name, _ in swept) == sorted(files)
    assert Counter(outcome for _, outcome in swept) == {"accepted": 4, "duplicate": 1, "rejected": 1}
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == sorted(set(files) - {"hong.json"})
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == ["hong.json", "hong.json.reason.txt"]
    assert count(app, IntakeRow) == 6 and count(app, SubmissionRow) == 4

    # Each reminder sent once, by one of the two; none to a unit whose report was in the inbox.
    reminders = first["reminders"] + second["reminders"]
    assert {unit for unit, _, _ in reminders} == {"p2004-45", "p2004-89"}
    assert sorted(r[:2] for r in reminders if r[2] == "sent") == [("p2004-45", "email"), ("p2004-89", "email")]
    assert sorted(a for m in smtp_server.mails for a in m.to) == ["ag@angiang.example.invalid",
                                                                   "qt@quangtri.example.invalid"]
    with app.session() as session:
        assert {(r.unit_id, r.status) for r in session.exec(select(ReminderRow))} == {
            ("p2004-45", "sent"), ("p2004-89", "sent")}

    # The quorum recorded once.
    assert sorted([first["quorum_newly_reached"], second["quorum_newly_reached"]]) == [False, True]
    assert first["quorum_reached_on"] == second["quorum_reached_on"] == SAU_2
    assert count(app, AuditRow, AuditRow.action == "quorum") == 1


def test_two_runs_that_both_read_the_cycle_before_the_quorum_was_recorded_record_it_once(app):
    cycle = open_2023_danvan(app)
    with Session(app.engine, expire_on_commit=False) as one, Session(app.engine, expire_on_commit=False) as two:
        mine, theirs = one.get(CycleRow, cycle.id), two.get(CycleRow, cycle.id)
        assert mine.quorum_reached_on is None and theirs.quorum_reached_on is None
        assert record_quorum(one, mine, date(2024, 6, 3)) is True
        one.commit()
        assert record_quorum(two, theirs, date(2024, 6, 4)) is False  # it still held the old row
        two.commit()
        assert theirs.quorum_reached_on == date(2024, 6, 3)  # and now sees the day recorded first
    with app.session() as session:
        assert session.get(CycleRow, cycle.id).quorum_reached_on == date(2024, 6, 3)
    assert count(app, AuditRow, AuditRow.action == "quorum") == 1


def test_two_compilations_at_once_leave_one_version_whose_files_are_its_own(app):
    """Both read the same reports and write their files at the same moment: one stores v1 and
    places its files, the other finds v1 stored; nothing of the loser is left on disk."""
    import hashlib

    from tasks.compile import latest_compilation
    from tests.processes import compile_together

    cycle = open_2023_danvan(app)
    submit_day = date(2024, 5, 24)
    from tests.helpers import submit

    submit(app, cycle.id, "89", submit_day, number="529/BC-UBND")
    first, second = run_together(compile_together, [(app.settings.model_dump(), cycle.id, SAU_2)] * 2)
    assert sorted([first[:2], second[:2]]) == [(1, False), (1, True)]
    row = latest_compilation(app, cycle.id)
    assert row.version == 1
    folder = app.settings.exports_dir / cycle.id
    assert sorted(p.name for p in folder.iterdir() if p.is_dir() or p.name.startswith(".")) == ["v1"]
    files = {kind: Path(path) for kind, path in row.summary["files"].items()}
    assert sorted(p.name for p in (folder / "v1").iterdir()) == sorted(p.name for p in files.values())
    placed = {kind: hashlib.sha256(path.read_bytes()).hexdigest() for kind, path in files.items()}
    assert placed == row.summary["file_sha256"]
