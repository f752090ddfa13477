"""intake-inbox: sweep the inbox of the machine that holds it. Deployed on its own work queue
(``intake-<host>`` in prefect.yaml), so that only that machine's worker runs it; the daily tick
of the other workers then leaves their (empty) local inbox alone."""

from __future__ import annotations

from prefect import flow, get_run_logger

from flows._common import flow_app
from flows.steps import TICK_STEPS
from services.inbox import sweep
from tasks import events


@flow(name="intake-inbox", timeout_seconds=1800)
def intake_inbox() -> dict:
    """Take in the reports dropped in this machine's inbox, and tell what came."""
    with flow_app() as app:
        day = app.clock.today()
        outcomes, story = sweep(app, day, steps=TICK_STEPS)
        folder = str(app.settings.inbox_dir)
    for event in story:
        events.emit(event)
    counts = {k: sum(o.outcome == k for o in outcomes) for k in ("accepted", "draft", "duplicate", "rejected")}
    get_run_logger().info(f"Hộp thư đến {folder}: nhận {len(outcomes)} tệp ({counts['accepted']} báo cáo, "
                          f"{counts['rejected']} tệp bị từ chối).")
    return {"day": day.isoformat(), "files": len(outcomes), **counts}
