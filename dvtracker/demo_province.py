"""`dvtracker demo --collector quang-ninh`: the demo cycle one level down, Sở Nội vụ tỉnh Quảng Ninh
collecting the 2025 annual dân vận reports of its departments and its 54 communes.

The cycle is opened from request 120/SNV-XDCQ of 20/11/2025 ("trước ngày 10/12/2025"). Sample
reports (marked "[DỮ LIỆU MẪU]") of 7 of the 14 departments and 47 of the 54 communes arrive from
24/11 to 19/12/2025: the quorum (30 % of the departments, 80 % of the communes, calendar.yaml)
is reached with the late ones of 11–12/12, and two later communes make versions 2 and 3.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from dvtracker.demo import Arrival, DemoCycle, sample_arrival, sample_report
from wiring.app import App

CYCLE_ID = "danvan-2025-annual"
REQUEST, ISSUED, DEADLINE = "120/SNV-XDCQ", date(2025, 11, 20), "trước ngày 10/12/2025"
LETTER, LETTER_ISSUED = "151/SNV-XDCQ", date(2025, 12, 18)  # the công văn đôn đốc, drafted 17/12, signed 18/12
FIRST_DAY, LAST_DAY = date(2025, 11, 24), date(2025, 12, 19)
ROSTER_DAY = date(2025, 12, 31)  # the end of the cycle's data window, the calendar year
DEPARTMENTS, COMMUNES = 7, 47  # who sends anything; the quorum needs 5 of 14 and 44 of 54
LATE = [date(2025, 12, 11), date(2025, 12, 12)]
AFTER = [date(2025, 12, 15), date(2025, 12, 17)]  # after the first compilation: new versions


def plan_arrivals(app: App, work_dir: Path) -> list[Arrival]:
    """Which file lands in the inbox on which day. Deterministic (seeded)."""
    rng = random.Random(20251120)
    departments = [u.id for u in app.roster.on(ROSTER_DAY, group="department")]
    communes = [u.id for u in app.roster.on(ROSTER_DAY, group="commune")]
    rng.shuffle(departments)
    rng.shuffle(communes)
    # The quorum is reached by the last commune before the two that come after the compilation.
    senders = departments[:DEPARTMENTS] + communes[:COMMUNES - 3]
    rng.shuffle(senders)
    senders += communes[COMMUNES - 3:COMMUNES]
    days = [FIRST_DAY + timedelta(days=i) for i in range((date(2025, 12, 9) - FIRST_DAY).days + 1)]  # the deadline: 09/12
    on_time = [d for d in days if app.calendar.is_working_day(d)]
    late_from = len(senders) - 2 - 7  # seven late ones, up to the quorum
    arrivals: list[Arrival] = []
    for i, uid in enumerate(senders):
        if i < late_from:
            day = on_time[i % len(on_time)]
        elif i < len(senders) - 2:
            day = LATE[(i - late_from) * len(LATE) // 7]
        else:
            day = AFTER[i - (len(senders) - 2)]
        doc_day = day - timedelta(days=rng.randint(0, 3))
        report = sample_report(app, uid, f"{20 + i}/BC", doc_day, rng, (CYCLE_ID, REQUEST, ROSTER_DAY))
        arrivals.append(sample_arrival(app, work_dir, day, uid, report, "mẫu", "xlsx" if i % 4 == 0 else "json"))
    arrivals.append(Arrival(date(2025, 12, 2), "bao-cao-hong.xlsx", b"PK\x03\x04 not really a workbook",
                            "tệp hỏng: bị từ chối"))
    first = next(a for a in arrivals if a.day == on_time[1] and a.name.endswith(".json"))
    arrivals.append(Arrival(on_time[3], f"gui-lai-{first.name}", first.content, "gửi lại trùng: không tạo phiên bản mới"))
    return sorted(arrivals, key=lambda a: (a.day, a.name))


# The demo cycles of the provinces' collectors, by their folder in data/provinces/.
PROVINCE_CYCLES = {"quang-ninh": DemoCycle(CYCLE_ID, 2025, REQUEST, ISSUED, DEADLINE, FIRST_DAY, LAST_DAY, ROSTER_DAY,
                                          plan_arrivals, letter=(LETTER, LETTER_ISSUED))}
