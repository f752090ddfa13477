"""Which reminders are due: the stages of a cycle's policy placed on working days around its
deadline, the one stage that goes on a given run, and the units and contacts it goes to.

Pure: callers fetch the cycle's status (``compute_status``, one query), the reminder log and
the contacts (one query each) and hand them in; nothing here queries per unit.

Rules (docs/reminders.md):
- a stage with offset n is due on ``add_working_days(deadline, n)``; offset 0 is the deadline
  day, or the last working day before it when the deadline itself is a day off (a reminder
  "due today" must reach the unit on a day it still counts as on time);
- nothing goes on a day off, nor before the policy's hour on the run day;
- on a run, only the latest stage already due goes: a stage missed because no run happened
  goes on the next run, unless a later stage has become due meanwhile, which replaces it
  (a unit back from a long gap gets one reminder, not three stale ones);
- units that have reported (on time or late) or are exempted are never reminded; units
  not yet due, missing or with a draft only are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, select

from models import vnformat
from models.audit import audit
from models.clock import utcnow, vn_moment
from models.errors import UserError
from models.roster import Roster
from models.streams import ReminderPolicy, ReminderStage
from models.tables import ContactRow, CycleRow, ReminderLetterRow, ReminderRow, RequestRow
from models.workdays import WorkCalendar

ELIGIBLE_STATUSES = ("not_due", "missing", "draft_only")
CHANNEL_ORDER = ("email", "chat")
REMINDER_STATUSES = {"pending": "chờ gửi", "sending": "đang gửi / chưa xác nhận", "sent": "đã gửi",
                     "failed": "lỗi, sẽ gửi lại"}
OUTCOMES = {
    "would_send": "sẽ gửi (chạy thử)",
    "sent": "đã gửi",
    "already_sent": "đã gửi trước đó",
    "failed": "lỗi, sẽ gửi lại ở lần chạy sau",
    "unconfirmed": "chưa xác nhận đã gửi",
    "no_contact": "không có đầu mối liên hệ",
    "awaiting_letter": "chờ số công văn đôn đốc",
}
CHANNEL_LABELS = {"email": "thư điện tử", "chat": "tin nhắn", None: "-"}
_STAGE_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{0,31}$")


@dataclass(frozen=True)
class ScheduledStage:
    id: str
    offset: int  # working days relative to the deadline
    escalate: bool
    due_on: date

    @property
    def label(self) -> str:
        return stage_label(self.offset, self.escalate)


def stage_label(offset: int, escalate: bool = False) -> str:
    if offset < 0:
        text = f"trước hạn {-offset} ngày làm việc"
    elif offset == 0:
        text = "ngày hết hạn"
    else:
        text = f"quá hạn {offset} ngày làm việc"
    return text + (", báo cáo lãnh đạo đơn vị" if escalate else "")


def cycle_policy(cycle: CycleRow) -> ReminderPolicy:
    try:
        return ReminderPolicy.model_validate(cycle.reminder_policy)
    except ValidationError as exc:
        raise UserError(f"Chính sách nhắc của kỳ '{cycle.id}' không hợp lệ: {exc}") from exc


def stage_day(deadline: date, offset: int, calendar: WorkCalendar) -> date:
    if offset == 0 and not calendar.is_working_day(deadline):
        return calendar.add_working_days(deadline, -1)
    return calendar.add_working_days(deadline, offset)


def schedule(policy: ReminderPolicy, deadline: date, calendar: WorkCalendar) -> list[ScheduledStage]:
    """The policy's stages on their days, in the order they fall."""
    stages = [ScheduledStage(s.id, s.offset, s.escalate, stage_day(deadline, s.offset, calendar))
              for s in policy.stages]
    return sorted(stages, key=lambda s: (s.due_on, s.offset))


def sending_time(day: date, hour: int) -> datetime:
    return vn_moment(day, hour)


@dataclass(frozen=True)
class DueStage:
    stage: ScheduledStage | None  # the one stage that goes on this run, if any
    note: str | None = None  # why none goes (Vietnamese)
    schedule: tuple[ScheduledStage, ...] = ()


def due_stage(cycle: CycleRow, policy: ReminderPolicy, deadline: date | None, calendar: WorkCalendar,
              as_of: date, moment: datetime | None = None) -> DueStage:
    """The stage that goes on ``as_of``. ``moment`` is the time of the run: before the
    policy's hour nothing goes (None: the run is taken to happen at or after that hour)."""
    if cycle.status != "open":
        return DueStage(None, f"Kỳ '{cycle.id}' đã đóng: không đôn đốc nữa.")
    if deadline is None:
        return DueStage(None, f"Kỳ '{cycle.id}' chưa có hạn nộp vào ngày {vnformat.day(as_of)}: chưa có gì để nhắc.")
    stages = tuple(schedule(policy, deadline, calendar))
    reason = calendar.day_off_reason(as_of)
    if reason:
        return DueStage(None, f"Ngày {vnformat.day(as_of)} là ngày nghỉ ({reason}): không gửi nhắc.", stages)
    due = [s for s in stages if s.due_on <= as_of]
    if not due:
        first = f" (đợt đầu: {vnformat.day(stages[0].due_on)})" if stages else ""
        return DueStage(None, f"Chưa đến đợt nhắc nào{first}.", stages)
    if moment is not None and moment < sending_time(as_of, policy.hour):
        return DueStage(None, f"Chưa đến giờ gửi nhắc ({policy.hour:02d}:00 ngày {vnformat.day(as_of)}).", stages)
    return DueStage(due[-1], None, stages)


# --- who gets what ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    address: str  # email address or Apprise URL, as stored
    role: str
    name: str | None


@dataclass
class PlannedReminder:
    unit_id: str  # the unit chased (counts in the cycle)
    via_unit_id: str  # the unit whose contacts receive it: the unit itself or its successor
    stage: ScheduledStage
    channel: str | None  # None: the unit has no contact for this stage
    recipients: list[Recipient] = field(default_factory=list)
    log: ReminderRow | None = None  # the log row of (cycle, unit, stage, channel), if any

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.unit_id, self.stage.id, self.channel)


def valid_contacts(contacts: list[ContactRow], on: date) -> dict[str, list[ContactRow]]:
    by_unit: dict[str, list[ContactRow]] = defaultdict(list)
    for c in contacts:
        if (c.valid_from is None or c.valid_from <= on) and (c.valid_to is None or on <= c.valid_to):
            by_unit[c.unit_id].append(c)
    return by_unit


def plan_reminders(units: pd.DataFrame, stage: ScheduledStage, contacts: list[ContactRow],
                   log: list[ReminderRow], roster: Roster, as_of: date) -> list[PlannedReminder]:
    """One planned reminder per eligible unit and channel (or one without channel when the
    unit has no contact). ``units`` is ``StatusReport.units``; ``log`` the cycle's rows."""
    by_unit = valid_contacts(contacts, as_of)
    by_key = {(r.unit_id, r.stage, r.channel): r for r in log}
    roles = {"focal", "leadership"} if stage.escalate else {"focal"}
    planned = []
    for unit_id in units.loc[units["status"].isin(ELIGIBLE_STATUSES), "unit_id"]:
        via = roster.successor_on(unit_id, as_of)
        chosen = sorted((c for c in by_unit.get(via, []) if c.role in roles),
                        key=lambda c: (c.role != "focal", c.id or 0))
        channels = [ch for ch in CHANNEL_ORDER if any(c.channel == ch for c in chosen)]
        if not channels:
            planned.append(PlannedReminder(unit_id, via, stage, None))
        for ch in channels:
            recipients = [Recipient(c.address, c.role, c.name) for c in chosen if c.channel == ch]
            planned.append(PlannedReminder(unit_id, via, stage, ch, recipients, by_key.get((unit_id, stage.id, ch))))
    return planned


# --- per-cycle policy ---------------------------------------------------------------------------
def parse_stage(text: str) -> ReminderStage:
    """``truoc-3:-3`` or ``sau-7:7:escalate``."""
    parts = text.strip().split(":")
    try:
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("escalate", "leo-thang")):
            raise ValueError
        stage = ReminderStage(id=parts[0], offset=int(parts[1]), escalate=len(parts) == 3)
    except ValueError:
        raise UserError(f"Đợt nhắc '{text}' không hợp lệ (cần dạng truoc-3:-3 hoặc sau-7:7:escalate).") from None
    return stage


def set_policy(session: Session, cycle: CycleRow, *, stages: list[ReminderStage] | None = None,
               hour: int | None = None, reset_to: ReminderPolicy | None = None) -> ReminderPolicy:
    """Override the cycle's reminder policy (stages and/or hour), or reset it to ``reset_to``
    (the stream's default). Stages already sent keep their log: a stage id is sent once."""
    current = reset_to.model_copy(deep=True) if reset_to else cycle_policy(cycle)
    if hour is not None:
        if not 0 <= hour <= 23:
            raise UserError(f"Giờ gửi nhắc {hour} không hợp lệ (cần từ 0 đến 23).")
        current.hour = hour
    if stages is not None:
        if not stages:
            raise UserError("Cần ít nhất một đợt nhắc (--stage).")
        ids = [s.id for s in stages]
        for s in stages:
            if not _STAGE_ID.match(s.id):
                raise UserError(f"Mã đợt nhắc '{s.id}' không hợp lệ (chữ thường không dấu, số, dấu gạch ngang).")
            if not -60 <= s.offset <= 60:
                raise UserError(f"Đợt nhắc '{s.id}': độ lệch {s.offset} ngày làm việc quá lớn (tối đa 60).")
        if len(set(ids)) != len(ids):
            raise UserError(f"Mã đợt nhắc bị trùng: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}.")
        current.stages = list(stages)
    before = cycle.reminder_policy
    cycle.reminder_policy = current.model_dump()
    if cycle.reminder_policy != before:
        audit(session, "policy", "cycle", cycle.id, before=before, after=cycle.reminder_policy)
    return current


# --- the công văn đôn đốc -------------------------------------------------------------------------
def link_letter(session: Session, cycle_id: str, request: RequestRow) -> ReminderLetterRow | None:
    """Record ``request`` (a numbered công văn đôn đốc) as the issued form of the cycle's oldest
    draft letter not yet linked; from then on the letter's messages go. A draft is linked once:
    of two coordinators entering numbers at once, one links it (the update applies only while it
    is unlinked) and the other's letter is recorded as a request only."""
    drafts = session.exec(select(ReminderLetterRow).where(ReminderLetterRow.cycle_id == cycle_id,
                                                          ReminderLetterRow.request_id.is_(None))
                          .order_by(ReminderLetterRow.drafted_on, ReminderLetterRow.id)).all()
    for draft in drafts:
        linked = session.exec(update(ReminderLetterRow)
                              .where(ReminderLetterRow.id == draft.id, ReminderLetterRow.request_id.is_(None))
                              .values(request_id=request.id, linked_at=utcnow())).rowcount == 1
        if linked:
            session.refresh(draft)
            audit(session, "link", "reminder_letter", f"{cycle_id}:{draft.stage}", request=request.number,
                  issued_on=request.issued_on)
            return draft
    return None


# --- who was reminded, as a coordinator asks it any day --------------------------------------------
@dataclass(frozen=True)
class Reminded:
    stage: str  # the stage's label ("trước hạn 5 ngày làm việc")
    on: date  # the Vietnam date it was sent


def _sent_rows(session: Session, cycle: CycleRow, as_of: date) -> list[tuple[str, str, date]]:
    """(unit, stage label, day sent) of every reminder of ``cycle`` sent by the end of ``as_of``."""
    from models.clock import vn_date

    labels = {s.id: stage_label(s.offset, s.escalate) for s in cycle_policy(cycle).stages}
    rows = session.execute(select(ReminderRow.unit_id, ReminderRow.stage, ReminderRow.sent_at)
                           .where(ReminderRow.cycle_id == cycle.id, ReminderRow.status == "sent")).all()
    out = []
    for unit_id, stage, sent_at in rows:
        if sent_at is None:
            continue
        day = vn_date(sent_at)
        if day <= as_of:
            out.append((unit_id, labels.get(stage, stage), day))
    return out


def last_reminded(session: Session, cycle: CycleRow, as_of: date) -> dict[str, Reminded]:
    """Each unit's last reminder sent by ``as_of``: its stage and day (one query)."""
    last: dict[str, Reminded] = {}
    for unit_id, label, day in sorted(_sent_rows(session, cycle, as_of), key=lambda r: r[2]):
        last[unit_id] = Reminded(label, day)
    return last


def latest_round(session: Session, cycle: CycleRow, as_of: date) -> tuple[date, int] | None:
    """The last day by ``as_of`` on which reminders went, and to how many units."""
    rows = _sent_rows(session, cycle, as_of)
    if not rows:
        return None
    day = max(r[2] for r in rows)
    return day, len({r[0] for r in rows if r[2] == day})
