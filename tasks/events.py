"""Sending the story's events (``models.events``) to Prefect's event feed."""

from __future__ import annotations

from prefect.events import emit_event

from models.events import Event


def cycle_resource(cycle_id: str) -> dict[str, str]:
    return {
        "prefect.resource.id": f"dvtracker.cycle.{cycle_id}",
        "prefect.resource.name": cycle_id,
        "dvtracker.cycle.id": cycle_id,
    }


def unit_resource(unit_id: str, name: str) -> dict[str, str]:
    return {"prefect.resource.id": f"dvtracker.unit.{unit_id}", "prefect.resource.name": name,
            "prefect.resource.role": "unit"}


def emit(event: Event) -> None:
    cycle_id = event.cycle.id
    if event.unit is None:
        resource, related = cycle_resource(cycle_id), []
    else:
        resource = {**unit_resource(*event.unit), "dvtracker.cycle.id": cycle_id}
        related = [{**cycle_resource(cycle_id), "prefect.resource.role": "cycle"}]
    emit_event(event=event.name, resource=resource, related=related, payload=event.payload, id=event.id)
