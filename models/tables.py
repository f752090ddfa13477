"""The database tables. Every change to them goes through an Alembic migration
(``migrations/``); ``tests/test_migrations.py`` fails when the two disagree.

Dates of the domain (deadlines, received dates) are ``date`` in Vietnam's calendar;
timestamps are timezone-aware (stored as UTC).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow


# --- roster (synced from data/roster/*.csv) ----------------------------------------------------
class UnitRow(SQLModel, table=True):
    __tablename__ = "unit"
    id: str = Field(primary_key=True, max_length=64)
    unit_group: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)
    code: str | None = Field(default=None, max_length=16)
    slug: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=255)
    official: bool = True
    position: int = 0
    valid_from: date | None = None
    valid_to: date | None = None
    organ_id: str | None = Field(default=None, max_length=32, index=True)  # electronic id (QĐ 20/2020/QĐ-TTg)


class UnitRenameRow(SQLModel, table=True):
    __tablename__ = "unit_rename"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(foreign_key="unit.id", max_length=64, index=True)
    name: str = Field(max_length=255)
    kind: str = Field(max_length=16)
    valid_from: date


class UnitAliasRow(SQLModel, table=True):
    __tablename__ = "unit_alias"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(foreign_key="unit.id", max_length=64, index=True)
    alias: str = Field(max_length=255)


class SuccessionRow(SQLModel, table=True):
    __tablename__ = "unit_succession"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)
    id: int | None = Field(default=None, primary_key=True)
    predecessor_id: str = Field(foreign_key="unit.id", max_length=64)
    successor_id: str = Field(foreign_key="unit.id", max_length=64)
    effective: date


# --- cycles ------------------------------------------------------------------------------------
class CycleRow(SQLModel, table=True):
    __tablename__ = "cycle"
    id: str = Field(primary_key=True, max_length=80)  # e.g. danvan-2023-annual
    stream_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=16)  # half_year | annual | adhoc
    year: int
    label: str = Field(max_length=255)  # "năm 2023", "6 tháng đầu năm 2024"
    window_start: date
    window_end: date
    reference_date: date  # the roster is frozen on this date
    roll_forward: bool = True  # a deadline on a day off moves to the next working day
    status: str = Field(default="open", max_length=16)  # open | closed
    quorum_rule: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reminder_policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    quorum_reached_on: date | None = None
    quorum_reached_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class RequestRow(SQLModel, table=True):
    """A request document (công văn) of a cycle: the first request, reminders, additions."""

    __tablename__ = "request_document"
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80, index=True)
    number: str = Field(max_length=64)  # 2748/BNV-CTTN
    issued_on: date
    kind: str = Field(default="request", max_length=16)  # request | reminder | addition
    subject: str = Field(default="", max_length=500)
    deadline_text: str | None = Field(default=None, max_length=500)
    deadline: date | None = None  # last allowed day derived from deadline_text
    deadline_rule: str | None = Field(default=None, max_length=1000)
    deadline_clause: str | None = Field(default=None, max_length=500)  # the clause of deadline_text used
    deadline_basis: str | None = Field(default=None, max_length=1000)  # legal basis of deadline_rule
    deadline_assumption: str | None = Field(default=None, max_length=1000)  # what deadline_rule assumed
    received_on: date | None = None  # the day the units received the letter, given or assumed
    addition_deadline: date | None = None  # last day to send additions ("gửi bổ sung trong 05 ngày làm việc")
    addition_clause: str | None = Field(default=None, max_length=500)
    addition_rule: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


class ExpectedUnitRow(SQLModel, table=True):
    __tablename__ = "expected_unit"
    cycle_id: str = Field(foreign_key="cycle.id", primary_key=True, max_length=80)
    unit_id: str = Field(foreign_key="unit.id", primary_key=True, max_length=64)
    exempt: bool = False
    exempt_reason: str | None = Field(default=None, max_length=500)
    exempted_on: date | None = None


# --- reports -----------------------------------------------------------------------------------
class BlobRow(SQLModel, table=True):
    """The original bytes of every file received, kept whatever became of it."""

    __tablename__ = "blob"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    filename: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class SubmissionRow(SQLModel, table=True):
    """One version of one unit's report for one cycle."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("cycle_id", "unit_id", "version"),
        UniqueConstraint("cycle_id", "unit_id", "content_hash"),
        Index("ix_submission_cycle_unit", "cycle_id", "unit_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80)
    unit_id: str = Field(foreign_key="unit.id", max_length=64)  # the unit it counts for
    sender_unit_id: str = Field(foreign_key="unit.id", max_length=64)  # who sent it (a successor)
    version: int
    doc_number: str | None = Field(default=None, max_length=64)
    doc_date: date | None = None
    signer: str | None = Field(default=None, max_length=255)
    is_draft: bool = False
    received_on: date  # Vietnam date of receipt: decides timeliness
    received_at: datetime
    source: str = Field(max_length=16)  # file | inbox | http | record
    source_ref: str | None = Field(default=None, max_length=500)
    blob_sha256: str | None = Field(default=None, foreign_key="blob.sha256", max_length=64)
    content_hash: str = Field(max_length=64)
    answers_request: str | None = Field(default=None, max_length=64)
    data_until: date | None = None  # the report's own cut-off, if it declares one
    # A prose report's figures wait for a coordinator's review; the review makes a new version
    # (``review_of``: the version whose proposals it settles).
    figures_pending: bool = False
    review_of: int | None = Field(default=None, foreign_key="submission.id")
    # A lower collector's compilation sent up as this report (dvtracker rollup): its collector,
    # cycle, compilation version and the sha256 of its compiled draft.
    compiled_from: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class SectionRow(SQLModel, table=True):
    __tablename__ = "submission_section"
    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    section_id: str = Field(primary_key=True, max_length=16)
    status: str = Field(max_length=16)  # reported | not_reported | empty
    text: str | None = None


class ValueRow(SQLModel, table=True):
    __tablename__ = "submission_value"
    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    indicator_id: str = Field(primary_key=True, max_length=64)
    status: str = Field(max_length=16)  # reported | zero | not_reported
    value: float | None = None
    approximate: bool = False
    raw: str | None = Field(default=None, max_length=255)


class FigureProposalRow(SQLModel, table=True):
    """A figure read in a report's sentences, proposed to a coordinator, or a value a coordinator
    set; never a report's figure until accepted (``models.reviews``)."""

    __tablename__ = "figure_proposal"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)  # the version it was read from
    number: int  # 1, 2, 3... within the report: what a coordinator names
    indicator_id: str = Field(max_length=64)
    origin: str = Field(default="text", max_length=16)  # text | coordinator
    value: float
    of_value: float | None = None  # the second number of a score or rank (7,97/10; 63/63)
    approximate: bool = False
    raw: str = Field(max_length=100)  # as written: "21", "81,32", "63/63", "hơn 1.000"
    sentence: str | None = Field(default=None, max_length=2000)
    position: int | None = None  # character offset in the document's text
    location: str | None = Field(default=None, max_length=255)  # "đoạn 57", "trang 3, dòng 12"
    section_id: str | None = Field(default=None, max_length=16)
    status: str = Field(default="proposed", max_length=16)  # proposed | accepted | rejected | corrected
    decided_by: str | None = Field(default=None, max_length=255)
    decided_at: datetime | None = None


class IntakeRow(SQLModel, table=True):
    """What became of every file or record received: accepted, duplicate, draft, rejected."""

    __tablename__ = "intake"
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow)
    source: str = Field(max_length=16)
    source_ref: str | None = Field(default=None, max_length=500)
    blob_sha256: str | None = Field(default=None, foreign_key="blob.sha256", max_length=64)
    outcome: str = Field(max_length=16)
    cycle_id: str | None = Field(default=None, max_length=80)
    unit_id: str | None = Field(default=None, max_length=64)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SourceCursorRow(SQLModel, table=True):
    """Where an HTTP document source was last read up to, so that each document is read once."""

    __tablename__ = "source_cursor"
    source: str = Field(primary_key=True, max_length=64)
    cursor: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)


class SourceFailureRow(SQLModel, table=True):
    """A document of an HTTP source that could not be fetched yet: tried again on the next pulls,
    a bounded number of times, then refused so that the cursor moves on."""

    __tablename__ = "source_failure"
    source: str = Field(primary_key=True, max_length=64)
    source_ref: str = Field(primary_key=True, max_length=500)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    first_at: datetime = Field(default_factory=utcnow)
    last_at: datetime = Field(default_factory=utcnow)


# --- reminders ---------------------------------------------------------------------------------
class ContactRow(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("unit_id", "channel", "address"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(foreign_key="unit.id", max_length=64, index=True)
    role: str = Field(default="focal", max_length=16)  # focal | leadership
    channel: str = Field(max_length=16)  # email | chat
    address: str = Field(max_length=1000)  # email address or Apprise URL
    name: str | None = Field(default=None, max_length=255)
    valid_from: date | None = None
    valid_to: date | None = None


class ReminderRow(SQLModel, table=True):
    """One reminder of one stage to one unit on one channel: the key of exactly-once."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id", "stage", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80)
    unit_id: str = Field(foreign_key="unit.id", max_length=64)
    stage: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    status: str = Field(default="pending", max_length=16)  # pending | sending | sent | failed
    due_on: date
    attempts: int = 0
    last_error: str | None = None
    recipients: str | None = None
    subject: str | None = Field(default=None, max_length=500)
    claimed_at: datetime | None = None
    sent_at: datetime | None = None


class ReminderLetterRow(SQLModel, table=True):
    """The công văn đôn đốc of an escalation stage: drafted once (the units it names, their status
    and the new date), then linked to the cycle's request once the coordinator enters its number;
    only then do its messages go."""

    __tablename__ = "reminder_letter"
    __table_args__ = (UniqueConstraint("cycle_id", "stage"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80)
    stage: str = Field(max_length=32)
    drafted_on: date
    resend_by: date  # "trước ngày …" of the letter
    units: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    draft_sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    path: str = Field(max_length=1000)  # where the draft was written
    request_id: int | None = Field(default=None, foreign_key="request_document.id")
    linked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


# --- compilation -------------------------------------------------------------------------------
class CompilationRow(SQLModel, table=True):
    __tablename__ = "compilation"
    __table_args__ = (UniqueConstraint("cycle_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80)
    version: int
    as_of: date
    inputs_hash: str = Field(max_length=64)
    trigger: str = Field(default="manual", max_length=32)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    out_dir: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


class OutputRow(SQLModel, table=True):
    """A file the tool wrote for people (a compilation's draft, annex and summary, a day's status
    export, a reminder or digest written to the outbox, a công văn đôn đốc): its bytes are a blob,
    so that any machine sharing the database can fetch it (``dvtracker outputs get``)."""

    __tablename__ = "output"
    __table_args__ = (UniqueConstraint("cycle_id", "name", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80, index=True)
    kind: str = Field(max_length=32)  # compilation | status | reminder | digest | letter
    version: int | None = None  # the compilation's version
    name: str = Field(max_length=500)  # where it goes, relative to the var folder ("exports/…", "outbox/…")
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    size: int
    created_at: datetime = Field(default_factory=utcnow)


# --- bookkeeping -------------------------------------------------------------------------------
class AuditRow(SQLModel, table=True):
    """Who or what changed which fact, and when."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=255)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=255)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MetaRow(SQLModel, table=True):
    __tablename__ = "app_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1000)


class TickRow(SQLModel, table=True):
    """A daily tick that ran for a cycle and a day, so that a rerun can tell."""

    __tablename__ = "tick"
    __table_args__ = (UniqueConstraint("cycle_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: str = Field(foreign_key="cycle.id", max_length=80)
    day: date
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
