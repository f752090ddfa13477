"""The inbox as an intake source bound to one machine: on several workers, the ``intake-inbox``
deployment (its own work queue, served only by the worker of the machine holding the folder)
sweeps it, and the daily tick elsewhere leaves the local inbox alone.

What a sweep received tells the same story as in a tick: the reports received and rejected,
and, for a cycle compiled already, the reports added after it (which start a new version)."""

from __future__ import annotations

from datetime import date, datetime

from models import events
from models.events import Event
from models.intake import IntakeOutcome
from services.tick import PLAIN_STEPS, TickResult, TickSteps, tick_events
from tasks import tracking
from tasks.compile import latest_compilation
from wiring.app import App


def sweep_inbox_events(app: App, day: date, outcomes: list[IntakeOutcome]) -> list[Event]:
    """The events of a sweep on ``day``: each file received or rejected, then, per cycle already
    compiled, one ``reports-added`` for the reports accepted."""
    refs = {cid: tracking.cycle_ref(app, cid) for cid in {o.cycle_id for o in outcomes if o.cycle_id}}
    out = tick_events(TickResult(day, outcomes=outcomes, refs=refs, collector=app.config.collector.id))
    for cid, ref in refs.items():
        accepted = [o for o in outcomes if o.cycle_id == cid and o.outcome == "accepted"]
        if accepted and latest_compilation(app, cid) is not None:
            out.append(Event(events.REPORTS_ADDED, ref, "|".join(sorted(f"{o.unit_id}v{o.version}" for o in accepted)),
                             payload={"as_of": day.isoformat(), "units": [o.unit_name for o in accepted]}))
    return out


def sweep(app: App, day: date, *, steps: TickSteps = PLAIN_STEPS,
          received_at: datetime | None = None) -> tuple[list[IntakeOutcome], list[Event]]:
    """Take in what is in this machine's inbox (received now, or at ``received_at``); the
    outcomes and the events they make."""
    outcomes = steps.sweep_inbox(app, received_at=received_at)
    return outcomes, sweep_inbox_events(app, day, outcomes)
