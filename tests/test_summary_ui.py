"""What a coordinator reads of the demo's cycle in the Prefect UI, through the days before, on
and after its deadline (31/05/2024): the `…-summary` artifact read through the Prefect API and
as the page Chromium renders. The counts add up and are those of `dvtracker status --json`; one
line per unit; no "quá hạn" before the deadline has passed; how many have not sent and how many
working days are left; on a day without a reminder stage, when the last one went; and
`dvtracker status --summary` prints the artifact's words."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from dvtracker.demo import CYCLE_ID, DEADLINE, ISSUED, REQUEST, plan_arrivals, write_contacts
from flows.daily_tick import daily_tick
from flows.open_cycle import open_cycle
from models.status import COUNT_PARTS
from services.reminders import import_contacts
from tasks.publish import artifact_keys
from tests.browser import page_text
from tests.test_flows import artifacts

pytestmark = [pytest.mark.prefect, pytest.mark.browser]

LAST_DAY = date(2024, 5, 31)
# 24/05 and 31/05 are reminder stages (−5, the day); 30/05 sends the −2 stage of 29/05, missed;
# 27/05 and 03/06 have none; on 07/06 the +5 stage (which replaces the missed +2 of 04/06) only
# drafts the công văn đôn đốc: nothing goes until its number is recorded.
DAYS = [date(2024, 5, 24), date(2024, 5, 27), date(2024, 5, 30), LAST_DAY, date(2024, 6, 3), date(2024, 6, 7)]
SENDING = {date(2024, 5, 24), date(2024, 5, 30), LAST_DAY}
WORKING_DAYS_LEFT = {date(2024, 5, 24): 6, date(2024, 5, 27): 5, date(2024, 5, 30): 2}
COLUMNS = ["units", "on_time", "late", "pending", "draft_only", "exempted", "expected", "actual"]


def latest(key: str):
    """The artifact the key's page shows: the latest of that key."""
    with get_client(sync_client=True) as client:
        [found] = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key])))
    return found


def group_rows(lines: list[str], sep: str) -> dict[str, list[int]]:
    """The summary's table, by group: its eight counts (in ``COLUMNS`` order)."""
    rows = {}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split(sep)]
        if len(cells) == 11 and cells[1].isdigit():
            rows[cells[0]] = [int(c) for c in cells[1:9]]
    return rows


def outstanding_section(lines: list[str], title: str) -> list[str]:
    start = next(i for i, x in enumerate(lines) if x.strip().lstrip("#").strip().startswith(title))
    end = next(i for i, x in enumerate(lines) if i > start and x.strip().lstrip("#").strip() == "Nhắc nhở")
    return lines[start + 1:end]


def test_the_summary_of_the_demo_cycle_reads_right_in_the_api_and_in_the_browser(flow_env, app, cli, prefect_api,
                                                                                 tmp_path):
    opened = open_cycle(stream="danvan", kind="annual", year=2023, request_number=REQUEST, issued_on=ISSUED,
                        deadline=DEADLINE)
    assert (opened["id"], opened["deadline"]) == (CYCLE_ID, LAST_DAY.isoformat())
    import_contacts(app, write_contacts(app, tmp_path / "contacts.csv"), ISSUED)
    arrivals = plan_arrivals(app, tmp_path / "samples")
    key = artifact_keys("bnv", CYCLE_ID)["summary"]
    ui = prefect_api.removesuffix("/api")
    last_round: tuple[date, int] | None = None

    for before, day in zip([date.min, *DAYS], DAYS, strict=False):
        flow_env.inbox_dir.mkdir(parents=True, exist_ok=True)
        for a in (a for a in arrivals if before < a.day <= day):  # what came since the last tick
            (flow_env.inbox_dir / a.name).write_bytes(a.content)
        state = daily_tick(as_of=day, cycle_id=CYCLE_ID, return_state=True)
        [mine] = artifacts(key, state.state_details.flow_run_id)
        shown = latest(key)
        assert shown.latest_id == mine.id and shown.description.endswith(f"ngày {day:%d/%m/%Y}")
        markdown = shown.data
        assert (state.result()["cycles"][CYCLE_ID]["reminders_sent"] > 0) == (day in SENDING)

        listed = json.loads(cli("status", "--cycle", CYCLE_ID, "--as-of", day.isoformat(), "--json").stdout)
        groups = {g["group_label"].capitalize(): g for g in listed["summary"]}  # bộ, ngành; địa phương; tổng cộng
        overall = next(g for g in listed["summary"] if g["group"] == "overall")
        assert sum(overall[k] for k in COUNT_PARTS) == overall["units"]
        assert cli("status", "--cycle", CYCLE_ID, "--as-of", day.isoformat(), "--summary").stdout == markdown

        page = page_text(f"{ui}/artifacts/artifact/{mine.id}", ["Việc cần làm", "Tệp đã xuất"])
        for text, sep in ((markdown, " | "), (page, "\t")):
            lines = text.splitlines()
            # Every group's row: the counts add up and are those of `dvtracker status --json`.
            rows = group_rows(lines, sep)
            assert set(rows) == set(groups), (day, text)
            for label, g in groups.items():
                want = [g["units"], g["on_time"], g["late"], g["missing"] + g["not_due"], g["draft_only"],
                        g["exempted"], g["expected"], g["actual"]]
                assert rows[label] == want, (day, label)
                units, on_time, late, pending, draft, exempted, expected, _ = rows[label]
                assert units == on_time + late + pending + draft + exempted and expected == units - exempted

            # One line per unit still to send, under its group.
            title = "Quá hạn, chưa báo cáo" if day > LAST_DAY else "Chưa gửi báo cáo"
            section = [x.strip().removeprefix("- ") for x in outstanding_section(lines, title)]
            waiting = overall["missing"] + overall["not_due"] + overall["draft_only"]
            assert f"{title} ({waiting})" in text
            listed_units = [x for x in section if ": " in x]
            assert len(listed_units) == waiting, (day, section)
            names = [x.split(": ")[0] for x in listed_units]
            assert len(set(names)) == waiting  # no unit twice, none glued to another
            assert all(x.count(": ") == 1 or "; đã nhắc: " in x for x in listed_units), (day, listed_units)

            if day <= LAST_DAY:
                assert re.search("quá hạn", text, re.IGNORECASE) is None, (day, text)
                when = ("hôm nay là ngày cuối của hạn nộp" if day == LAST_DAY
                        else f"còn {WORKING_DAYS_LEFT[day]} ngày làm việc đến hạn nộp 31/05/2024")
                assert f"Còn {waiting} đơn vị chưa gửi báo cáo" in text and when in text, (day, text)
            else:
                assert f"Đã quá hạn nộp 31/05/2024: {waiting} đơn vị chưa báo cáo" in text

            if day in SENDING:
                sent = re.search(r"Hôm nay đã nhắc (\d+) đơn vị \(đợt: ", text)
                assert sent, (day, text)
                today = (day, int(sent.group(1)))
            else:
                assert (f"Hôm nay không gửi nhắc; đợt gần nhất {last_round[0]:%d/%m/%Y}: {last_round[1]} đơn vị."
                        in text), (day, text)
        last_round = today if day in SENDING else last_round
