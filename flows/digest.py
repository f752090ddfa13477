"""digest: the coordinators' weekly overview of every open cycle."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import flow_app, run_name, secret_lookup
from models import vnformat
from services.reminders import weekly_digest


@flow(name="digest", flow_run_name=run_name("digest"))
def digest(as_of: date | None = None, cycle_id: str | None = None) -> dict:
    """Send the coordinators who is missing in each open cycle (or in ``cycle_id``)."""
    with flow_app() as app:
        day = as_of or app.clock.today()
        sent = weekly_digest(app, day, cycle_id, secrets=secret_lookup)
    get_run_logger().info(f"Đã gửi bản tổng hợp tình hình {len(sent)} kỳ báo cáo ngày {vnformat.day(day)}.")
    return {"day": day.isoformat(), "cycles": list(sent)}
