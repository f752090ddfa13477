from datetime import date

import pytest

from models.cycles import RequestInput, add_request, exempt_unit
from models.errors import UserError
from models.quorum import evaluate_quorum
from models.status import compute_status
from tests.helpers import open_2023_danvan, submit, submit_seed_000

DEADLINE = date(2024, 5, 31)


def status(app, cycle, as_of):
    with app.session() as session:
        return compute_status(session, cycle, app.roster, app.calendar, as_of)


@pytest.fixture
def seed_cycle(app):
    """Seed 000's cycle: 9 central units and 53 provinces reported, the others did not."""
    cycle = open_2023_danvan(app)
    _central, _provinces, missing_central, missing_provinces = submit_seed_000(app, cycle)
    return cycle, missing_central, missing_provinces


def test_seed_000_cycle_shows_exactly_21_plus_10_missing(app, seed_cycle):
    cycle, missing_central, missing_provinces = seed_cycle
    report = status(app, cycle, date(2024, 6, 10))
    summary = report.groups.set_index("group")
    assert summary.loc["central", ["expected", "actual", "missing"]].tolist() == [30, 9, 21]
    assert summary.loc["provincial", ["expected", "actual", "missing"]].tolist() == [63, 53, 10]
    assert summary.loc["overall", "reporting_rate"] == round(62 / 93, 4)
    missing = report.units_with("missing")
    assert set(missing[missing.group == "central"].unit_id) == missing_central
    assert set(missing[missing.group == "provincial"].unit_id) == missing_provinces
    assert set(missing.days_late) == {10} and set(missing.working_days_late) == {6}


def test_before_the_deadline_nobody_is_missing(app, seed_cycle):
    cycle, *_ = seed_cycle
    report = status(app, cycle, DEADLINE)
    assert report.overall()["missing"] == 0 and report.overall()["not_due"] == 31


def test_timeliness_and_days_late_in_calendar_and_working_days(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "89", date(2024, 5, 24), number="529/BC-UBND")  # An Giang, seed 003
    submit(app, cycle.id, "01", DEADLINE, number="10/BC-UBND")  # on the last day: on time
    submit(app, cycle.id, "45", date(2024, 6, 3), number="11/BC-UBND")  # Monday after: 3 days, 1 working day
    report = status(app, cycle, date(2024, 6, 5)).units.set_index("code")
    assert report.loc["89", ["status", "received_on", "doc_number"]].tolist() == ["on_time", date(2024, 5, 24), "529/BC-UBND"]
    assert report.loc["01", "status"] == "on_time"
    assert report.loc["45", ["status", "days_late", "working_days_late"]].tolist() == ["late", 3, 1]
    assert report.loc["bnv", ["status", "days_late", "working_days_late"]].tolist() == ["missing", 5, 3]


def test_drafts_do_not_count_and_the_first_complete_version_sets_the_date(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "45", date(2024, 5, 20), number="/BC-VP")  # "Số: /BC-VP": a draft
    submit(app, cycle.id, "46", date(2024, 5, 20), number=None)
    assert status(app, cycle, date(2024, 6, 3)).units.set_index("code").loc["45", "status"] == "draft_only"
    submit(app, cycle.id, "46", date(2024, 5, 30), number="20/BC-UBND")
    submit(app, cycle.id, "46", date(2024, 6, 10), number="21/BC-UBND", signer="corrected")
    row = status(app, cycle, date(2024, 6, 12)).units.set_index("code").loc["46"]
    assert row[["status", "received_on", "doc_number", "version", "versions"]].tolist() == [
        "on_time", date(2024, 5, 30), "21/BC-UBND", 3, 3]
    overall = status(app, cycle, date(2024, 6, 12)).overall()
    assert overall["actual"] == 1 and overall["draft_only"] == 1


def test_the_same_report_twice_is_one_version(app):
    cycle = open_2023_danvan(app)
    first = submit(app, cycle.id, "89", date(2024, 5, 24), number="529/BC-UBND")
    again = submit(app, cycle.id, "An Giang", date(2024, 5, 25), number="529/BC-UBND", doc_date=date(2024, 5, 24))
    assert (first.outcome, again.outcome) == ("accepted", "duplicate")
    assert again.submission.id == first.submission.id


def test_as_of_gives_the_answer_true_on_that_day(app):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "89", date(2024, 6, 4))
    with app.session() as session:
        add_request(session, cycle, app.calendar, RequestInput("3001/BNV-CTTN", date(2024, 6, 3), "chậm nhất ngày 7/6/2024", "reminder"))
        exempt_unit(session, cycle, app.roster, "bqp", "báo cáo mật", date(2024, 6, 5))
    early = status(app, cycle, date(2024, 6, 2))
    assert early.deadline == DEADLINE
    assert early.units.set_index("code").loc["89", "status"] == "missing"
    assert early.units.set_index("code").loc["bqp", "status"] == "missing"
    later = status(app, cycle, date(2024, 6, 6))
    assert later.deadline == date(2024, 6, 7) and later.deadline_request == "3001/BNV-CTTN"
    assert later.units.set_index("code").loc["89", "status"] == "on_time"
    assert later.units.set_index("code").loc["bqp", "status"] == "exempted"
    assert later.overall()["expected"] == 92


def test_a_successor_reports_for_its_predecessor(app):
    cycle = open_2023_danvan(app)
    # In 2026 the new Tỉnh An Giang (code 91) sends the old An Giang's 2023 report.
    result = submit(app, cycle.id, "An Giang", date(2026, 1, 5), number="5/BC-UBND", sender="Tỉnh An Giang")
    assert (result.unit.id, result.sender.id) == ("p2004-89", "p2025-91")
    row = status(app, cycle, date(2026, 1, 6)).units.set_index("unit_id").loc["p2004-89"]
    assert row["status"] == "late" and row["sender_name"] == "Tỉnh An Giang"
    # The new province succeeds two old ones (An Giang, Kiên Giang): naming only itself is ambiguous.
    with pytest.raises(UserError, match="kế thừa nhiều đơn vị"):
        submit(app, cycle.id, "p2025-91", date(2026, 1, 5), number="6/BC-UBND")
    # A code is read on the cycle's date: 91 was Kiên Giang in 2023.
    assert submit(app, cycle.id, "91", date(2026, 1, 5), number="6/BC").unit.name == "Tỉnh Kiên Giang"
    # Lào Cai (new, code 15) succeeds Lào Cai and Yên Bái; Yên Bái's report names code 15 of 2023.
    assert submit(app, cycle.id, "15", date(2026, 1, 5), number="7/BC").unit.name == "Tỉnh Yên Bái"
    with pytest.raises(UserError, match="không phải là đơn vị kế thừa"):
        submit(app, cycle.id, "An Giang", date(2026, 1, 5), number="8/BC", sender="Thành phố Hà Nội")


def test_quorum_by_share_and_by_required_unit(app, seed_cycle):
    cycle, *_ = seed_cycle
    report = status(app, cycle, date(2024, 6, 10))
    assert evaluate_quorum(report, {"shares": {"central": 0.3, "provincial": 0.8}}, app.roster).reached
    result = evaluate_quorum(report, {"shares": {"central": 0.5}}, app.roster)
    assert not result.reached and result.reasons == ["bộ, ngành: 9/30 đã báo cáo, cần 50% — chưa đạt"]
    assert not evaluate_quorum(report, {"required": ["p2004-89"]}, app.roster).reached
    assert not evaluate_quorum(report, {}, app.roster).reached
