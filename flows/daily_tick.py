"""daily-tick: every working morning, take in what arrived, update every cycle's status,
send the reminders that are due, check the quorum and tell the coordinators."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import flow_app, run_name, secret_lookup
from flows.steps import TICK_STEPS
from models import vnformat
from services.tick import run_daily_tick, tick_events
from tasks import events
from tasks.publish import publish_status


@flow(name="daily-tick", flow_run_name=run_name("daily-tick"), timeout_seconds=3600)
def daily_tick(as_of: date | None = None, cycle_id: str | None = None, sweep_inbox: bool = True) -> dict:
    """One working day of every open cycle (or of ``cycle_id``). ``as_of`` replays a day: files
    in the inbox are then taken as received that morning, reminders as sent that day.
    ``sweep_inbox`` False (the deployment's default in prefect.yaml): the inbox of the machine
    running the tick is left to the ``intake-inbox`` deployment of the machine that holds it."""
    logger = get_run_logger()
    with flow_app() as app:
        day = as_of or app.clock.today()
        result = run_daily_tick(app, day, cycle_id=cycle_id, steps=TICK_STEPS, secrets=secret_lookup,
                                sweep_inbox=sweep_inbox)
    if result.skipped:
        logger.info(f"{vnformat.day(day)} là ngày nghỉ ({result.skipped}): không tiếp nhận, không đôn đốc.")
        return result.to_dict()
    if result.source_error:
        logger.warning(f"Không lấy được văn bản từ hệ thống văn bản: {result.source_error}")
    for event in tick_events(result):
        events.emit(event)
    for c in result.cycles:
        publish_status(c.cycle.collector, c.status, c.summary, c.title)
    logger.info(f"Ngày {vnformat.day(day)}: nhận {len(result.outcomes)} tệp; đã xử lý {len(result.cycles)} kỳ báo cáo.")
    return result.to_dict()
