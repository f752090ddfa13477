"""open-cycle: open a reporting cycle from its request document."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import day_or_today, flow_app
from models.cycles import RequestInput
from tasks import events, steps


@flow(name="open-cycle", flow_run_name="open-cycle {stream}-{year}-{kind}")
def open_cycle(
    stream: str,
    kind: str,
    year: int,
    request_number: str,
    issued_on: date,
    deadline: str | None = None,
    label: str | None = None,
    as_of: date | None = None,
) -> dict:
    """Open the cycle of ``stream`` for ``kind``/``year`` from the request document
    ``request_number`` issued on ``issued_on``, with its deadline as the letter words it."""
    day = day_or_today(as_of)
    with flow_app() as app:
        cycle = steps.open_cycle(app, stream_id=stream, kind=kind, year=year, label=label,
                                 request=RequestInput(request_number, issued_on, deadline))
    get_run_logger().info(
        f"Kỳ {cycle['id']} ({cycle['label']}): {cycle['expected_count']} đơn vị phải báo cáo, "
        f"hạn nộp {cycle['deadline'] or 'chưa ấn định'} theo công văn {request_number}."
    )
    events.emit("dvtracker.cycle.opened", cycle["id"], request_number,
                payload={"deadline": cycle["deadline"], "expected": cycle["expected_count"], "as_of": day.isoformat()})
    return cycle
