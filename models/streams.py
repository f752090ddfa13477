"""The reporting calendar file (``data/calendar.yaml``): collector, streams and defaults."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.errors import UserError
from models.groups import Group
from models.text import strip_accents

CYCLE_KINDS = {"half_year": "6 tháng đầu năm", "annual": "năm", "adhoc": "chuyên đề"}


class Contact(BaseModel):
    """Who units call about a reminder: printed in every letter."""

    person: str = ""  # "đồng chí Nguyễn Văn A, chuyên viên Vụ Công tác thanh niên"
    phone: str = ""
    email: str = ""
    address: str = ""


class Signer(BaseModel):
    """The signature block of the collector's letters (Nghị định 30/2020): the authority and title
    lines in capitals ("TL. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ CÔNG TÁC THANH NIÊN") and the signer's name
    (empty: left for the văn thư)."""

    lines: list[str] = ["TL. BỘ TRƯỞNG"]
    name: str = ""


class Collector(BaseModel):
    # Who collects, as a stable id: a database belongs to one collector, and its deployments,
    # events and artifacts on a shared Prefect server are named after it.
    id: str = Field("", pattern=r"^$|^[a-z0-9][a-z0-9\-]{0,31}$")
    name: str
    parent: str = ""
    department: str = ""
    department_symbol: str = ""  # the department's symbol in "Lưu: VT, CTTN."
    symbol: str
    report_symbol: str
    place: str
    report_to: str = ""
    # The collector's own body in the roster (stable id or slug): it is never sent a letter by
    # itself; its reminders go to its contacts as internal notes, addressed to internal_focal.
    unit: str = ""
    internal_focal: str = ""
    # The collector's own unit in the roster of the collector above it (code, slug, stable id or
    # name there: "22" for Quảng Ninh in Bộ Nội vụ's roster): the unit its compiled report is
    # submitted for (``dvtracker rollup``). Empty: the collector reports to no other collector.
    reports_as: str = Field("", max_length=255)
    contact: Contact = Contact()
    signer: Signer = Signer()
    copies: list[str] = []  # "Nơi nhận" of a letter, after the addressees ("Như trên") and before "Lưu"
    # The compiled report (Nghị định 30/2020): its signature block ("KT. BỘ TRƯỞNG" / "THỨ TRƯỞNG",
    # the name left for the signer) and its "Nơi nhận" before "Lưu: VT, <department>.".
    # None: the letters' signer; no recipients: "Nơi nhận" lists only ``report_to``.
    report_signer: Signer | None = None
    report_recipients: list[str] = []


class ExpectedSet(BaseModel):
    groups: list[str]
    include: list[str] = []
    exclude: list[str] = []


class QuorumRule(BaseModel):
    """Reached when every listed group has at least its share of expected units reported
    and every required unit has reported."""

    shares: dict[str, float] = {}
    required: list[str] = []


class ReminderStage(BaseModel):
    id: str
    offset: int  # working days relative to the deadline (negative: before)
    escalate: bool = False


class ReminderPolicy(BaseModel):
    hour: int = 8
    stages: list[ReminderStage]
    # After the deadline a reminder sets a new date to send by: "trước ngày D", D this many working
    # days after the day it is sent (the standard 3: the day of the escalation after a +2 reminder).
    resend_working_days: int = Field(3, ge=1, le=30)
    # The công văn đôn đốc of an escalation stage: D this many working days after the letter's date.
    letter_working_days: int = Field(5, ge=1, le=30)


class Section(BaseModel):
    id: str
    heading: str  # short, as units' reports name the section (matched when reading them)
    # As the compiled report writes it (seed 000, verbatim); empty: ``heading``.
    title: str = ""
    items: list[str] = []  # its a), b), c) sub-items, verbatim, without the letter
    lead: str = ""  # a sentence the section opens with ("Bộ Nội vụ báo cáo, kiến nghị, … chỉ đạo:")


class WindowBounds(BaseModel):
    """Each bound is [year offset, month, day] relative to the cycle's year."""

    start: tuple[int, int, int]
    end: tuple[int, int, int]


class DataWindow(BaseModel):
    """A way of fixing the data window (thời gian chốt số liệu) of each kind of cycle."""

    model_config = ConfigDict(extra="forbid")
    basis: str = ""  # why, in Vietnamese: the legal text or the practice it follows
    half_year: WindowBounds | None = None
    annual: WindowBounds | None = None
    adhoc: WindowBounds | None = None

    def bounds(self, kind: str, year: int) -> tuple[date, date] | None:
        rule = getattr(self, kind, None) if kind in CYCLE_KINDS else None
        if rule is None:
            return None
        (ys, ms, ds), (ye, me, de) = rule.start, rule.end
        return date(year + ys, ms, ds), date(year + ye, me, de)


class Stream(BaseModel):
    id: str = ""
    name: str
    short_name: str
    report_title: str
    basis: list[str] = []
    expected: ExpectedSet
    cycle_kinds: list[str]
    data_window: str  # the name of one of ``CalendarConfig.data_windows``
    # Working days a request letter takes to reach the units; a deadline counted "kể từ ngày
    # nhận được văn bản" assumes this when the receipt date is not given (None: refuse instead).
    delivery_days: int | None = Field(None, ge=0, le=30)
    indicators: str
    quorum: QuorumRule
    reminders: str
    sections: list[Section]
    # Headings of the report's parts (I, II, ...) that group the sections, as the compiled report writes them.
    parts: dict[str, str] = {}


class CalendarConfig(BaseModel):
    collector: Collector
    # The collector's groups of units in official order, with their words (models/groups.py).
    groups: dict[str, Group] = Field(min_length=1)
    data_windows: dict[str, DataWindow]
    reminder_policies: dict[str, ReminderPolicy]
    streams: dict[str, Stream] = Field(default_factory=dict)

    def stream(self, stream_id: str) -> Stream:
        try:
            return self.streams[stream_id]
        except KeyError:
            known = ", ".join(sorted(self.streams))
            raise UserError(f"Không có luồng báo cáo '{stream_id}' (các luồng hiện có: {known}).") from None

    def window(self, stream: Stream, kind: str, year: int) -> tuple[date, date]:
        """The default data window of a cycle of ``kind`` for ``year``."""
        bounds = self.data_windows[stream.data_window].bounds(kind, year)
        if bounds is None:
            raise UserError(
                f"Kỳ '{CYCLE_KINDS.get(kind, kind)}' không có thời gian chốt số liệu mặc định: "
                "hãy ghi rõ --window-start và --window-end."
            )
        return bounds

    def window_rule(self, stream: Stream, kind: str, year: int, window: tuple[date, date]) -> str:
        """Which of the named windows ``window`` is, said with its basis (the stream's own first)."""
        names = [stream.data_window, *(n for n in self.data_windows if n != stream.data_window)]
        for name in names:
            rule = self.data_windows[name]
            if rule.bounds(kind, year) == window:
                default = "; mặc định của luồng" if name == stream.data_window else ""
                return f"{rule.basis or name}{default}"
        return "do người mở kỳ ghi (--window-start, --window-end)"


def load_calendar(path: Path) -> CalendarConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = CalendarConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise UserError(f"Không đọc được tệp lịch báo cáo {path}: {exc}") from exc
    if not config.collector.id:
        config.collector.id = re.sub(r"[^a-z0-9]+", "-", strip_accents(config.collector.symbol).lower()).strip("-")[:32]
    for gid, group in config.groups.items():
        group.id = gid
    for sid, stream in config.streams.items():
        stream.id = sid
        if stream.reminders not in config.reminder_policies:
            raise UserError(f"Luồng '{sid}' dùng chính sách nhắc '{stream.reminders}' không có trong {path}.")
        if stream.data_window not in config.data_windows:
            raise UserError(f"Luồng '{sid}' dùng cách chốt số liệu '{stream.data_window}' không có trong {path}.")
    return config
