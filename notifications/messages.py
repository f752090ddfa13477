"""What the templates are given: plain dicts of strings and numbers built from the domain, so
that the templates only choose words (dates are already written the Vietnamese way)."""

from __future__ import annotations

from datetime import date

from models.reminders import ScheduledStage
from models.roster import Unit
from models.streams import Collector, Stream
from models.tables import CycleRow, RequestRow
from models.vnformat import WEEKDAYS
from models.vnformat import day as vn
from models.workdays import WorkCalendar


def addressee(unit: Unit, on: date) -> str:
    """How a letter addresses the unit: a province through its People's Committee."""
    name = unit.name_on(on)
    if unit.group == "provincial":
        return "Ủy ban nhân dân " + name[:1].lower() + name[1:]
    return name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def cycle_context(cycle: CycleRow, stream: Stream, collector: Collector, first: RequestRow,
                  current: RequestRow | None, as_of: date, reply_to: str) -> dict:
    """The part shared by every message of a cycle on a day."""
    deadline = None
    if current is not None and current.deadline is not None:
        deadline = dict(
            date=vn(current.deadline), weekday=_lower_first(WEEKDAYS[current.deadline.weekday()]),
            text=current.deadline_text or vn(current.deadline), request=current.number,
        )
    return dict(
        cycle=dict(id=cycle.id, label=cycle.label, year=cycle.year),
        stream=dict(name=stream.name, short_name=stream.short_name, report_title=_lower_first(stream.report_title)),
        collector=dict(name=collector.name, department=collector.department, symbol=collector.symbol),
        request=dict(number=first.number, issued_on=vn(first.issued_on)),
        deadline_request=(dict(number=current.number, issued_on=vn(current.issued_on))
                          if current is not None and current.id != first.id else None),
        deadline=deadline,
        as_of=vn(as_of),
        reply_to=reply_to,
    )


def reminder_context(base: dict, *, unit: Unit, via: Unit, reference: date, as_of: date, deadline: date,
                     stage: ScheduledStage, status: str, days_late: int | None, working_days_late: int | None,
                     calendar: WorkCalendar, recipient_names: list[str]) -> dict:
    remaining = calendar.working_days_between(as_of, deadline)
    if as_of < deadline and remaining > 0:
        timing = dict(phase="before", working_days=remaining, days=(deadline - as_of).days)
    elif as_of <= deadline:  # the deadline, or the last working day before a deadline on a day off
        timing = dict(phase="today", working_days=0, days=0)
    else:
        timing = dict(phase="after", working_days=int(working_days_late or calendar.working_days_between(deadline, as_of)),
                      days=int(days_late or (as_of - deadline).days))
    successor = via.id != unit.id
    return dict(
        base,
        unit=dict(id=unit.id, name=unit.name_on(reference), group=unit.group),
        via=dict(id=via.id, name=via.name_on(as_of)) if successor else None,
        addressee=addressee(via, as_of),
        stage=dict(id=stage.id, label=stage.label, offset=stage.offset, escalate=stage.escalate, due_on=vn(stage.due_on)),
        timing=timing,
        status=dict(code=status),
        recipients=recipient_names,
    )
