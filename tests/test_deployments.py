"""prefect.yaml deployed on a real local Prefect server: the schedules in Vietnam's time, the
quorum event that starts exactly one compile-cycle run, and `dvtracker serve`'s deployments."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName, FlowFilter, FlowFilterName
from prefect.exceptions import ObjectAlreadyExists
from sqlmodel import select

from flows.daily_tick import daily_tick
from flows.deployments import PROJECT_FILE, deploy_project, flow_name, load_project, runner_deployments
from models import events
from models.events import CycleRef, Event
from models.tables import CompilationRow
from tasks.events import emit
from tests.conftest import PROJECT_DIR
from tests.test_flows import AN_GIANG, drop_in_inbox, open_unique_cycle

pytestmark = pytest.mark.prefect
VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUANG_TRI = PROJECT_DIR / "data" / "demo" / "quang_tri.json"


OTHER = "snv-quangninh"  # a second collector (Sở Nội vụ Quảng Ninh) deployed on the same server


def deploy_as(collector: str) -> dict:
    """`dvtracker deploy` (prefect deploy --all with the collector's name) for ``collector``: its
    deployments by flow name."""
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=f"dvtracker-{collector}", type="process"))
    result = deploy_project(collector, "may-tiep-nhan")
    assert result.returncode == 0, result.stdout + result.stderr
    return deployments_of(collector)


def deployments_of(collector: str) -> dict:
    with get_client(sync_client=True) as client:
        flows = {f.id: f.name for f in client.read_flows()}
        return {flows[d.flow_id]: d for d in client.read_deployments() if d.name == collector}


@pytest.fixture(scope="module")
def deployed(prefect_api):
    """Bộ Nội vụ's deployments, registered as an administrator would (after another collector's)."""
    deploy_as(OTHER)
    return deploy_as("bnv")


def runs_of(flow: str, collector: str = "bnv", **parameters) -> list:
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow])),
                                     deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[collector])))
    return [r for r in runs if all(r.parameters.get(k) == v for k, v in parameters.items())]


def wait_for(predicate, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(1)
    return predicate()


def test_prefect_yaml_deploys_with_schedules_in_vietnam_time(deployed):
    assert set(deployed) == {"daily-tick", "intake-inbox", "digest", "compile-cycle", "open-cycle", "review-report"}
    tick = deployed["daily-tick"]
    assert [(s.schedule.cron, s.schedule.timezone) for s in tick.schedules] == [("0 8 * * 1-6", "Asia/Ho_Chi_Minh")]
    assert tick.work_pool_name == "dvtracker-bnv" and "collector:bnv" in tick.tags
    # The inbox is bound to one machine: its own queue; the tick elsewhere leaves local inboxes alone.
    assert (tick.work_queue_name, tick.parameters) == ("default", {"sweep_inbox": False})
    assert deployed["intake-inbox"].work_queue_name == "intake-may-tiep-nhan"
    assert tick.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT_DIR)}}]

    scheduled = wait_for(lambda: [r for r in runs_of("daily-tick") if r.state_name == "Scheduled"])
    assert len(scheduled) >= 3
    for run in scheduled:
        local = run.expected_start_time.astimezone(VN)
        assert (local.hour, local.minute) == (8, 0) and local.weekday() <= 5  # 08:00, Monday to Saturday
    digests = wait_for(lambda: runs_of("digest"))
    assert all((r.expected_start_time.astimezone(VN).weekday(), r.expected_start_time.astimezone(VN).hour) == (4, 16)
               for r in digests)


def test_the_compile_trigger_is_an_automation_on_the_cycle_events(deployed):
    with get_client(sync_client=True) as client:
        automations = [a for a in client.read_automations() if a.name.startswith("compile-cycle (bnv)")]
    assert len(automations) == 1
    trigger = automations[0].trigger
    assert trigger.match.model_dump()["prefect.resource.id"] == "dvtracker.bnv.cycle.*"
    assert trigger.expect == {"dvtracker.cycle.quorum-reached", "dvtracker.cycle.reports-added"}
    assert automations[0].actions[0].parameters == {"cycle_id": "{{ event.resource['dvtracker.cycle.id'] }}",
                                                    "as_of": "{{ event.payload.as_of }}",
                                                    "trigger": "{{ event.event }}"}


def test_quorum_reached_by_a_submission_starts_exactly_one_compile_run(deployed, flow_env, app):
    cycle_id = open_unique_cycle(quorum_required=["p2004-89"])  # An Giang must have reported
    daily_tick(as_of=date(2024, 5, 23), cycle_id=cycle_id)
    assert runs_of("compile-cycle", cycle_id=cycle_id) == []

    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    assert daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id)["cycles"][cycle_id]["quorum_newly_reached"]
    runs = wait_for(lambda: runs_of("compile-cycle", cycle_id=cycle_id))
    assert len(runs) == 1 and runs[0].parameters["trigger"] == "dvtracker.cycle.quorum-reached"
    assert runs[0].parameters["as_of"] == "2024-05-24"  # the day the tick replayed

    # Until the compilation exists, each tick repeats the same event: it starts nothing new.
    daily_tick(as_of=date(2024, 5, 27), cycle_id=cycle_id)
    time.sleep(5)
    assert len(runs_of("compile-cycle", cycle_id=cycle_id)) == 1

    # A worker executes the run as in production (pull step, entrypoint, environment).
    done = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "execute", str(runs[0].id)],
                          cwd=PROJECT_DIR, env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(runs[0].id).state_name == "Completed"
    with app.session() as session:
        versions = session.exec(select(CompilationRow).where(CompilationRow.cycle_id == cycle_id)).all()
    assert [(v.version, v.trigger, v.as_of) for v in versions] == [(1, "quorum", date(2024, 5, 24))]

    # Compiled: no more quorum event; a late report starts one more compilation.
    daily_tick(as_of=date(2024, 5, 28), cycle_id=cycle_id)
    drop_in_inbox(flow_env, QUANG_TRI, cycle_id)
    daily_tick(as_of=date(2024, 6, 4), cycle_id=cycle_id)
    later = wait_for(lambda: [r for r in runs_of("compile-cycle", cycle_id=cycle_id) if r.id != runs[0].id])
    assert len(later) == 1 and later[0].parameters["trigger"] == "dvtracker.cycle.reports-added"
    assert later[0].parameters["as_of"] == "2024-06-04"


def test_two_collectors_on_one_server_neither_overwrites_nor_triggers_the_other(deployed, flow_env):
    """Sở Nội vụ Quảng Ninh deployed first, Bộ Nội vụ after: both sets stand, each on its own work
    pool with its own trigger; a quorum of the province's cycle starts the province's compilation
    only, even with a cycle id that Bộ Nội vụ also has; a worker of Bộ Nội vụ refuses to run it."""
    theirs = deployments_of(OTHER)
    assert set(theirs) == set(deployed)
    assert {d.id for d in theirs.values()}.isdisjoint(d.id for d in deployed.values())
    assert theirs["daily-tick"].work_pool_name == f"dvtracker-{OTHER}" and theirs["daily-tick"].schedules
    assert theirs["intake-inbox"].work_queue_name == "intake-may-tiep-nhan"
    with get_client(sync_client=True) as client:
        names = sorted(a.name for a in client.read_automations() if a.name.startswith("compile-cycle"))
    assert names == ["compile-cycle (bnv): tổng hợp khi đủ điều kiện hoặc có báo cáo bổ sung",
                     f"compile-cycle ({OTHER}): tổng hợp khi đủ điều kiện hoặc có báo cáo bổ sung"]

    cycle_id = open_unique_cycle(quorum_required=["p2004-89"])  # a cycle id of Bộ Nội vụ's database
    ref = CycleRef(cycle_id, "2025-07-01T00:00:00", "Kỳ báo cáo của Sở Nội vụ", OTHER)
    emit(Event(events.QUORUM_REACHED, ref, "quorum", payload={"as_of": "2024-05-24"}))
    (run,) = wait_for(lambda: runs_of("compile-cycle", OTHER, cycle_id=cycle_id))
    time.sleep(5)
    assert runs_of("compile-cycle", "bnv", cycle_id=cycle_id) == []

    # Bộ Nội vụ's folder and database are not the province's: the run is refused, nothing compiled.
    done = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "execute", str(run.id)],
                          cwd=PROJECT_DIR, env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    assert f"thuộc deployment của đơn vị thu thập '{OTHER}', còn máy này phục vụ 'bnv'" in done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run.id).state_name == "Failed"


def test_serve_uses_the_deployments_of_prefect_yaml(prefect_api):
    specs = {flow_name(s): s for s in load_project(collector="bnv")}
    served = {d.flow_name: d for d in runner_deployments("bnv")}
    assert set(served) == set(specs) and {d.name for d in served.values()} == {"bnv"}
    assert [(s.schedule.cron, s.schedule.timezone) for s in served["daily-tick"].schedules] == [
        ("0 8 * * 1-6", "Asia/Ho_Chi_Minh")]
    assert served["compile-cycle"].triggers[0].expect == {"dvtracker.cycle.quorum-reached",
                                                          "dvtracker.cycle.reports-added"}
    assert served["daily-tick"].concurrency_limit == 1
    assert yaml.safe_load(PROJECT_FILE.read_text())["deployments"][0]["schedules"][0]["timezone"] == "Asia/Ho_Chi_Minh"


def test_scheduled_days_include_worked_saturdays_and_the_flow_skips_holidays(flow_env):
    # The cron runs Monday to Saturday; the flow decides: 24/11/2026 (a Tuesday) is a holiday,
    # 22/08/2026 (a Saturday) is a working day.
    assert daily_tick(as_of=date(2026, 11, 24))["skipped"] == "Ngày Văn hóa Việt Nam"
    assert daily_tick(as_of=date(2026, 8, 21) + timedelta(days=1)).get("skipped") is None
