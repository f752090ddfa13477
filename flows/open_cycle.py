"""open-cycle: open a reporting cycle from its request document (run by hand from the UI)."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows._common import flow_app
from models import events, vnformat
from models.events import Event
from services.cycles import OpenCycle
from services.cycles import open_cycle as open_cycle_service
from tasks import events as prefect_events
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
    received_on: date | None = None,
    subject: str = "",
    label: str | None = None,
    name: str | None = None,
    window_start: date | None = None,
    window_end: date | None = None,
    quorum_shares: dict[str, float] | None = None,
    quorum_required: list[str] | None = None,
) -> dict:
    """Open the cycle of ``stream`` for ``kind``/``year`` from the request document
    ``request_number`` issued on ``issued_on``, with its deadline as the letter words it
    (``received_on``: the day the units received it, when the deadline counts from receipt).
    An ad hoc cycle needs ``name``, ``label`` and its data window; ``quorum_shares`` (a share
    from 0 to 1 per group, e.g. {"provincial": 0.8}) and ``quorum_required`` (units that must
    have reported) override the stream's rule. Checked as `dvtracker cycle open` checks it."""
    spec = OpenCycle.of(stream=stream, kind=kind, year=year, request=request_number, issued=issued_on,
                        deadline=deadline, received=received_on, subject=subject, label=label, name=name,
                        window_start=window_start, window_end=window_end, quorum_shares=quorum_shares,
                        quorum_required=quorum_required)
    with flow_app() as app:
        cycle = open_cycle_service(app, spec)
        ref = cycle_ref(app, cycle["id"])
    deadline_day = vnformat.day(date.fromisoformat(cycle["deadline"])) if cycle["deadline"] else "chưa ấn định"
    get_run_logger().info(f"Kỳ {cycle['id']} ({cycle['label']}): {cycle['expected_count']} đơn vị phải báo cáo, "
                          f"hạn nộp {deadline_day} theo công văn {request_number}.")
    prefect_events.emit(Event(events.CYCLE_OPENED, ref, request_number,
                              payload={"deadline": cycle["deadline"], "expected": cycle["expected_count"]}))
    return cycle
