"""open-cycle: open a reporting cycle from its request document."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import day_or_today, flow_app
from models.cycles import RequestInput
from tasks import events, steps
from tasks.tracking import cycle_ref


def _run_name() -> str:
    from prefect.runtime import flow_run

    p = flow_run.get_parameters()
    return f"open-cycle {p['stream']}-{p['year']}-{p.get('name') or p['kind']}"


@flow(name="open-cycle", flow_run_name=_run_name)
def open_cycle(
    stream: str,
    kind: str,
    year: int,
    request_number: str,
    issued_on: date,
    deadline: str | None = None,
    label: str | None = None,
    name: str | None = None,
    window_start: date | None = None,
    window_end: date | None = None,
    quorum: dict | None = None,
    as_of: date | None = None,
) -> dict:
    """Open the cycle of ``stream`` for ``kind``/``year`` from the request document
    ``request_number`` issued on ``issued_on``, with its deadline as the letter words it.
    An ad hoc cycle needs ``name``, ``label`` and its data window; ``quorum`` overrides the
    stream's rule ({"shares": {"provincial": 0.8}, "required": [unit ids]})."""
    day = day_or_today(as_of)
    with flow_app() as app:
        cycle = steps.open_cycle(app, stream_id=stream, kind=kind, year=year, label=label, name=name,
                                 window=(window_start, window_end) if window_start and window_end else None,
                                 quorum=quorum, request=RequestInput(request_number, issued_on, deadline))
        ref = cycle_ref(app, cycle["id"])
    get_run_logger().info(
        f"Kỳ {cycle['id']} ({cycle['label']}): {cycle['expected_count']} đơn vị phải báo cáo, "
        f"hạn nộp {cycle['deadline'] or 'chưa ấn định'} theo công văn {request_number}."
    )
    events.emit(events.CYCLE_OPENED, ref, request_number,
                payload={"deadline": cycle["deadline"], "expected": cycle["expected_count"], "as_of": day.isoformat()})
    return cycle
