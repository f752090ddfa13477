"""digest: the coordinators' weekly overview of every open cycle."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import day_or_today, flow_app, run_name, secret_lookup
from tasks import steps
from tasks.tracking import open_cycle_ids


@flow(name="digest", flow_run_name=run_name("digest"))
def digest(as_of: date | None = None, cycle_id: str | None = None) -> dict:
    """Send the coordinators who is missing in each open cycle (or in ``cycle_id``)."""
    day = day_or_today(as_of)
    with flow_app() as app:
        sent = {cid: steps.send_digest(app, cid, day, None, secrets=secret_lookup) for cid in open_cycle_ids(app, cycle_id)}
    get_run_logger().info(f"Đã gửi bản tổng hợp tình hình {len(sent)} kỳ báo cáo ngày {day:%d/%m/%Y}.")
    return {"day": day.isoformat(), "cycles": list(sent)}
