"""Send the reminders due for a cycle on a day, exactly once, and the coordinators' digest.

Exactly once: each reminder (cycle, unit, stage, channel) is claimed in the database
(its row inserted, or moved from failed to ``sending``) and committed before anything is
sent; after the send it becomes ``sent`` or ``failed`` with the error. A failed reminder is
retried by the next run (only for the addresses it did not reach). A row still ``sending``
means a run stopped between sending and recording: dvtracker cannot know whether the message
went, so it never re-sends it by itself (at most once); it is reported in the run and the
digest until a coordinator requeues it (``requeue_unconfirmed``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import vnformat
from models.audit import audit
from models.clock import utcnow, vn_date
from models.cycles import effective_deadline, get_cycle, requests_of
from models.day_story import DayStory
from models.db import gc_paused
from models.errors import UserError
from models.reminders import (
    CHANNEL_LABELS,
    ELIGIBLE_STATUSES,
    OUTCOMES,
    REMINDER_STATUSES,
    PlannedReminder,
    ScheduledStage,
    cycle_policy,
    due_stage,
    plan_reminders,
    sending_time,
)
from models.status import StatusReport, by_urgency, compute_status
from models.tables import AuditRow, ContactRow, CycleRow, MetaRow, ReminderLetterRow, ReminderRow, RequestRow
from notifications.channels import Delivery, Dispatcher, display_address, env_secret, notify_urls
from notifications.messages import cycle_context, is_own, reminder_context, vn
from notifications.outbox import build_message, digest_path, message_bytes, reminder_path, sender, write_eml
from notifications.render import ReminderMessage, Renderer
from tasks import outputs
from tasks.day_story import DIGEST, read_day_story, story_context
from tasks.letters import draft_letter, letter_context, letter_state
from tasks.tracking import QuorumCheck, quorum_state
from wiring.app import App

SecretLookup = Callable[[str], str | None]


@dataclass
class ReminderItem:
    cycle_id: str
    unit_id: str
    unit_name: str
    stage: str
    stage_label: str
    due_on: date
    channel: str | None
    outcome: str
    recipients: list[str] = field(default_factory=list)  # printable addresses
    via_unit_id: str | None = None  # the successor whose contacts receive it
    via_unit_name: str | None = None
    subject: str | None = None
    error: str | None = None
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    # The message as it goes (a preview, or what a run sent): From, To, Cc, Date and text.
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: str | None = None
    body: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["outcome_label"] = OUTCOMES[self.outcome]
        for k in ("due_on", "claimed_at", "sent_at"):
            data[k] = data[k].isoformat() if data[k] else None
        return data


@dataclass
class ReminderRun:
    cycle_id: str
    as_of: date
    dry_run: bool
    delivery: str  # smtp | outbox: where email goes
    stage: ScheduledStage | None  # the stage due on this run
    note: str | None  # why no stage is due
    deadline: date | None
    summary: dict  # the cycle's counts (expected, actual, on_time, late, ...)
    outstanding: list[dict]  # units not yet reported, with status and days late
    items: list[ReminderItem] = field(default_factory=list)
    letter: dict | None = None  # at an escalation stage: the công văn đôn đốc (state, path, number)

    def with_outcome(self, *outcomes: str) -> list[ReminderItem]:
        return [i for i in self.items if i.outcome in outcomes]

    @property
    def due(self) -> list[ReminderItem]:
        """Reminders this run had to send (or would send, in a dry run)."""
        return self.with_outcome("would_send", "sent", "failed")

    @property
    def sent(self) -> list[ReminderItem]:
        return self.with_outcome("sent")

    @property
    def failed(self) -> list[ReminderItem]:
        return self.with_outcome("failed")

    @property
    def unconfirmed(self) -> list[ReminderItem]:
        return self.with_outcome("unconfirmed")

    @property
    def skipped(self) -> list[ReminderItem]:
        return self.with_outcome("already_sent", "unconfirmed", "no_contact")

    def to_dict(self) -> dict:
        return dict(
            cycle=self.cycle_id, as_of=self.as_of.isoformat(), dry_run=self.dry_run, delivery=self.delivery,
            stage=(dict(id=self.stage.id, label=self.stage.label, offset=self.stage.offset,
                        escalate=self.stage.escalate, due_on=self.stage.due_on.isoformat()) if self.stage else None),
            note=self.note, deadline=self.deadline.isoformat() if self.deadline else None,
            counts={k: len(self.with_outcome(k)) for k in OUTCOMES}, summary=self.summary,
            outstanding=self.outstanding, items=[i.to_dict() for i in self.items], letter=self.letter,
        )


# --- the run ------------------------------------------------------------------------------------
def send_due_reminders(app: App, cycle_id: str, as_of: date, *, dry_run: bool = False,
                       now: datetime | None = None, secrets: SecretLookup = env_secret,
                       eml_dir: Path | None = None, status: StatusReport | None = None) -> ReminderRun:
    """Send (or, with ``dry_run``, only show) the reminders due for ``cycle_id`` on ``as_of``.
    A real run must be for today (Vietnam date of ``now``): a report received since ``as_of``
    would otherwise be missed. A dry run writes nothing, except, with ``eml_dir``, the e-mails it
    would send as ``.eml`` files there, byte for byte. ``secrets`` fills the ``${NAME}``
    placeholders of chat URLs (default: ``DVTRACKER_SECRET_NAME`` variables).

    At an escalation stage the units are chased by a công văn đôn đốc: the run drafts it once
    (Word), and its messages wait until the coordinator records its number (``link_letter``).
    ``status``: the cycle's status on ``as_of`` when the caller has just computed it (the daily
    tick), so that it is not computed twice."""
    stamp: Callable[[], datetime] = (lambda: now) if now else app.clock.now
    moment = stamp()
    if not dry_run and vn_date(moment) != as_of:
        raise UserError(f"Chỉ gửi nhắc cho ngày hôm nay ({vnformat.day(vn_date(moment))}), không cho ngày "
                        f"{vnformat.day(as_of)}; để xem trước một ngày khác hãy dùng --dry-run.")
    if eml_dir is not None and not dry_run:
        raise UserError("--eml chỉ dùng cùng --dry-run: thư thật được ghi vào hộp thư đi hoặc gửi qua SMTP.")
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        if status is None:
            status = compute_status(session, cycle, app.roster, app.calendar, as_of)
        elif (status.cycle_id, status.as_of) != (cycle_id, as_of):
            raise ValueError(f"the status given is of {status.cycle_id} on {status.as_of}, not {cycle_id} on {as_of}")
        requests = requests_of(session, cycle_id)
        letters = {r.stage: r for r in session.exec(select(ReminderLetterRow)
                                                    .where(ReminderLetterRow.cycle_id == cycle_id)).all()}
        # Plain rows with the tables' columns, read-only: thousands of units have thousands of contacts
        # and log rows, and making each an ORM object costs more than the rest of the planning.
        log = list(session.execute(select(*ReminderRow.__table__.columns).where(ReminderRow.cycle_id == cycle_id)))
        contacts = list(session.execute(select(*ContactRow.__table__.columns)))
    policy = cycle_policy(cycle)
    due = due_stage(cycle, policy, status.deadline, app.calendar, as_of, None if dry_run else moment)
    run = _new_run(app, cycle, status, as_of, dry_run, due.stage, due.note)
    names = dict(zip(status.units["unit_id"], status.units["name"], strict=True))
    current = due.stage.id if due.stage else None
    run.items += [_stale_item(r, names) for r in log if r.status == "sending" and r.stage != current]
    if due.stage is None:
        return run

    planned = plan_reminders(status.units, due.stage, contacts, log, app.roster, as_of)
    renderer = Renderer(app.settings.templates_dir)
    base = cycle_context(cycle, app.config.stream(cycle.stream_id), app.config.collector, requests[0],
                         effective_deadline(requests, as_of), as_of, _reply_to(app), app.config.groups)
    eligible = status.units[status.units["status"].isin(ELIGIBLE_STATUSES)]  # the units a reminder can chase
    by_unit = {row["unit_id"]: row for row in eligible.to_dict("records")}
    letter = letters.get(due.stage.id)
    if due.stage.escalate:
        chased = [r for r in by_unit.values() if not _own(app, r["unit_id"], as_of)]
        if letter is None and chased and not dry_run:
            letter = draft_letter(app, renderer, base, cycle, status.deadline, due.stage, as_of, policy, chased)
        run.letter = letter_state(app, letter, requests, len(chased))
    issued = next((r for r in requests if letter is not None and r.id == letter.request_id), None)
    # Every message of the run is rendered before the first is sent: a template error stops here.
    ctx = _Ctx(app, renderer, base, cycle, status.deadline, as_of, policy, letter, issued)
    with gc_paused():  # thousands of contexts and messages, none of them a cycle
        messages = {p.key: ctx.message(by_unit[p.unit_id], p) for p in planned
                    if p.channel and (p.log is None or p.log.status in ("pending", "failed"))
                    and not _awaiting(app, p, letter, issued, as_of)}
        preview = [_item(run, app, names, p, _planned_outcome(app, p, letter, issued, as_of), messages.get(p.key))
                   for p in planned]
    renderer.digest(_digest_context(base, run, run.items + preview))
    if dry_run:
        at = moment if vn_date(moment) == as_of else sending_time(as_of, policy.hour)
        heads: dict[tuple[str, str], tuple[str, str]] = {}  # From and Date: the same for every message of a sender
        for p, item in zip(planned, preview, strict=True):
            if item.outcome == "would_send":
                who = _sender_of(app, p, at)
                if who not in heads:
                    email = _email(app, cycle_id, p, messages[p.key], at)
                    heads[who] = (str(email["From"]), str(email["Date"]))
                _describe_message(item, p, messages[p.key], heads[who])
        if eml_dir is not None:
            for p, item in zip(planned, preview, strict=True):
                if item.outcome == "would_send" and p.channel == "email":
                    write_eml(eml_dir / f"{p.stage.id}--{p.unit_id}.eml",
                              _email(app, cycle_id, p, messages[p.key], at))
        run.items += preview
        return run

    dispatcher = Dispatcher(app.settings, secrets, _from(app, "")[1])
    for p, item in zip(planned, preview, strict=True):
        if item.outcome == "would_send" and (p.channel == "chat" or app.settings.smtp_host):
            for r in p.recipients:
                dispatcher.add(p.via_unit_id, p.channel, r.role, r.address)
    for p, item in zip(planned, preview, strict=True):
        if item.outcome == "would_send":
            item.outcome, item.error, item.attempts, item.sent_at = _send_one(app, dispatcher, cycle_id, p,
                                                                               messages[p.key], stamp)
            _describe_message(item, p, messages[p.key], None)
        run.items.append(item)
    return run


def _own(app: App, unit_id: str, on: date) -> bool:
    """Whether the unit is reached through the collector's own body (itself, or its successor)."""
    return is_own(app.config.collector, app.roster.get(app.roster.successor_on(unit_id, on)))


def _awaiting(app: App, p: PlannedReminder, letter: ReminderLetterRow | None, issued: RequestRow | None,
              as_of: date) -> bool:
    """An escalation to a unit outside the collector waits for the numbered công văn naming it."""
    if not p.stage.escalate or _own(app, p.unit_id, as_of):
        return False
    return letter is None or issued is None or p.unit_id not in {u["unit_id"] for u in letter.units}


def _planned_outcome(app: App, p: PlannedReminder, letter, issued, as_of: date) -> str:
    if p.channel is None:
        return "no_contact"
    if p.log is not None and p.log.status == "sent":
        return "already_sent"
    if p.log is not None and p.log.status == "sending":
        return "unconfirmed"
    if _awaiting(app, p, letter, issued, as_of):
        return "awaiting_letter"
    return "would_send"


def _reply_to(app: App) -> str:
    return app.config.collector.contact.email or _from(app, "")[1]


def _from(app: App, name: str) -> tuple[str, str]:
    """The sender: ``smtp_from``, else ``name`` at the collector's contact e-mail."""
    return sender(app.settings.smtp_from, name, app.config.collector.contact.email or "dvtracker@localhost")


def _send_one(app: App, dispatcher: Dispatcher, cycle_id: str, p: PlannedReminder,
              message: ReminderMessage, stamp: Callable[[], datetime]) -> tuple[str, str | None, int, datetime | None]:
    claimed, row = _claim(app, cycle_id, p, stamp())
    if not claimed:  # another run took it since this run read the log
        if row.status == "sent":
            return "already_sent", None, row.attempts, row.sent_at
        return "unconfirmed", "một lần chạy khác đang gửi", row.attempts, None
    already = set(row.recipients.split("\n")) if row.recipients else set()
    subject = message.subject if p.channel == "email" else message.chat
    if p.channel == "email":
        email = _email(app, cycle_id, p, message, stamp())
        if app.settings.smtp_host:
            delivery = dispatcher.send(p.via_unit_id, "email", {r.role for r in p.recipients}, message.subject,
                                       message.email, skip=already, message=email)
        else:
            delivery = _write_outbox(app, cycle_id, p, email, already)
    else:
        delivery = dispatcher.send(p.via_unit_id, p.channel, {r.role for r in p.recipients}, "", message.chat,
                                   skip=already)
    sent_at = stamp()
    _record(app, cycle_id, p, delivery, already, subject, sent_at)
    if delivery.ok:
        return "sent", None, row.attempts, sent_at
    return "failed", _describe(delivery.errors), row.attempts, None


def _describe(errors: dict[str, str]) -> str:
    return "; ".join(f"{display_address(a)}: {e}" for a, e in errors.items())


def _key(cycle_id: str, p: PlannedReminder):
    return and_(ReminderRow.cycle_id == cycle_id, ReminderRow.unit_id == p.unit_id,
                ReminderRow.stage == p.stage.id, ReminderRow.channel == p.channel)


def _claim(app: App, cycle_id: str, p: PlannedReminder, at: datetime) -> tuple[bool, ReminderRow]:
    """Take the reminder for this run and commit, before sending. Returns whether this run got
    it (False: another run holds it or sent it meanwhile) and the row as it now is."""
    with Session(app.engine, expire_on_commit=False) as s:
        row = ReminderRow(cycle_id=cycle_id, unit_id=p.unit_id, stage=p.stage.id, channel=p.channel,
                          status="sending", due_on=p.stage.due_on, attempts=1, claimed_at=at)
        s.add(row)
        try:
            s.commit()
            return True, row
        except IntegrityError:
            s.rollback()
        taken = s.exec(update(ReminderRow).where(_key(cycle_id, p), ReminderRow.status.in_(("pending", "failed")))
                       .values(status="sending", attempts=ReminderRow.attempts + 1, claimed_at=at,
                               due_on=p.stage.due_on))
        s.commit()
        return taken.rowcount == 1, s.exec(select(ReminderRow).where(_key(cycle_id, p))).one()


def _record(app: App, cycle_id: str, p: PlannedReminder, delivery: Delivery, already: set[str], subject: str,
            at: datetime) -> None:
    """Record the outcome of a claimed reminder (the step a crash can separate from the send)."""
    reached = sorted(already | set(delivery.delivered))
    values = dict(recipients="\n".join(reached) or None, subject=subject[:500])
    if delivery.ok:
        values.update(status="sent", sent_at=at, last_error=None)
    else:
        values.update(status="failed", last_error=_describe(delivery.errors))
    with Session(app.engine) as s:
        s.exec(update(ReminderRow).where(_key(cycle_id, p), ReminderRow.status == "sending").values(**values))
        s.commit()


def _write_outbox(app: App, cycle_id: str, p: PlannedReminder, email: EmailMessage, already: set[str]) -> Delivery:
    to = [r.address for r in p.recipients if r.address not in already]
    try:
        outputs.keep(app, reminder_path(app.settings.outbox_dir, cycle_id, p.unit_id, p.stage.id), message_bytes(email),
                     cycle_id=cycle_id, kind="reminder")
    except OSError as exc:
        return Delivery(errors=dict.fromkeys(to, f"không ghi được vào hộp thư đi: {exc}"))
    return Delivery(delivered=to)


# --- the messages -------------------------------------------------------------------------------
def _addressed(p: PlannedReminder) -> tuple[list[tuple[str | None, str]], list[tuple[str | None, str]]]:
    """(To, Cc) of an e-mail: the focal points; at an escalation, the leadership with the focal
    points in Cc."""
    focal = [(r.name, r.address) for r in p.recipients if r.role == "focal"]
    leaders = [(r.name, r.address) for r in p.recipients if r.role == "leadership"]
    if p.stage.escalate and leaders:
        return leaders, focal
    return focal + leaders, []


def _sender_of(app: App, p: PlannedReminder, at: datetime) -> tuple[str, str]:
    """Who a reminder's e-mail is from: the collector at an escalation outside its own body, else
    its department."""
    c = app.config.collector
    return _from(app, c.name if p.stage.escalate and not _own(app, p.unit_id, vn_date(at)) else _sender_name(app))


def _email(app: App, cycle_id: str, p: PlannedReminder, message: ReminderMessage, at: datetime) -> EmailMessage:
    """The e-mail of a reminder, the same for the outbox, a preview and SMTP."""
    to, cc = _addressed(p)
    return build_message(sender=_sender_of(app, p, at), to=to, cc=cc, subject=message.subject,
                         body=message.email, key=f"{cycle_id}/{p.unit_id}/{p.stage.id}/email", at=at)


def _describe_message(item: ReminderItem, p: PlannedReminder, message: ReminderMessage,
                      heads: tuple[str, str] | None) -> None:
    """What the message says, for a preview and the run's JSON; ``heads``: the From and Date of
    its e-mail, in a preview."""
    if p.channel == "email":
        to, cc = _addressed(p)
        item.to = [f"{n} <{a}>" if n else a for n, a in to]
        item.cc = [f"{n} <{a}>" if n else a for n, a in cc]
        item.body = message.email
        if heads is not None:
            item.sender, item.date = heads
    else:
        item.to, item.body = list(item.recipients), message.chat


class _Ctx:
    """Renders one run's messages: a reminder, or the messages carrying the công văn đôn đốc."""

    def __init__(self, app: App, renderer: Renderer, base: dict, cycle: CycleRow, deadline: date, as_of: date,
                 policy, letter: ReminderLetterRow | None, issued: RequestRow | None):
        self.app, self.renderer, self.base, self.cycle = app, renderer, base, cycle
        self.deadline, self.as_of, self.policy, self.letter, self.issued = deadline, as_of, policy, letter, issued

    def message(self, row: dict, p: PlannedReminder) -> ReminderMessage:
        app = self.app
        own = _own(app, p.unit_id, self.as_of)
        letter = None
        if p.stage.escalate and not own and self.letter is not None and self.issued is not None:
            letter = letter_context(app, self.letter, self.issued, self.deadline)
        ctx = reminder_context(
            self.base, unit=app.roster.get(p.unit_id), via=app.roster.get(p.via_unit_id),
            reference=self.cycle.reference_date, as_of=self.as_of, deadline=self.deadline, stage=p.stage,
            status=row["status"], calendar=app.calendar, recipient_names=[r.name for r in p.recipients if r.name],
            days_late=_int_or_none(row["days_late"]), working_days_late=_int_or_none(row["working_days_late"]),
            roster=app.roster, own=own, letter=letter, leadership=any(r.role == "leadership" for r in p.recipients),
            resend_by=app.calendar.add_working_days(self.as_of, self.policy.resend_working_days),
        )
        return self.renderer.letter(ctx) if letter else self.renderer.reminder(ctx)


# --- building blocks ----------------------------------------------------------------------------
def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _sender_name(app: App) -> str:
    c = app.config.collector
    return f"{c.department} - {c.name}" if c.department else c.name


def _new_run(app: App, cycle: CycleRow, status: StatusReport, as_of: date, dry_run: bool,
             stage: ScheduledStage | None, note: str | None) -> ReminderRun:
    overall = {k: (v.item() if hasattr(v, "item") else v) for k, v in status.overall().items()}
    waiting = by_urgency(status.units[status.units["status"].isin(ELIGIBLE_STATUSES)])
    outstanding = [
        dict(unit_id=r.unit_id, name=r.name, status=r.status, status_label=r.status_label,
             days_late=_int_or_none(r.days_late), working_days_late=_int_or_none(r.working_days_late))
        for r in waiting.itertuples()
    ]
    return ReminderRun(cycle.id, as_of, dry_run, "smtp" if app.settings.smtp_host else "outbox", stage, note,
                       status.deadline, overall, outstanding)


def _item(run: ReminderRun, app: App, names: dict, p: PlannedReminder, outcome: str,
          message: ReminderMessage | None) -> ReminderItem:
    via = app.roster.get(p.via_unit_id) if p.via_unit_id != p.unit_id else None
    subject = p.log.subject if p.log is not None else None
    if message is not None:
        subject = message.subject if p.channel == "email" else message.chat
    log = p.log if outcome != "would_send" else None
    return ReminderItem(
        cycle_id=run.cycle_id, unit_id=p.unit_id, unit_name=names[p.unit_id], stage=p.stage.id,
        stage_label=p.stage.label, due_on=p.stage.due_on, channel=p.channel, outcome=outcome,
        recipients=[display_address(r.address) for r in p.recipients],
        via_unit_id=via.id if via else None, via_unit_name=via.name_on(run.as_of) if via else None,
        subject=subject, error=log.last_error if log else None, attempts=log.attempts if log else 0,
        claimed_at=log.claimed_at if log else None, sent_at=log.sent_at if log else None,
    )


def _stale_item(row: ReminderRow, names: dict) -> ReminderItem:
    return ReminderItem(
        cycle_id=row.cycle_id, unit_id=row.unit_id, unit_name=names.get(row.unit_id, row.unit_id), stage=row.stage,
        stage_label=row.stage, due_on=row.due_on, channel=row.channel, outcome="unconfirmed",
        recipients=[display_address(a) for a in (row.recipients or "").split("\n") if a], subject=row.subject,
        attempts=row.attempts, claimed_at=row.claimed_at,
    )


def _counts_sentence(run: ReminderRun) -> str:
    """The cycle's counts as the summary gives them, in one sentence that adds up."""
    c = run.summary
    if "units" not in c:
        return ""
    overdue = run.deadline is not None and run.as_of > run.deadline
    pending = (f"quá hạn chưa báo cáo {c['missing']}" if overdue else f"chưa gửi (chưa đến hạn) {c['not_due']}")
    return (f"Số đơn vị: {c['units']} = đúng hạn {c['on_time']} + muộn {c['late']} + {pending} + mới có dự thảo "
            f"{c['draft_only']} + miễn báo cáo {c['exempted']}.")


def _digest_context(base: dict, run: ReminderRun, items: list[ReminderItem], story: DayStory | None = None) -> dict:
    reached = ("sent", "already_sent", "would_send")
    return dict(
        base,
        story=story_context(story) if story else None,
        stage=(dict(id=run.stage.id, label=run.stage.label, due_on=vn(run.stage.due_on),
                    # "hôm nay" only when the stage's reminders went today (a rerun tells the same)
                    today=story is None or any(s.stage == run.stage.label for s in story.reminders))
               if run.stage else None),
        note=run.note or "",
        summary=run.summary,
        counts=_counts_sentence(run),
        reminded=[dict(unit=i.unit_name, via=i.via_unit_name, channel=CHANNEL_LABELS[i.channel],
                       recipients=", ".join(i.recipients)) for i in items if i.outcome in reached],
        failed=[dict(unit=i.unit_name, channel=CHANNEL_LABELS[i.channel], error=i.error or "")
                for i in items if i.outcome == "failed"],
        unconfirmed=[dict(unit=i.unit_name, stage=i.stage, channel=CHANNEL_LABELS[i.channel],
                          claimed_at=vnformat.moment(i.claimed_at)) for i in items if i.outcome == "unconfirmed"],
        no_contact=[i.unit_name for i in items if i.outcome == "no_contact"],
        outstanding=[dict(name=u["name"], status=u["status_label"], days_late=u["days_late"],
                          working_days_late=u["working_days_late"]) for u in run.outstanding],
        # The công văn đôn đốc waiting for its number (issue 15); the digest's other content is apart.
        letter_waiting=(dict(path=run.letter["path"], units=run.letter["units"], stage=run.stage.id)
                        if run.letter and run.letter["state"] == "draft" else None),
    )


# --- the coordinators' digest -------------------------------------------------------------------
@dataclass
class DigestResult:
    cycle_id: str
    as_of: date
    status: str  # sent | written (outbox) | unchanged (same digest already sent today) | failed | skipped
    subject: str | None = None
    targets: list[str] = field(default_factory=list)
    path: str | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        return dict(asdict(self), as_of=self.as_of.isoformat())


def send_digest(app: App, cycle_id: str, as_of: date, run: ReminderRun | None, *, now: datetime | None = None,
                secrets: SecretLookup = env_secret, report: StatusReport | None = None,
                quorum: QuorumCheck | None = None) -> DigestResult:
    """Tell the coordinators' channel (``settings.coordinator_urls``; the outbox when empty)
    the day's story (``tasks.day_story``: quorum, compilations, rejected files, failed checks,
    reminders by stage, next steps), who is missing, who was reminded and what failed. The same
    digest is sent once a day: a rerun that changed nothing sends nothing. Without a reminder
    ``run`` (the weekly digest), it is the overview of the cycle on ``as_of``. ``report`` and
    ``quorum``: the day's status and quorum, when the caller has them."""
    if run is not None and run.dry_run:
        return DigestResult(cycle_id, as_of, "skipped", error="chạy thử: không gửi bản tổng hợp")
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        report = report or compute_status(session, cycle, app.roster, app.calendar, as_of)
    story = read_day_story(app, report, quorum or quorum_state(app, cycle_id, as_of, report))
    if run is None:
        run = _new_run(app, cycle, report, as_of, False, None, "đây là bản tổng hợp tình hình định kỳ.")
    elif run.stage is None and not run.unconfirmed and not story.has_news:
        return DigestResult(cycle_id, as_of, "skipped", error=run.note)
    entity_id = f"{cycle_id}:{as_of.isoformat()}"
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        requests = requests_of(session, cycle_id)
        earlier = {a.details.get("hash") for a in session.exec(
            select(AuditRow).where(AuditRow.entity == DIGEST, AuditRow.entity_id == entity_id)).all()}
    base = cycle_context(cycle, app.config.stream(cycle.stream_id), app.config.collector, requests[0],
                         effective_deadline(requests, as_of), as_of, _reply_to(app), app.config.groups)
    subject, body = Renderer(app.settings.templates_dir).digest(_digest_context(base, run, run.items, story))
    digest_hash = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()
    result = DigestResult(cycle_id, as_of, "unchanged", subject)
    claim = "digest:" + hashlib.sha256(f"{entity_id}|{digest_hash}".encode()).hexdigest()[:48]
    if digest_hash in earlier or not _claim_digest(app, claim):
        return result  # sent already, or being sent by a run started at the same moment
    urls = app.settings.coordinator_urls
    if urls:
        result.targets = [display_address(u) for u in urls]
        result.error = notify_urls(urls, subject, body, redact=[app.settings.smtp_password.get_secret_value()],
                                   secrets=secrets)
        if result.error:
            with app.session() as session:  # not sent: the next run may try again
                session.exec(delete(MetaRow).where(MetaRow.key == claim))
            result.status = "failed"
            return result
        result.status = "sent"
    else:
        path = digest_path(app.settings.outbox_dir, cycle_id, as_of.isoformat(), digest_hash)
        message = build_message(sender=_from(app, _sender_name(app)), to=[(None, _from(app, "")[1])],
                                subject=subject, body=body, key=f"digest/{entity_id}/{digest_hash[:12]}",
                                at=now or app.clock.now())
        outputs.keep(app, path, message_bytes(message), cycle_id=cycle_id, kind="digest")
        result.status, result.path = "written", str(path)
    with app.session() as session:
        audit(session, "send", DIGEST, entity_id, hash=digest_hash, status=result.status,
              targets=result.targets or [result.path], versions=story.versions)
    return result


def _claim_digest(app: App, key: str) -> bool:
    """Claim one digest before sending it (a unique key), so that of two runs at once one sends."""
    try:
        with app.session() as session:
            session.add(MetaRow(key=key, value=utcnow().isoformat()))
        return True
    except IntegrityError:
        return False


# --- the log ------------------------------------------------------------------------------------
def reminder_log(app: App, cycle_id: str, unit: str | None = None) -> list[dict]:
    """Every reminder of a cycle (optionally of one unit), oldest stage first."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        stmt = select(ReminderRow).where(ReminderRow.cycle_id == cycle_id)
        if unit:
            stmt = stmt.where(ReminderRow.unit_id == app.roster.find(unit, cycle.reference_date).id)
        rows = session.exec(stmt.order_by(ReminderRow.due_on, ReminderRow.unit_id, ReminderRow.channel)).all()
    return [dict(unit_id=r.unit_id, unit_name=app.roster.get(r.unit_id).name_on(cycle.reference_date),
                 stage=r.stage, channel=r.channel, status=r.status, status_label=REMINDER_STATUSES[r.status],
                 due_on=r.due_on.isoformat(), attempts=r.attempts, last_error=r.last_error,
                 recipients=[display_address(a) for a in (r.recipients or "").split("\n") if a],
                 subject=r.subject, claimed_at=r.claimed_at.isoformat() if r.claimed_at else None,
                 sent_at=r.sent_at.isoformat() if r.sent_at else None) for r in rows]


def requeue_unconfirmed(app: App, cycle_id: str, *, unit: str | None = None, stage: str | None = None) -> int:
    """Let the next run send again the reminders left ``sending`` by an interrupted run, once
    a coordinator has checked they did not arrive. Returns how many were requeued."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        stmt = select(ReminderRow).where(ReminderRow.cycle_id == cycle_id, ReminderRow.status == "sending")
        if unit:
            stmt = stmt.where(ReminderRow.unit_id == app.roster.find(unit, cycle.reference_date).id)
        if stage:
            stmt = stmt.where(ReminderRow.stage == stage)
        rows = session.exec(stmt).all()
        for r in rows:
            r.status, r.last_error = "failed", "điều phối viên cho gửi lại sau lần gửi bị gián đoạn"
            audit(session, "requeue", "reminder", f"{cycle_id}:{r.unit_id}:{r.stage}:{r.channel}",
                  claimed_at=r.claimed_at)
    return len(rows)
