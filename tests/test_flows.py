"""The flows on a real local Prefect server (one for the whole session): the daily tick,
its artifacts and events, reruns, days off, the compile and digest flows."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import uuid
from datetime import date

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId
from sqlmodel import func, select

from flows.compile_cycle import compile_cycle
from flows.daily_tick import daily_tick
from flows.digest import digest
from flows.open_cycle import open_cycle
from models.tables import ReminderRow, SubmissionRow
from tasks.publish import artifact_keys, group_rate_key
from tests.conftest import PROJECT_DIR
from tests.helpers import add_contacts

pytestmark = pytest.mark.prefect
AN_GIANG = PROJECT_DIR / "data" / "demo" / "an_giang_529.json"


def open_unique_cycle(**quorum) -> str:
    """An ad hoc dân vận cycle with a name of its own: the server is shared by every test."""
    name = f"t{uuid.uuid4().hex[:8]}"
    cycle = open_cycle(stream="danvan", kind="adhoc", year=2023, name=name, label=f"thử nghiệm {name}",
                       window_start=date(2022, 12, 15), window_end=date(2023, 12, 14), request_number="2748/BNV-CTTN",
                       issued_on=date(2024, 5, 17), deadline="chậm nhất ngày 31/5/2024", **quorum)
    return cycle["id"]


def drop_in_inbox(settings, source, cycle_id: str) -> None:
    """A unit's JSON report for ``cycle_id``, put in the inbox."""
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    data = json.loads(source.read_text(encoding="utf-8"))
    data["cycle"] = cycle_id
    (settings.inbox_dir / source.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def artifacts(key: str, flow_run_id) -> list:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    return [a for a in found if a.flow_run_id == flow_run_id]


def test_a_day_of_a_cycle_through_the_daily_tick(flow_env, app):
    cycle_id = open_unique_cycle()
    add_contacts(app, ("Tỉnh An Giang", "email", "daumoi.angiang@example.invalid"),
                 ("Bộ Nội vụ", "email", "daumoi.bnv@example.invalid"))
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)

    state = daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id, return_state=True)
    result = state.result()
    day = result["cycles"][cycle_id]
    assert (day["received"], day["actual"], day["expected"]) == (1, 1, 93)
    assert day["reminders_sent"] == 1  # Bộ Nội vụ, 5 working days before 31/05; An Giang has reported
    assert (flow_env.inbox_dir / "processed" / AN_GIANG.name).exists()
    eml = list((flow_env.outbox_dir / "reminders" / cycle_id).glob("*.eml"))
    assert len(eml) == 1
    message = email.message_from_bytes(eml[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "daumoi.bnv@example.invalid"
    assert "Bộ Nội vụ" in message.get_body().get_content()

    keys = artifact_keys("bnv", cycle_id)
    table = json.loads(artifacts(keys["status"], state.state_details.flow_run_id)[0].data)
    rows = {r["Đơn vị"]: r for r in table}
    assert len(rows) == 93
    assert rows["Tỉnh An Giang"]["Tình trạng"] == "Đúng hạn" and rows["Tỉnh An Giang"]["Số văn bản"] == "529/BC-UBND"
    assert rows["Bộ Nội vụ"]["Tình trạng"] == "Chưa đến hạn"
    progress = artifacts(keys["rate"], state.state_details.flow_run_id)[0]
    assert float(progress.data) == round(100 / 93, 1)
    by_group = {g: artifacts(group_rate_key("bnv", cycle_id, g), state.state_details.flow_run_id)[0]
                for g in ("central", "provincial")}
    assert (float(by_group["central"].data), float(by_group["provincial"].data)) == (0.0, round(100 / 63, 1))
    assert by_group["provincial"].description.startswith("Tỷ lệ báo cáo của các địa phương")
    summary = artifacts(keys["summary"], state.state_details.flow_run_id)[0].data
    assert "tình hình ngày 24/05/2024" in summary and "Hạn nộp **31/05/2024**" in summary
    assert "| Địa phương | 63 | 1 | 0 | 62 | 0 | 0 | 63 | 1 | 1,6% | 1,6% |" in summary
    assert "Hôm nay đã nhắc 1 đơn vị (đợt: trước hạn 5 ngày làm việc)." in summary
    assert "- Bộ Nội vụ: Chưa đến hạn; đã nhắc: trước hạn 5 ngày làm việc, 24/05/2024" in summary
    assert f"`{flow_env.exports_dir / cycle_id / 'tinh-hinh-20240524.xlsx'}`" in summary

    again = daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id)["cycles"][cycle_id]
    assert (again["received"], again["reminders_sent"], again["actual"]) == (0, 0, 1)
    assert len(list((flow_env.outbox_dir / "reminders" / cycle_id).glob("*.eml"))) == 1


def test_the_tick_skips_vietnamese_holidays_not_only_weekends(flow_env):
    cycle_id = open_unique_cycle()
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    assert daily_tick(as_of=date(2024, 4, 30), cycle_id=cycle_id) == {"day": "2024-04-30", "skipped": "Ngày Chiến thắng"}
    assert daily_tick(as_of=date(2026, 11, 24))["skipped"] == "Ngày Văn hóa Việt Nam"
    assert (flow_env.inbox_dir / AN_GIANG.name).exists()  # nothing taken in on a day off
    assert "skipped" not in daily_tick(as_of=date(2024, 5, 4), cycle_id=cycle_id)  # a worked Saturday


def test_compile_flow_writes_a_version_and_its_artifact_once(flow_env, app):
    cycle_id = open_unique_cycle()
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    daily_tick(as_of=date(2024, 5, 27), cycle_id=cycle_id)
    state = compile_cycle(cycle_id=cycle_id, as_of=date(2024, 6, 3), trigger="dvtracker.cycle.quorum-reached",
                          return_state=True)
    first = state.result()
    assert first["version"] == 1 and first["created"] and set(first["files"]) >= {"docx", "xlsx"}
    markdown = artifacts(artifact_keys("bnv", cycle_id)["compilation"], state.state_details.flow_run_id)[0].data
    assert "Tỉnh An Giang" in markdown
    again = compile_cycle(cycle_id=cycle_id, as_of=date(2024, 6, 3))
    assert (again["version"], again["created"]) == (1, False)


def test_weekly_digest_goes_to_the_coordinators(flow_env):
    cycle_id = open_unique_cycle()
    assert digest(as_of=date(2024, 6, 7), cycle_id=cycle_id)["cycles"] == [cycle_id]
    digests = list(flow_env.outbox_dir.rglob("*.eml"))
    assert len(digests) == 1
    message = email.message_from_bytes(digests[0].read_bytes(), policy=email.policy.default)
    assert "0/93 đơn vị đã báo cáo" in message["Subject"]
    assert "bản tổng hợp tình hình định kỳ" in message.get_body().get_content()


def test_flow_runs_are_named_by_day_and_cycle(flow_env):
    cycle_id = open_unique_cycle()
    state = daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id, return_state=True)
    with get_client(sync_client=True) as client:
        run = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))[0]
    assert run.name == f"daily-tick 2024-05-24 {cycle_id}"


def test_chat_reminders_take_their_token_from_a_prefect_secret_block(flow_env, app, chat_receiver, smtp_server,
                                                                      monkeypatch):
    from prefect.blocks.system import Secret

    token = f"tok{uuid.uuid4().hex[:8]}"
    Secret(value=token).save("dvt-chat-token", overwrite=True)
    monkeypatch.setenv("DVTRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DVTRACKER_SMTP_PORT", str(smtp_server.port))
    cycle_id = open_unique_cycle()
    add_contacts(app, ("Bộ Nội vụ", "chat", chat_receiver.url("/bnv/${DVT_CHAT_TOKEN}")),
                 ("Bộ Nội vụ", "email", "daumoi.bnv@example.invalid"))

    day = daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id)["cycles"][cycle_id]
    assert day["reminders_sent"] == 2 and day["reminders_failed"] == 0
    assert [p.path for p in chat_receiver.posts] == [f"/bnv/{token}"]
    assert "Bộ Nội vụ" in chat_receiver.posts[0].message
    assert [m.to for m in smtp_server.mails] == [["daumoi.bnv@example.invalid"]]


def test_a_prefect_server_restart_during_a_tick_loses_nothing(flow_env, app, prefect_server, monkeypatch):
    """The server goes away right after the intake step and comes back while the run goes on.
    Whatever became of that run, the next tick of the same day completes the work, and
    nothing is taken in or sent twice."""
    import threading

    from dvtracker.prefect_local import is_healthy
    from flows.steps import TICK_STEPS

    cycle_id = open_unique_cycle()
    add_contacts(app, ("Bộ Nội vụ", "email", "daumoi.bnv@example.invalid"))
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    sweep = TICK_STEPS.sweep_inbox.fn
    restarted = threading.Thread(target=prefect_server.start)

    def sweep_then_restart_the_server(*args, **kwargs):
        taken = sweep(*args, **kwargs)
        prefect_server.stop()
        restarted.start()
        return taken

    monkeypatch.setattr(TICK_STEPS.sweep_inbox, "fn", sweep_then_restart_the_server)
    with contextlib.suppress(Exception):  # the run may crash while the API is away: the next one completes it
        daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id)
    if restarted.is_alive() or restarted.ident:
        restarted.join(timeout=180)
    assert is_healthy(prefect_server.api)
    monkeypatch.setattr(TICK_STEPS.sweep_inbox, "fn", sweep)

    day = daily_tick(as_of=date(2024, 5, 24), cycle_id=cycle_id)["cycles"][cycle_id]
    assert (day["received"], day["actual"]) == (0, 1)  # An Giang was stored by the first run, once
    with app.session() as session:
        assert session.exec(select(func.count()).select_from(SubmissionRow)
                            .where(SubmissionRow.cycle_id == cycle_id)).one() == 1
        reminders = session.exec(select(ReminderRow).where(ReminderRow.cycle_id == cycle_id)).all()
    assert [(r.unit_id, r.stage, r.status) for r in reminders] == [("c2021-bnv", "truoc-5", "sent")]
    assert len(list((flow_env.outbox_dir / "reminders" / cycle_id).glob("*.eml"))) == 1


def test_the_commands_use_the_prefect_server_named_by_prefect_api_url(cli, flow_env, prefect_api):
    """PREFECT_API_URL (set for this session's server) is the server dvtracker talks to: no
    embedded server is started beside it."""
    open_unique_cycle()
    result = cli("tick", "--as-of", "2024-05-24")
    assert result.exit_code == 0, result.output
    assert f"Xem trên giao diện Prefect: {prefect_api.removesuffix('/api')}/runs" in result.stdout
    assert not (flow_env.prefect_home / "server.pid").exists()
