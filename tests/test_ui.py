"""A coordinator opens the Prefect UI in a browser and sees a cycle's status table."""

from __future__ import annotations

from datetime import date

import pytest

from flows.daily_tick import daily_tick
from tasks.publish import artifact_keys
from tests.browser import page_text
from tests.test_flows import AN_GIANG, artifacts, drop_in_inbox, open_unique_cycle

pytestmark = [pytest.mark.prefect, pytest.mark.browser]


def test_the_status_table_of_a_cycle_is_shown_in_the_prefect_ui(flow_env, prefect_api):
    cycle_id = open_unique_cycle()
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    state = daily_tick(as_of=date(2024, 6, 3), cycle_id=cycle_id, return_state=True)
    artifact = artifacts(artifact_keys("bnv", cycle_id)["status"], state.state_details.flow_run_id)[0]

    ui = prefect_api.removesuffix("/api")
    text = page_text(f"{ui}/artifacts/artifact/{artifact.id}",
                     ["Tỉnh An Giang", "529/BC-UBND", "Bộ Quốc phòng", "Chưa báo cáo", "Muộn"])
    assert artifact_keys("bnv", cycle_id)["status"] in text
    assert "Tình hình báo cáo" in text  # the artifact's description
    for column in ("Đơn vị", "Tình trạng", "Ngày nhận", "Số văn bản"):
        assert column in text
    # Received on 03/06 (after the deadline of 31/05): late.
    assert "Tỉnh An Giang\n\t\nĐịa phương\n\t\nMuộn\n\t\n03/06/2024\n\t\n529/BC-UBND" in text
    assert "Bộ Quốc phòng\n\t\nBộ, ngành\n\t\nChưa báo cáo" in text

    run_page = page_text(f"{ui}/runs/flow-run/{state.state_details.flow_run_id}", [f"daily-tick 2024-06-03 {cycle_id}"])
    assert f"daily-tick 2024-06-03 {cycle_id}" in run_page
