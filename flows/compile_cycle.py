"""compile-cycle: compile a cycle's reports into the national draft (Word + Excel annex).
Started by the quorum event (and by late reports afterwards), or by hand."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows._common import flow_app
from flows.steps import compile_cycle as compile_step
from models import events
from models.events import Event, artifact_keys
from services.compile import TRIGGERS, CompileRequest
from tasks import events as prefect_events
from tasks.tracking import cycle_ref


@flow(name="compile-cycle", flow_run_name="compile {cycle_id}", timeout_seconds=3600)
def compile_cycle(cycle_id: str, as_of: date | None = None, trigger: str = "manual") -> dict:
    """Compile ``cycle_id`` with the reports received by ``as_of``. A new version is written
    only when the reports changed since the last one; of two runs at once, one writes it and
    the other finds it written (the version is unique per cycle)."""
    logger = get_run_logger()
    request = CompileRequest.of(cycle=cycle_id, as_of=as_of, trigger=trigger)
    with flow_app() as app:
        result = compile_step(app, request)
        ref = cycle_ref(app, cycle_id)
    if not result.created:
        logger.info(f"Kỳ {cycle_id}: không có báo cáo mới kể từ bản tổng hợp v{result.version}; không tạo bản mới.")
        return {"cycle": cycle_id, "version": result.version, "created": False}
    create_markdown_artifact(result.markdown, key=artifact_keys(ref.collector, cycle_id)["compilation"],
                             description=f"Bản tổng hợp v{result.version} kỳ {cycle_id}")
    files = {k: str(v) for k, v in result.files.items()}
    prefect_events.emit(Event(events.COMPILED, ref, f"v{result.version}",
                              payload={"version": result.version, "trigger": TRIGGERS.get(trigger, trigger), "files": files}))
    logger.info(f"Kỳ {cycle_id}: đã tạo bản tổng hợp v{result.version}: " + ", ".join(files.values()))
    return {"cycle": cycle_id, "version": result.version, "created": True, "files": files}
