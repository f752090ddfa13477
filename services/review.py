"""The coordinators' review of the figures read in prose reports: list what each report's
sentences state, accept, correct or reject (the CLI's ``dvtracker review`` and the Prefect flow
``review-report`` both call these)."""

from __future__ import annotations

from pydantic import Field
from sqlmodel import select

from models import vnformat
from models.audit import current_actor
from models.catalogue import read_figure
from models.cycles import get_cycle
from models.errors import UserError
from models.numbers import NumberError
from models.reviews import STATUSES, Decision, Target, apply_review, proposals_of, review_targets
from models.tables import CycleRow, SubmissionRow, ValueRow
from services.inputs import Input
from wiring.app import App


class ReviewRequest(Input):
    cycle: str = Field(title="mã kỳ", max_length=80)
    unit: str | None = Field(None, title="đơn vị", max_length=255)
    accept_all: bool = Field(False, title="chấp nhận tất cả")
    accept: list[int] = Field(default_factory=list, title="chấp nhận đề xuất", max_length=500)
    reject: list[int] = Field(default_factory=list, title="loại đề xuất", max_length=500)
    set_values: dict[str, str] = Field(default_factory=dict, title="giá trị nhập", max_length=200)

    @property
    def decides(self) -> bool:
        return bool(self.accept_all or self.accept or self.reject or self.set_values)


def _targets(app: App, session, cycle: CycleRow, unit: str | None, *, pending_only: bool) -> list[Target]:
    unit_ids = [app.roster.find(unit, cycle.reference_date).id] if unit else None
    targets = review_targets(session, cycle.id, unit_ids)
    if unit and not targets:
        name = app.roster.get(unit_ids[0]).name_on(cycle.reference_date)
        raise UserError(f"{name} không có báo cáo dạng văn bản nào có số liệu chờ xác nhận trong kỳ '{cycle.id}'.")
    return [t for t in targets if t.latest.figures_pending or not pending_only or unit]


def list_reviews(app: App, cycle_id: str, unit: str | None = None) -> list[dict]:
    """The reports of the cycle whose figures wait for a review (with ``unit``: that unit's report,
    reviewed or not), each with the figures its sentences state and what was decided."""
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        return [_describe(app, session, cycle, t) for t in _targets(app, session, cycle, unit, pending_only=True)]


def review(app: App, request: ReviewRequest) -> list[dict]:
    """Apply the coordinator's decisions; with ``accept_all`` and no unit, to every report of the
    cycle whose figures are pending. Returns the reports as ``list_reviews`` describes them, with
    what this review changed."""
    if not request.decides:
        return list_reviews(app, request.cycle, request.unit)
    if not request.unit and (request.accept or request.reject or request.set_values):
        raise UserError("Cần ghi đơn vị (--unit) khi chấp nhận, loại hoặc nhập từng số liệu: số thứ tự đề xuất là của "
                        "từng báo cáo.")
    out = []
    with app.session() as session:
        cycle = get_cycle(session, request.cycle)
        if cycle.status != "open":
            raise UserError(f"Kỳ '{cycle.id}' đã đóng: không xác nhận số liệu được nữa.")
        catalogue = app.catalogue(cycle.stream_id)
        decision = Decision(request.accept_all, list(request.accept), list(request.reject),
                            _figures(request.set_values, {i.id: i for i in catalogue}))
        targets = _targets(app, session, cycle, request.unit, pending_only=not request.unit)
        if not targets:
            raise UserError(f"Kỳ '{cycle.id}' không có báo cáo nào có số liệu chờ xác nhận.")
        for target in targets:
            result = apply_review(session, app.roster, cycle, target, decision, catalogue, actor=current_actor(),
                                  now=app.clock.now())
            session.flush()
            refreshed = review_targets(session, cycle.id, [target.latest.unit_id])[0]
            described = _describe(app, session, cycle, refreshed)
            described["review"] = dict(new_version=result.version, changes=result.changes)
            out.append(described)
    return out


def _figures(values: dict[str, str], known: dict) -> dict:
    out = {}
    for iid, text in values.items():
        indicator = known.get(iid)
        if indicator is None:
            raise UserError(f"Chỉ tiêu '{iid}' không có trong danh mục chỉ tiêu của luồng báo cáo.")
        try:
            figure = read_figure(indicator, text)
        except NumberError as exc:
            raise UserError(f"{indicator.label}: {exc}") from None
        if figure.status == "not_reported":
            raise UserError(f"{indicator.label}: giá trị trống; để bỏ một đề xuất, dùng --reject.")
        out[iid] = figure
    return out


def _describe(app: App, session, cycle: CycleRow, target: Target) -> dict:
    unit = app.roster.get(target.latest.unit_id)
    labels = {i.id: i for i in app.catalogue(cycle.stream_id)}
    source: SubmissionRow = target.source
    figures = {v.indicator_id: v for v in session.exec(select(ValueRow).where(ValueRow.submission_id == target.latest.id))}
    proposals = []
    for p in proposals_of(session, source.id):
        indicator = labels.get(p.indicator_id)
        proposals.append(dict(
            number=p.number, indicator=p.indicator_id, label=indicator.label if indicator else p.indicator_id,
            measure=indicator.unit if indicator else None, raw=p.raw, value=p.value, of=p.of_value,
            shown=_shown(p.value, p.of_value, p.approximate, p.raw), approximate=p.approximate, origin=p.origin,
            sentence=p.sentence, position=p.position, location=p.location, section=p.section_id, status=p.status,
            status_label=STATUSES[p.status], decided_by=p.decided_by,
            decided_at=p.decided_at.isoformat() if p.decided_at else None))
    return dict(
        cycle_id=cycle.id, unit_id=unit.id, code=unit.code or unit.slug, unit_name=unit.name_on(cycle.reference_date),
        doc_number=source.doc_number, doc_date=source.doc_date.isoformat() if source.doc_date else None,
        received_on=source.received_on.isoformat(), source_version=source.version, current_version=target.latest.version,
        figures_pending=target.latest.figures_pending, proposals=proposals,
        figures={iid: dict(status=v.status, value=v.value, raw=v.raw) for iid, v in figures.items()
                 if v.status != "not_reported"},
    )


def _shown(value: float, of: float | None, approximate: bool, raw: str) -> str:
    if raw:
        return raw
    text = vnformat.number(value, 3)
    return ("khoảng " if approximate else "") + (f"{text}/{vnformat.number(of, 3)}" if of else text)
