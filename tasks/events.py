"""Sending the story's events (``models.events``) to Prefect's event feed."""

from __future__ import annotations

from prefect.events import emit_event

from models.events import Event


def cycle_resource(cycle_id: str, name: str = "") -> dict[str, str]:
    """The cycle as a Prefect resource, named in Vietnamese (its id when no name is known)."""
    return {
        "prefect.resource.id": f"dvtracker.cycle.{cycle_id}",
        "prefect.resource.name": name or cycle_id,
        "dvtracker.cycle.id": cycle_id,
    }


def unit_resource(unit_id: str, name: str) -> dict[str, str]:
    return {"prefect.resource.id": f"dvtracker.unit.{unit_id}", "prefect.resource.name": name,
            "prefect.resource.role": "unit"}


def emit(event: Event) -> None:
    cycle_id, name = event.cycle.id, event.cycle.name
    if event.unit is None:
        resource, related = cycle_resource(cycle_id, name), []
    else:
        resource = {**unit_resource(*event.unit), "dvtracker.cycle.id": cycle_id}
        related = [{**cycle_resource(cycle_id, name), "prefect.resource.role": "cycle"}]
    emit_event(event=event.name, resource=resource, related=related, payload=event.payload, id=event.id)
