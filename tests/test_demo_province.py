"""The province demo's sample cycle (`dvtracker demo --collector quang-ninh`), replayed through the
core without Prefect: its reports are taken in, the quorum of Sở Nội vụ tỉnh Quảng Ninh is reached
with the late ones, two more come after it, and the status speaks the province's words."""

from __future__ import annotations

from datetime import date

import pytest

from dvtracker.demo import demo_settings
from dvtracker.demo_province import CYCLE_ID, DEADLINE, ISSUED, PROVINCE_CYCLES, REQUEST, plan_arrivals
from models.errors import UserError
from services.cycles import OpenCycle, open_cycle
from services.tracking import status
from tests.helpers import replay_demo
from tests.test_province import province  # noqa: F401  (the fixture: an app on data/provinces/quang-ninh)
from wiring.settings import Settings


def test_the_province_demo_reaches_its_quorum_with_the_late_reports(province, tmp_path):  # noqa: F811
    app = province
    opened = open_cycle(app, OpenCycle.of(stream="danvan", kind="annual", year=2025, request=REQUEST, issued=ISSUED,
                                          deadline=DEADLINE))
    demo = PROVINCE_CYCLES["quang-ninh"]
    assert opened["id"] == CYCLE_ID == demo.cycle_id
    arrivals = plan_arrivals(app, tmp_path / "one")
    assert [(a.day, a.name) for a in plan_arrivals(app, tmp_path / "two")] == [(a.day, a.name) for a in arrivals]
    outcomes, quorum_day, accepted_after = replay_demo(app, CYCLE_ID, arrivals, demo.first_day, demo.last_day)

    assert quorum_day == date(2025, 12, 12)  # after the deadline, with the late ones
    assert accepted_after == [date(2025, 12, 15), date(2025, 12, 17)]  # versions 2 and 3 of the compilation
    assert outcomes["bao-cao-hong.xlsx"] == "rejected"
    assert sum(o == "duplicate" for o in outcomes.values()) == 1
    assert sum(o == "accepted" for o in outcomes.values()) == 7 + 47
    groups = status(app, CYCLE_ID, demo.last_day).groups.set_index("group")
    assert groups.loc["department", ["group_label", "actual", "expected"]].tolist() == ["sở, ban, ngành", 7, 14]
    assert groups.loc["commune", ["group_label", "actual", "expected"]].tolist() == ["xã, phường, đặc khu", 47, 54]
    assert groups.loc["commune", "late"] > 0


def test_the_province_demo_has_its_own_data_and_var_folders(tmp_path):
    base = Settings(var_dir=tmp_path / "var")
    national, qn = demo_settings(base), demo_settings(base, "quang-ninh")
    assert national.var_dir == tmp_path / "var" / "demo" and national.data_dir == base.data_dir
    assert qn.var_dir == tmp_path / "var" / "demo-quang-ninh"
    assert qn.data_dir == base.data_dir / "provinces" / "quang-ninh"
    with pytest.raises(UserError, match="quang-ninh"):
        demo_settings(base, "ha-noi")
