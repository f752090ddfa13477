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
    """A cycle as its events name it: the id, and when it was opened."""

    id: str
    opened_at: str
    name: str = field(default="", compare=False)  # how coordinators name it: "dân vận CQHCNN & CQCC năm 2023"


UNKNOWN_CYCLE = CycleRef("unknown", "", "Tệp không rõ kỳ báo cáo")


@dataclass(frozen=True)
class Event:
    name: str
    cycle: CycleRef
    key: str
    unit: tuple[str, str] | None = None  # (unit id, name)
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{self.name}|{self.cycle.id}|{self.cycle.opened_at}|{self.key}")


def group_rate_key(cycle_id: str, group: str) -> str:
    """The key of a group's reporting-rate artifact (the quorum is per group, so is the rate)."""
    return f"{cycle_id.lower()}-reporting-rate-" + re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-")


def artifact_keys(cycle_id: str) -> dict[str, str]:
    base = cycle_id.lower()
    return {"status": f"{base}-status", "rate": f"{base}-reporting-rate", "summary": f"{base}-summary",
            "compilation": f"{base}-compilation"}
