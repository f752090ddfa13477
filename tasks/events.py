"""Prefect events that tell a cycle's story in the UI's event feed.

Every event has a deterministic id derived from what it is about (the cycle, the unit, the
stage, the version), so that a rerun of the same day re-sends the same event id and Prefect
stores it (and fires a trigger on it) once. The id includes the moment the cycle was opened,
so that the same cycle id in another database (a test, a fresh demo) makes new events.
"""

from __future__ import annotations

import uuid
from typing import Any

from prefect.events import emit_event

from tasks.tracking import CycleRef

_NAMESPACE = uuid.UUID("5b0a8f5e-6a55-4f55-9f59-1f6f2d1e0c11")

CYCLE_OPENED = "dvtracker.cycle.opened"
QUORUM_REACHED = "dvtracker.cycle.quorum-reached"
REPORTS_ADDED = "dvtracker.cycle.reports-added"
REPORT_RECEIVED = "dvtracker.report.received"
REPORT_REJECTED = "dvtracker.report.rejected"
UNIT_LATE = "dvtracker.unit.late"
REMINDER_SENT = "dvtracker.reminder.sent"
REMINDER_FAILED = "dvtracker.reminder.failed"
COMPILED = "dvtracker.cycle.compiled"


def cycle_resource(cycle_id: str) -> dict[str, str]:
    return {
        "prefect.resource.id": f"dvtracker.cycle.{cycle_id}",
        "prefect.resource.name": cycle_id,
        "dvtracker.cycle.id": cycle_id,
    }


def unit_resource(unit_id: str, name: str) -> dict[str, str]:
    return {"prefect.resource.id": f"dvtracker.unit.{unit_id}", "prefect.resource.name": name,
            "prefect.resource.role": "unit"}


def emit(event: str, cycle: CycleRef, key: str, *, unit: tuple[str, str] | None = None,
         payload: dict[str, Any] | None = None) -> None:
    """Emit ``event`` about a cycle (and a unit); ``key`` makes the event id deterministic."""
    cycle_id = cycle.id
    if unit is None:
        resource, related = cycle_resource(cycle_id), []
    else:
        resource = {**unit_resource(*unit), "dvtracker.cycle.id": cycle_id}
        related = [{**cycle_resource(cycle_id), "prefect.resource.role": "cycle"}]
    emit_event(
        event=event,
        resource=resource,
        related=related,
        payload=payload or {},
        id=uuid.uuid5(_NAMESPACE, f"{event}|{cycle_id}|{cycle.opened_at}|{key}"),
    )
