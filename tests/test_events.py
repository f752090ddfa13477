"""A rejected file's event is related to the cycle it was meant for when the file says which
(issue 14, item 3): the cycle it names, the one of the công văn it answers, the one it was
submitted to; only a file that says none is related to "Kỳ báo cáo không xác định"."""

from __future__ import annotations

import json

from models import events
from models.events import CycleRef, resources
from services.tick import run_daily_tick, tick_events
from tests.helpers import open_2023_danvan
from tests.test_tick import SAU_2, drop

CYCLE = CycleRef("danvan-2023-annual", "2024-05-17T01:00:00", "Kỳ báo cáo dân vận CQHCNN & CQCC năm 2023", "bnv")


def test_a_rejected_file_that_names_its_cycle_is_related_to_it():
    event = events.rejected_file("ha-noi.json", "ab" * 32, ["mục unit: không có đơn vị 'X'."], "2024-06-04",
                                 named=CYCLE.id, cycles={CYCLE.id: CYCLE}, collector="bnv")
    resource, related = resources(event)
    assert resource == {"prefect.resource.id": f"dvtracker.bnv.file.{'ab' * 16}", "prefect.resource.name": "ha-noi.json",
                        "prefect.resource.role": "file", "dvtracker.cycle.id": CYCLE.id, "dvtracker.collector": "bnv"}
    assert related == [{"prefect.resource.id": "dvtracker.bnv.cycle.danvan-2023-annual",
                        "prefect.resource.name": "Kỳ báo cáo dân vận CQHCNN & CQCC năm 2023",
                        "dvtracker.cycle.id": CYCLE.id, "dvtracker.collector": "bnv", "prefect.resource.role": "cycle"}]
    assert event.name == events.REPORT_REJECTED and event.payload["cycle"] == CYCLE.id
    assert event.payload["errors"] == ["mục unit: không có đơn vị 'X'."]


def test_a_rejected_file_that_says_no_cycle_is_related_to_an_unknown_one():
    event = events.rejected_file("hong.xlsx", None, ["không phải tệp Excel .xlsx hợp lệ"], "2024-06-04",
                                 named=None, cycles={CYCLE.id: CYCLE}, collector="bnv")
    resource, related = resources(event)
    assert resource["prefect.resource.name"] == "hong.xlsx" and resource["prefect.resource.role"] == "file"
    assert related == [{"prefect.resource.id": "dvtracker.bnv.cycle.unknown", "prefect.resource.name": "Kỳ báo cáo không xác định",
                        "dvtracker.cycle.id": "unknown", "dvtracker.collector": "bnv", "prefect.resource.role": "cycle"}]
    # A cycle named but not in the database: unknown too, and the name says what the file wrote.
    named = events.rejected_file("cu.json", "cd" * 32, ["kỳ không tồn tại"], "2024-06-04", named="danvan-2099-annual",
                                 cycles={CYCLE.id: CYCLE}, collector="bnv")
    (cycle,) = resources(named)[1]
    assert cycle["prefect.resource.id"] == "dvtracker.bnv.cycle.unknown"
    assert cycle["prefect.resource.name"] == ("Kỳ báo cáo không xác định (tệp ghi kỳ 'danvan-2099-annual', "
                                              "không có trong hệ thống)")


def test_the_tick_relates_each_rejected_file_to_the_cycle_it_names(app):
    cycle = open_2023_danvan(app)
    drop(app, "a-unknown-unit.json", json.dumps({"cycle": cycle.id, "unit": "Tỉnh Không Có", "number": "1/BC",
                                                 "date": "2024-06-03"}).encode())
    drop(app, "b-by-request.json", json.dumps({"answers_request": "2748/BNV-CTTN", "unit": "01", "number": "1/BC",
                                               "date": "2024-06-03"}).encode())
    drop(app, "c-no-such-cycle.json", json.dumps({"cycle": "danvan-2099-annual", "unit": "01"}).encode())
    drop(app, "d-broken.json", b'{"unit": ')
    result = run_daily_tick(app, SAU_2, cycle_id=cycle.id)
    rejected = {e.payload["file"]: e for e in tick_events(result) if e.name == events.REPORT_REJECTED}
    assert sorted(rejected) == ["a-unknown-unit.json", "b-by-request.json", "c-no-such-cycle.json", "d-broken.json"]
    name = "Kỳ báo cáo dân vận CQHCNN & CQCC năm 2023"
    for file in ("a-unknown-unit.json", "b-by-request.json"):
        (related,) = resources(rejected[file])[1]
        assert (related["prefect.resource.id"], related["prefect.resource.name"], related["prefect.resource.role"]) \
            == (f"dvtracker.bnv.cycle.{cycle.id}", name, "cycle"), file
    for file in ("c-no-such-cycle.json", "d-broken.json"):
        (related,) = resources(rejected[file])[1]
        assert related["prefect.resource.id"] == "dvtracker.bnv.cycle.unknown", file
        assert related["prefect.resource.name"].startswith("Kỳ báo cáo không xác định"), file


def test_two_collectors_name_the_same_cycle_apart():
    """Two collectors on one Prefect server may both open "danvan-2023-annual": their resources,
    event ids and artifact keys differ by the collector, so neither dedupes nor triggers the other's."""
    theirs = CycleRef(CYCLE.id, CYCLE.opened_at, CYCLE.name, "snv-quangninh")
    ours_event = events.Event(events.QUORUM_REACHED, CYCLE, "q")
    their_event = events.Event(events.QUORUM_REACHED, theirs, "q")
    assert ours_event.id != their_event.id
    assert resources(ours_event)[0]["prefect.resource.id"] == "dvtracker.bnv.cycle.danvan-2023-annual"
    assert resources(their_event)[0]["prefect.resource.id"] == "dvtracker.snv-quangninh.cycle.danvan-2023-annual"
    assert events.artifact_keys("bnv", CYCLE.id)["status"] == "bnv-danvan-2023-annual-status"
    assert events.artifact_keys("snv-quangninh", CYCLE.id)["status"] == "snv-quangninh-danvan-2023-annual-status"
    assert events.group_rate_key("snv-quangninh", CYCLE.id, "commune") == "snv-quangninh-danvan-2023-annual-reporting-rate-commune"
