"""compile-cycle: compile a cycle's reports into the national draft (Word + Excel annex).
Started by the quorum event (and by late reports afterwards), or by hand."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows._common import day_or_today, flow_app
from tasks import events, steps
from tasks.publish import artifact_keys
from tasks.tracking import cycle_ref

# The events that start this flow through the deployment trigger of prefect.yaml.
TRIGGERS = {events.QUORUM_REACHED: "quorum", events.REPORTS_ADDED: "late_report"}


@flow(name="compile-cycle", flow_run_name="compile {cycle_id}", timeout_seconds=3600)
def compile_cycle(cycle_id: str, as_of: date | None = None, trigger: str = "manual") -> dict:
    """Compile ``cycle_id`` with the reports received by ``as_of``. A new version is written
    only when the reports changed since the last one; of two runs at once, one writes it and
    the other finds it written (the version is unique per cycle)."""
    logger = get_run_logger()
    day = day_or_today(as_of)
    trigger = TRIGGERS.get(trigger, trigger)
    with flow_app() as app:
        result = steps.compile_cycle(app, cycle_id, as_of=day, trigger=trigger)
    if not result.created:
        logger.info(f"Kỳ {cycle_id}: không có báo cáo mới kể từ bản tổng hợp v{result.version}; không tạo bản mới.")
        return {"cycle": cycle_id, "version": result.version, "created": False}
    create_markdown_artifact(result.markdown, key=artifact_keys(cycle_id)["compilation"],
                             description=f"Bản tổng hợp v{result.version} kỳ {cycle_id}")
    events.emit(events.COMPILED, cycle_ref(app, cycle_id), f"v{result.version}",
                payload={"version": result.version, "trigger": trigger, "files": {k: str(v) for k, v in result.files.items()}})
    logger.info(f"Kỳ {cycle_id}: đã tạo bản tổng hợp v{result.version}: "
                + ", ".join(str(p) for p in result.files.values()))
    return {"cycle": cycle_id, "version": result.version, "created": True,
            "files": {k: str(v) for k, v in result.files.items()}}
