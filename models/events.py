"""The names dvtracker gives things in Prefect: the events that tell a cycle's story, as data,
and the keys of its artifacts. Events: what happened, about which cycle and unit,
with a key that makes the event's id deterministic. Deciding which events a day produces is
pure (``services.tick.tick_events``); sending them to Prefect is ``tasks.events``.

The id derives from what the event is about (the cycle, the unit, the stage, the version), so
that a rerun of the same day re-sends the same id and Prefect stores it (and fires a trigger on
it) once. It includes the moment the cycle was opened, so that the same cycle id in another
database (a test, a fresh demo) makes new events.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

_NAMESPACE = uuid.UUID("5b0a8f5e-6a55-4f55-9f59-1f6f2d1e0c11")

CYCLE_OPENED = "dvtracker.cycle.opened"
QUORUM_REACHED = "dvtracker.cycle.quorum-reached"
REPORTS_ADDED = "dvtracker.cycle.reports-added"
COMPILED = "dvtracker.cycle.compiled"
REPORT_RECEIVED = "dvtracker.report.received"
REPORT_REJECTED = "dvtracker.report.rejected"
UNIT_LATE = "dvtracker.unit.late"
REMINDER_SENT = "dvtracker.reminder.sent"
REMINDER_FAILED = "dvtracker.reminder.failed"


@dataclass(frozen=True)
class CycleRef:
    """A cycle as its events name it: the id, when it was opened, and whose it is."""

    id: str
    opened_at: str
    name: str = field(default="", compare=False)  # how coordinators name it: "dân vận CQHCNN & CQCC năm 2023"
    # The collector (calendar.yaml, collector.id): two collectors on one Prefect server may both
    # have a cycle "danvan-2025-annual"; their resources, event ids and artifact keys differ by it.
    collector: str = ""


def resource_prefix(collector: str) -> str:
    """The start of every resource id of ``collector``: ``dvtracker.bnv`` (the compile trigger
    of prefect.yaml matches ``dvtracker.<collector>.cycle.*``)."""
    return f"dvtracker.{collector}" if collector else "dvtracker"


UNKNOWN_CYCLE = CycleRef("unknown", "", "Kỳ báo cáo không xác định")


def unknown_cycle(collector: str, name: str = UNKNOWN_CYCLE.name) -> CycleRef:
    return CycleRef(UNKNOWN_CYCLE.id, "", name, collector)


@dataclass(frozen=True)
class Event:
    name: str
    cycle: CycleRef
    key: str
    unit: tuple[str, str] | None = None  # (unit id, name)
    payload: dict[str, Any] = field(default_factory=dict)
    file: tuple[str, str] | None = None  # (SHA-256 of its bytes, its name): the event is about a file

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{self.name}|{self.cycle.collector}|{self.cycle.id}|{self.cycle.opened_at}|{self.key}")


def rejected_file(file: str | None, sha: str | None, errors: list[str], day: str, *, named: str | None,
                  cycles: dict[str, CycleRef], collector: str) -> Event:
    """The event of a file refused, related to the cycle it was meant for when the file says
    which (``named``: the cycle it names, or the one of the công văn it answers, or the one it was
    submitted to) and that cycle exists (``cycles``); otherwise to "Kỳ báo cáo không xác định"."""
    name = file or "(không rõ tên tệp)"
    cycle = cycles.get(named) if named else None
    if cycle is None and named:
        cycle = unknown_cycle(collector, f"{UNKNOWN_CYCLE.name} (tệp ghi kỳ '{named}', không có trong hệ thống)")
    payload = {"file": file, "errors": errors[:20], "day": day,
               "cycle": cycle.id if cycle else None, "named_cycle": named}
    return Event(REPORT_REJECTED, cycle or unknown_cycle(collector), f"{file}|{sha}", payload=payload,
                 file=(sha or uuid.uuid5(_NAMESPACE, name).hex, name))


def cycle_resource(cycle: CycleRef) -> dict[str, str]:
    """The cycle as a Prefect resource, named in Vietnamese (its id when no name is known)."""
    return {"prefect.resource.id": f"{resource_prefix(cycle.collector)}.cycle.{cycle.id}",
            "prefect.resource.name": cycle.name or cycle.id, **_labels(cycle)}


def _labels(cycle: CycleRef) -> dict[str, str]:
    return {"dvtracker.cycle.id": cycle.id} | ({"dvtracker.collector": cycle.collector} if cycle.collector else {})


def resources(event: Event) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(the resource an event is about, its related resources) as Prefect records them: a unit's
    or a file's event is related to its cycle (role "cycle"), a cycle's event is the cycle's."""
    cycle = cycle_resource(event.cycle)
    related = [{**cycle, "prefect.resource.role": "cycle"}]
    prefix = resource_prefix(event.cycle.collector)
    if event.unit is not None:
        unit_id, name = event.unit
        return {"prefect.resource.id": f"{prefix}.unit.{unit_id}", "prefect.resource.name": name,
                "prefect.resource.role": "unit", **_labels(event.cycle)}, related
    if event.file is not None:
        sha, name = event.file
        return {"prefect.resource.id": f"{prefix}.file.{sha[:32]}", "prefect.resource.name": name,
                "prefect.resource.role": "file", **_labels(event.cycle)}, related
    return cycle, []


def _key_prefix(collector: str) -> str:
    return f"{collector}-" if collector else ""


def group_rate_key(collector: str, cycle_id: str, group: str) -> str:
    """The key of a group's reporting-rate artifact (the quorum is per group, so is the rate)."""
    return (f"{_key_prefix(collector)}{cycle_id.lower()}-reporting-rate-"
            + re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-"))


def artifact_keys(collector: str, cycle_id: str) -> dict[str, str]:
    """The keys of a cycle's artifacts, prefixed by its collector: ``bnv-danvan-2023-annual-status``."""
    base = _key_prefix(collector) + cycle_id.lower()
    return {"status": f"{base}-status", "rate": f"{base}-reporting-rate", "summary": f"{base}-summary",
            "compilation": f"{base}-compilation"}
