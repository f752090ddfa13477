"""Sending the story's events (``models.events``) to Prefect's event feed."""

from __future__ import annotations

from prefect.events import emit_event

from models.events import Event, resources


def emit(event: Event) -> None:
    resource, related = resources(event)
    emit_event(event=event.name, resource=resource, related=related, payload=event.payload, id=event.id)
