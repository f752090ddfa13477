"""What the templates are given: plain dicts of strings and numbers built from the domain, so
that the templates only choose words (dates are already written the Vietnamese way, names as
Nghị định 30/2020 writes them inside a sentence)."""

from __future__ import annotations

from datetime import date

from models.groups import Group
from models.groups import groups_phrase as _phrase
from models.reminders import ScheduledStage
from models.roster import Roster, Unit
from models.streams import Collector, Stream
from models.tables import CycleRow, RequestRow
from models.vnformat import WEEKDAYS, count, text_day
from models.vnformat import day as vn
from models.workdays import WorkCalendar


def in_text(unit: Unit, on: date | None) -> str:
    """The unit's name inside a sentence, by its group's words: "tỉnh An Giang", "thành phố Hà
    Nội", but "Thành phố Hồ Chí Minh" (Nghị định 30/2020, Phụ lục II) and "Bộ Tư pháp"."""
    return unit.in_text(on)


def addressee(unit: Unit, on: date | None) -> str:
    """How a letter addresses the unit: a province through its People's Committee ("Ủy ban nhân
    dân tỉnh An Giang", "Ủy ban nhân dân Thành phố Hồ Chí Minh")."""
    return unit.addressee(on)


def is_own(collector: Collector, unit: Unit) -> bool:
    """Whether ``unit`` is the collector's own body (``collector.unit``: a stable id or slug)."""
    return bool(collector.unit) and collector.unit in (unit.id, unit.slug)


def groups_phrase(groups: list[str], words: dict[str, Group]) -> str:
    """The expected groups as a letter names them: "các bộ, ngành và địa phương"."""
    return _phrase([words[g].label for g in words if g in groups])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _weekday(d: date) -> str:
    return _lower_first(WEEKDAYS[d.weekday()])


def day_words(d: date) -> dict:
    """A date for a letter: "17/5/2024", its weekday "thứ Sáu"."""
    return dict(text=text_day(d), weekday=_weekday(d))


def cycle_context(cycle: CycleRow, stream: Stream, collector: Collector, first: RequestRow,
                  current: RequestRow | None, as_of: date, reply_to: str, groups: dict[str, Group]) -> dict:
    """The part shared by every message of a cycle on a day."""
    deadline = None
    if current is not None and current.deadline is not None:
        deadline = dict(
            date=vn(current.deadline), weekday=_weekday(current.deadline), day=text_day(current.deadline),
            text=current.deadline_text or vn(current.deadline), request=current.number,
        )
    contact = collector.contact
    return dict(
        cycle=dict(id=cycle.id, label=cycle.label, year=cycle.year),
        stream=dict(name=stream.name, short_name=stream.short_name, report_title=_lower_first(stream.report_title)),
        collector=dict(name=collector.name, department=collector.department, symbol=collector.symbol,
                       report_to=collector.report_to, internal_focal=collector.internal_focal or collector.name,
                       contact=dict(person=contact.person, phone=contact.phone, email=contact.email or reply_to,
                                    address=contact.address)),
        groups=groups_phrase(stream.expected.groups, groups),
        request=dict(number=first.number, issued_on=vn(first.issued_on), day=text_day(first.issued_on)),
        deadline_request=(dict(number=current.number, issued_on=vn(current.issued_on), day=text_day(current.issued_on))
                          if current is not None and current.id != first.id else None),
        deadline=deadline,
        as_of=vn(as_of),
        today=day_words(as_of),
        reply_to=contact.email or reply_to,
    )


def succession(roster: Roster, unit: Unit, via: Unit, as_of: date) -> dict | None:
    """The words on succession, only where ``via`` really succeeds ``unit`` (not the same body
    under a new id): the old unit's name and the day the change took effect."""
    if roster.continues(unit.id, via.id):
        return None
    since = min((s.effective for s in roster.successions if s.predecessor_id == unit.id), default=None)
    return dict(id=via.id, name=via.name_on(as_of), in_text=in_text(via, as_of),
                since=text_day(since) if since else "")


def reminder_context(base: dict, *, unit: Unit, via: Unit, reference: date, as_of: date, deadline: date,
                     stage: ScheduledStage, status: str, days_late: int | None, working_days_late: int | None,
                     calendar: WorkCalendar, recipient_names: list[str], roster: Roster, own: bool,
                     resend_by: date | None = None, letter: dict | None = None, leadership: bool = False) -> dict:
    remaining = calendar.working_days_between(as_of, deadline)
    timing: dict[str, object]
    if as_of < deadline and remaining > 0:
        timing = dict(phase="before", working_days=remaining, days=(deadline - as_of).days)
    elif as_of <= deadline:  # the deadline, or the last working day before a deadline on a day off
        remaining = 0
        timing = dict(phase="today", working_days=0, days=0)
    else:
        remaining = int(working_days_late or calendar.working_days_between(deadline, as_of))
        timing = dict(phase="after", working_days=remaining, days=int(days_late or (as_of - deadline).days))
    timing["working_days_text"] = count(remaining)
    successor = succession(roster, unit, via, as_of) if via.id != unit.id else None
    return dict(
        base,
        unit=dict(id=unit.id, name=unit.name_on(reference), in_text=in_text(unit, reference),
                  addressee=addressee(unit, reference), group=unit.group),
        via=successor,
        internal=own,
        addressee=base["collector"]["internal_focal"] if own else addressee(via, as_of),
        stage=dict(id=stage.id, label=stage.label, offset=stage.offset, escalate=stage.escalate, due_on=vn(stage.due_on)),
        timing=timing,
        resend_by=day_words(resend_by) if resend_by else None,
        status=dict(code=status),
        recipients=recipient_names,
        leadership=leadership,  # the unit's leadership is among the recipients
        letter=letter,
    )
