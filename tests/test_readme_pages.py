"""The Prefect UI pages the README points a coordinator to, read in headless Chromium as they are
shown (the rendered text): a cycle's event under the Vietnamese names of its unit and cycle, the
compile automation with its Vietnamese name and description, the deployments named after the
collector."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from flows.daily_tick import daily_tick
from flows.deployments import runner_deployments
from tests.browser import page_text
from tests.test_deployments import wait_for
from tests.test_flows import AN_GIANG, drop_in_inbox, open_unique_cycle

pytestmark = [pytest.mark.prefect, pytest.mark.browser]


def test_an_event_reads_with_the_names_of_its_unit_and_cycle(flow_env, prefect_api):
    cycle_id = open_unique_cycle()
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id)
    (event,) = wait_for(lambda: httpx.post(f"{prefect_api}/events/filter", json={"limit": 50, "filter": {
        "event": {"name": ["dvtracker.report.received"]},
        "related": {"resources_in_roles": [[f"dvtracker.bnv.cycle.{cycle_id}", "cycle"]]}}}).json()["events"])
    ui = prefect_api.removesuffix("/api")
    # The UI's new pages (/v2) show a resource by its prefect.resource.name; the default pages by its id.
    text = page_text(f"{ui}/v2/events/event/{event['occurred'][:10]}/{event['id']}", ["Tỉnh An Giang"])
    assert "Tỉnh An Giang" in text and "Kỳ báo cáo dân vận CQHCNN & CQCC thử nghiệm" in text
    assert "dvtracker.report.received" in text
    feed = page_text(f"{ui}/events", ["dvtracker.bnv.unit.p2004-89"])
    assert "dvtracker.report.received" in feed and f"dvtracker.bnv.cycle.{cycle_id}" in feed


def test_the_automations_and_deployments_pages_name_the_collector(prefect_api):
    for deployment in runner_deployments("bnv"):
        deployment.apply()
    ui = prefect_api.removesuffix("/api")
    text = page_text(f"{ui}/automations", ["compile-cycle (bnv)"])
    assert "compile-cycle (bnv): tổng hợp khi đủ điều kiện hoặc có báo cáo bổ sung" in text
    assert "Khi kỳ báo cáo đạt điều kiện tổng hợp (dvtracker.cycle.quorum-reached)" in text
    text = page_text(f"{ui}/deployments", ["daily-tick", "compile-cycle", "collector:bnv"])
    for flow in ("daily-tick", "intake-inbox", "digest", "compile-cycle", "open-cycle", "review-report"):
        assert flow in text, flow
    assert "bnv" in text.split() and "collector:bnv" in text
