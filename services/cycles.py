"""The coordinators' actions on cycles: open one from its request letter, add a later letter,
exempt a unit, close it, adjust its reminder policy; and the two ways to look at cycles."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from sqlmodel import select

from models import cycles
from models.cycles import RequestInput
from models.errors import UserError
from models.reminders import ReminderPolicy, cycle_policy, parse_stage, schedule, set_policy
from models.tables import CycleRow
from services.inputs import FormulaFree, Input
from wiring.app import App

Text = Annotated[FormulaFree, Field(max_length=500)]


class OpenCycle(Input):
    stream: str = Field(title="luồng báo cáo", max_length=32)
    kind: str = Field(title="loại kỳ", max_length=16)
    year: int = Field(title="năm", ge=2000, le=2100)
    request: FormulaFree = Field(title="số công văn", max_length=64)
    issued: date = Field(title="ngày ban hành")
    deadline: Text | None = Field(None, title="thời hạn")
    received: date | None = Field(None, title="ngày nhận công văn")
    subject: Text = Field("", title="trích yếu")
    name: str | None = Field(None, title="tên ngắn của kỳ", max_length=40)
    label: FormulaFree | None = Field(None, title="tên kỳ", max_length=255)
    window_start: date | None = Field(None, title="đầu thời gian chốt số liệu")
    window_end: date | None = Field(None, title="cuối thời gian chốt số liệu")
    reference_date: date | None = Field(None, title="ngày chốt danh sách đơn vị")
    roll_forward: bool = True
    quorum_shares: dict[str, float] | None = Field(None, title="tỷ lệ tối thiểu mỗi nhóm")
    quorum_required: list[Annotated[str, Field(max_length=255)]] | None = Field(None, title="đơn vị bắt buộc")

    @field_validator("quorum_shares")
    @classmethod
    def _shares(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        for group, share in (shares or {}).items():
            if not 0 < share <= 1:
                raise ValueError(f"tỷ lệ của nhóm '{group}' là {share:g}, cần lớn hơn 0 và không quá 1 "
                                 "(ví dụ 0.8 cho 80%)")
        return shares

    @model_validator(mode="after")
    def _window(self) -> OpenCycle:
        if (self.window_start is None) != (self.window_end is None):
            raise ValueError("cần ghi cả đầu và cuối thời gian chốt số liệu")
        return self


def open_cycle(app: App, spec: OpenCycle) -> dict:
    """Open (or find, when it is the same request) a cycle; returns its description."""
    stream = app.config.stream(spec.stream)
    window = (spec.window_start, spec.window_end) if spec.window_start and spec.window_end else None
    quorum = None
    if spec.quorum_shares is not None or spec.quorum_required is not None:
        unknown = sorted(set(spec.quorum_shares or {}) - set(stream.expected.groups))
        if unknown:
            raise UserError(f"Nhóm '{unknown[0]}' không có trong luồng '{stream.id}' "
                            f"(các nhóm: {', '.join(stream.expected.groups)}).")
        reference = spec.reference_date or (window[1] if window else app.config.window(stream, spec.kind, spec.year)[1])
        quorum = dict(shares=dict(spec.quorum_shares or {}),
                      required=[app.roster.find(t, reference).id for t in spec.quorum_required or []])
    with app.session() as session:
        cycle = cycles.open_cycle(
            session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id=spec.stream,
            kind=spec.kind, year=spec.year, name=spec.name, label=spec.label, window=window,
            reference_date=spec.reference_date, roll_forward=spec.roll_forward, quorum=quorum,
            request=RequestInput(spec.request, spec.issued, spec.deadline, "request", spec.subject, spec.received))
        return cycles.describe_cycle(session, cycle, app.roster, app.config)


class NewRequest(Input):
    number: FormulaFree = Field(title="số công văn", max_length=64)
    issued: date = Field(title="ngày ban hành")
    kind: str = Field("reminder", title="loại công văn", max_length=16)
    deadline: Text | None = Field(None, title="thời hạn")
    received: date | None = Field(None, title="ngày nhận công văn")
    subject: Text = Field("", title="trích yếu")


def add_request(app: App, cycle_id: str, spec: NewRequest) -> dict:
    with app.session() as session:
        cycle = cycles.get_cycle(session, cycle_id)
        cycles.add_request(session, cycle, app.calendar,
                           RequestInput(spec.number, spec.issued, spec.deadline, spec.kind, spec.subject, spec.received),
                           delivery_days=app.config.stream(cycle.stream_id).delivery_days)
        return cycles.describe_cycle(session, cycle, app.roster, app.config)


class Exemption(Input):
    unit: str = Field(title="đơn vị", max_length=255)
    reason: FormulaFree = Field(title="lý do", min_length=1, max_length=500)
    on: date | None = Field(None, title="ngày quyết định miễn")


def exempt_unit(app: App, cycle_id: str, spec: Exemption) -> str:
    """Exempt a unit from a cycle; returns its name in the cycle."""
    with app.session() as session:
        cycle = cycles.get_cycle(session, cycle_id)
        row = cycles.exempt_unit(session, cycle, app.roster, spec.unit, spec.reason, spec.on or app.clock.today())
        return app.roster.get(row.unit_id).name_on(cycle.reference_date)


def close_cycle(app: App, cycle_id: str) -> None:
    with app.session() as session:
        cycles.close_cycle(session, cycles.get_cycle(session, cycle_id))


class PolicyChange(Input):
    stages: list[Annotated[str, Field(max_length=64)]] = Field([], title="đợt nhắc")
    hour: int | None = Field(None, title="giờ gửi nhắc", ge=0, le=23)
    reset: bool = False


def reminder_policy(app: App, cycle_id: str, change: PolicyChange | None = None) -> dict:
    """The cycle's reminder policy (``policy``), changed first when ``change`` says so, the
    deadline in force today and the stages on their days around it (``days``)."""
    with app.session() as session:
        cycle = cycles.get_cycle(session, cycle_id)
        if change and (change.stages or change.hour is not None or change.reset):
            default = app.config.reminder_policies[app.config.stream(cycle.stream_id).reminders] \
                if change.reset else None
            policy: ReminderPolicy = set_policy(session, cycle, stages=[parse_stage(s) for s in change.stages] or None,
                                                hour=change.hour, reset_to=default)
        else:
            policy = cycle_policy(cycle)
        current = cycles.effective_deadline(cycles.requests_of(session, cycle_id), app.clock.today())
    deadline = current.deadline if current else None
    return dict(policy=policy, deadline=deadline, days=schedule(policy, deadline, app.calendar) if deadline else [])


def list_cycles(app: App) -> list[dict]:
    with app.session() as session:
        return [cycles.describe_cycle(session, c, app.roster, app.config)
                for c in session.exec(select(CycleRow).order_by(CycleRow.id)).all()]


def show_cycle(app: App, cycle_id: str) -> dict:
    with app.session() as session:
        return cycles.describe_cycle(session, cycles.get_cycle(session, cycle_id), app.roster, app.config)


def open_cycle_ids(app: App, only: str | None = None) -> list[str]:
    with app.session() as session:
        if only:
            return [cycles.get_cycle(session, only).id]
        return list(session.exec(select(CycleRow.id).where(CycleRow.status == "open").order_by(CycleRow.id)).all())
