"""Cycles, their request documents, their frozen expected set and exemptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from models import vnformat
from models.audit import audit
from models.clock import utcnow
from models.deadlines import derive_deadline
from models.errors import UserError
from models.roster import Roster, sort_key
from models.streams import CYCLE_KINDS, CalendarConfig
from models.tables import CycleRow, ExpectedUnitRow, RequestRow
from models.workdays import WorkCalendar

REQUEST_KINDS = {"request": "Công văn đề nghị báo cáo", "reminder": "Công văn đôn đốc", "addition": "Công văn đề nghị bổ sung"}
_NUMBER = re.compile(r"^\d{1,6}/[\w&.\-]+$")


@dataclass(frozen=True)
class RequestInput:
    number: str
    issued_on: date
    deadline: str | None = None  # as the letter words it, or a date
    kind: str = "request"
    subject: str = ""
    received_on: date | None = None  # the day the units received it, when a deadline counts from receipt


def cycle_id_for(stream_id: str, kind: str, year: int, name: str | None = None) -> str:
    if kind == "half_year":
        return f"{stream_id}-{year}-h1"
    if kind == "annual":
        return f"{stream_id}-{year}-annual"
    if not name or not re.fullmatch(r"[a-z0-9][a-z0-9\-]{0,40}", name):
        raise UserError(
            "Kỳ chuyên đề cần --name gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ: so-ket-2-nam)."
        )
    return f"{stream_id}-{year}-{name}"


def default_label(kind: str, year: int) -> str:
    if kind == "half_year":
        return f"6 tháng đầu năm {year}"
    if kind == "annual":
        return f"năm {year}"
    raise UserError("Kỳ chuyên đề cần --label (ví dụ: 'Sơ kết 02 năm 2021 - 2023').")


def get_cycle(session: Session, cycle_id: str) -> CycleRow:
    cycle = session.get(CycleRow, cycle_id)
    if cycle is None:
        known = ", ".join(session.exec(select(CycleRow.id).order_by(CycleRow.id)).all()) or "chưa có kỳ nào"
        raise UserError(f"Không có kỳ báo cáo '{cycle_id}' (các kỳ hiện có: {known}).")
    return cycle


def expected_set(config: CalendarConfig, roster: Roster, stream_id: str, on: date) -> list[str]:
    """The stream's expected units in force on ``on``: its groups of official units, plus
    the units it names in ``include``, less those in ``exclude``."""
    spec = config.stream(stream_id).expected
    ids = [u.id for u in roster.on(on) if u.group in spec.groups]
    for uid in spec.include:
        if roster.get(uid).valid_on(on) and uid not in ids:
            ids.append(uid)
    ids = [i for i in ids if i not in set(spec.exclude)]
    return [u.id for u in sorted((roster.get(i) for i in ids), key=sort_key)]


def open_cycle(
    session: Session,
    *,
    config: CalendarConfig,
    roster: Roster,
    calendar: WorkCalendar,
    stream_id: str,
    kind: str,
    year: int,
    request: RequestInput,
    name: str | None = None,
    label: str | None = None,
    window: tuple[date, date] | None = None,
    reference_date: date | None = None,
    roll_forward: bool = True,
    quorum: dict | None = None,
) -> CycleRow:
    """Create a cycle from its first request. Opening the same cycle again from the same
    request returns the existing cycle unchanged (so that a rerun is harmless)."""
    stream = config.stream(stream_id)
    if kind not in CYCLE_KINDS:
        raise UserError(f"Loại kỳ '{kind}' không hợp lệ (cần: {', '.join(CYCLE_KINDS)}).")
    if kind not in stream.cycle_kinds:
        raise UserError(f"Luồng '{stream_id}' không có kỳ loại '{kind}' (chỉ có: {', '.join(stream.cycle_kinds)}).")
    cid = cycle_id_for(stream_id, kind, year, name)
    existing = session.get(CycleRow, cid)
    if existing is not None:
        first = session.exec(select(RequestRow).where(RequestRow.cycle_id == cid).order_by(RequestRow.id)).first()
        if first and first.number == request.number and first.issued_on == request.issued_on:
            return existing
        raise UserError(f"Kỳ '{cid}' đã được mở từ công văn {first.number if first else '?'}; "
                        "dùng 'dvtracker cycle request' để thêm công văn.")
    window_start, window_end = window or config.window(stream, kind, year)
    if window_end < window_start:
        raise UserError(f"Thời gian chốt số liệu không hợp lệ: {vnformat.day(window_start)} sau {vnformat.day(window_end)}.")
    reference = reference_date or window_end
    cycle = CycleRow(
        id=cid,
        stream_id=stream_id,
        kind=kind,
        year=year,
        label=label or default_label(kind, year),
        window_start=window_start,
        window_end=window_end,
        reference_date=reference,
        roll_forward=roll_forward,
        quorum_rule=quorum if quorum is not None else stream.quorum.model_dump(),
        reminder_policy=config.reminder_policies[stream.reminders].model_dump(),
    )
    unit_ids = expected_set(config, roster, stream_id, reference)
    if not unit_ids:
        raise UserError(f"Không có đơn vị nào phải báo cáo vào ngày tham chiếu {vnformat.day(reference)}.")
    session.add(cycle)
    session.flush()
    session.add_all(ExpectedUnitRow(cycle_id=cid, unit_id=uid) for uid in unit_ids)
    audit(session, "open", "cycle", cid, stream=stream_id, kind=kind, year=year, window=[window_start, window_end],
          reference_date=reference, expected=len(unit_ids))
    add_request(session, cycle, calendar, request, delivery_days=stream.delivery_days)
    return cycle


def add_request(session: Session, cycle: CycleRow, calendar: WorkCalendar, request: RequestInput, *,
                delivery_days: int | None = None) -> RequestRow:
    """Add a request letter to a cycle, its deadline read for the cycle's kind. A deadline
    counted from receipt uses ``request.received_on``, else the issue date plus ``delivery_days``
    working days (the stream's allowance)."""
    number = request.number.strip()
    if not _NUMBER.match(number):
        raise UserError(f"Số công văn không hợp lệ: '{request.number}' (cần dạng 2748/BNV-CTTN).")
    if request.kind not in REQUEST_KINDS:
        raise UserError(f"Loại công văn '{request.kind}' không hợp lệ (cần: {', '.join(REQUEST_KINDS)}).")
    if session.exec(select(RequestRow).where(RequestRow.cycle_id == cycle.id, RequestRow.number == number)).first():
        raise UserError(f"Công văn {number} đã có trong kỳ '{cycle.id}'.")
    if request.received_on is not None and request.received_on < request.issued_on:
        raise UserError(f"Ngày nhận công văn {number} ({vnformat.day(request.received_on)}) sớm hơn ngày ban hành "
                        f"({vnformat.day(request.issued_on)}).")
    row = RequestRow(cycle_id=cycle.id, number=number, issued_on=request.issued_on, kind=request.kind,
                     subject=request.subject, received_on=request.received_on)
    if request.deadline:
        d = derive_deadline(request.deadline, request.issued_on, calendar, roll_forward=cycle.roll_forward,
                            kind=cycle.kind, received_on=request.received_on, delivery_days=delivery_days)
        row.deadline_text, row.deadline, row.deadline_rule = d.wording, d.last_day, d.rule
        row.deadline_clause, row.deadline_basis = d.clause, "; ".join(d.basis)
        row.deadline_assumption = "; ".join(d.assumptions) or None
        row.received_on = d.received_on
        if d.addition is not None:
            row.addition_deadline, row.addition_clause, row.addition_rule = (
                d.addition.last_day, d.addition.clause, d.addition.rule)
    session.add(row)
    session.flush()
    audit(session, "add", "request", f"{cycle.id}:{number}", issued_on=request.issued_on, kind=request.kind,
          deadline_text=row.deadline_text, deadline=row.deadline, rule=row.deadline_rule,
          clause=row.deadline_clause, received_on=row.received_on, addition_deadline=row.addition_deadline)
    return row


def requests_of(session: Session, cycle_id: str) -> list[RequestRow]:
    return list(session.exec(
        select(RequestRow).where(RequestRow.cycle_id == cycle_id).order_by(RequestRow.issued_on, RequestRow.id)
    ).all())


def effective_deadline(requests: list[RequestRow], as_of: date | None = None) -> RequestRow | None:
    """The request whose deadline is in force: the latest issued (by ``as_of``) that sets one."""
    with_deadline = [r for r in requests if r.deadline and (as_of is None or r.issued_on <= as_of)]
    return max(with_deadline, key=lambda r: (r.issued_on, r.id), default=None)


def exempt_unit(session: Session, cycle: CycleRow, roster: Roster, unit_text: str, reason: str,
                on: date) -> ExpectedUnitRow:
    unit = roster.find(unit_text, cycle.reference_date)
    row = session.get(ExpectedUnitRow, (cycle.id, unit.id))
    if row is None:
        raise UserError(f"{unit.name_on(cycle.reference_date)} không thuộc danh sách phải báo cáo của kỳ '{cycle.id}'.")
    if not reason.strip():
        raise UserError("Cần ghi lý do miễn báo cáo (--reason).")
    row.exempt, row.exempt_reason, row.exempted_on = True, reason.strip(), on
    audit(session, "exempt", "expected_unit", f"{cycle.id}:{unit.id}", reason=row.exempt_reason,
          exempted_on=row.exempted_on)
    return row


def close_cycle(session: Session, cycle: CycleRow) -> None:
    if cycle.status == "closed":
        return
    cycle.status, cycle.closed_at = "closed", utcnow()
    audit(session, "close", "cycle", cycle.id)


def record_quorum(session: Session, cycle: CycleRow, on: date) -> bool:
    """Record that the cycle reached its quorum; only the first time counts. Two runs that both
    read the cycle before either recorded it cannot both record it: the update applies only
    while no day is recorded (PostgreSQL re-checks that condition after the other commits).
    ``cycle`` is refreshed to what is recorded."""
    if cycle.quorum_reached_on is not None:
        return False
    first = session.exec(update(CycleRow).where(CycleRow.id == cycle.id, CycleRow.quorum_reached_on.is_(None))
                         .values(quorum_reached_on=on, quorum_reached_at=utcnow())).rowcount == 1
    session.refresh(cycle)
    if first:
        audit(session, "quorum", "cycle", cycle.id, reached_on=on)
    return first


def expected_units(session: Session, cycle_id: str) -> list[ExpectedUnitRow]:
    return list(session.exec(select(ExpectedUnitRow).where(ExpectedUnitRow.cycle_id == cycle_id)).all())


def describe_cycle(session: Session, cycle: CycleRow, roster: Roster, config: CalendarConfig) -> dict:
    """A cycle with its requests, dates and expected units, as the CLI's --json prints it."""
    requests = requests_of(session, cycle.id)
    current = effective_deadline(requests)
    found = sorted(((roster.get(e.unit_id), e) for e in expected_units(session, cycle.id)), key=lambda p: sort_key(p[0]))
    units = [dict(id=u.id, code=u.code or u.slug, name=u.name_on(cycle.reference_date), group=u.group,
                  exempt=e.exempt, exempt_reason=e.exempt_reason) for u, e in found]
    stream = config.stream(cycle.stream_id)
    window = (cycle.window_start, cycle.window_end)
    return dict(
        id=cycle.id, stream=cycle.stream_id, stream_name=stream.name, kind=cycle.kind, year=cycle.year,
        label=cycle.label, status=cycle.status,
        window_start=cycle.window_start.isoformat(), window_end=cycle.window_end.isoformat(),
        window_rule=config.window_rule(stream, cycle.kind, cycle.year, window),
        reference_date=cycle.reference_date.isoformat(), roll_forward=cycle.roll_forward,
        deadline=current.deadline.isoformat() if current else None,
        deadline_text=current.deadline_text if current else None,
        deadline_rule=current.deadline_rule if current else None,
        deadline_clause=current.deadline_clause if current else None,
        deadline_basis=current.deadline_basis if current else None,
        deadline_assumption=current.deadline_assumption if current else None,
        deadline_request=current.number if current else None,
        addition_deadline=_iso(current.addition_deadline) if current else None,
        addition_clause=current.addition_clause if current else None,
        addition_rule=current.addition_rule if current else None,
        quorum_rule=cycle.quorum_rule,
        quorum_reached_on=cycle.quorum_reached_on.isoformat() if cycle.quorum_reached_on else None,
        requests=[dict(number=r.number, issued_on=r.issued_on.isoformat(), kind=r.kind, subject=r.subject,
                       received_on=_iso(r.received_on), deadline_text=r.deadline_text, deadline=_iso(r.deadline),
                       deadline_rule=r.deadline_rule, deadline_clause=r.deadline_clause,
                       deadline_basis=r.deadline_basis, deadline_assumption=r.deadline_assumption,
                       addition_deadline=_iso(r.addition_deadline), addition_clause=r.addition_clause,
                       addition_rule=r.addition_rule) for r in requests],
        expected_count=sum(1 for u in units if not u["exempt"]),
        expected_units=units,
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
