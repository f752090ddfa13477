"""Figures proposed from a report's prose, and a coordinator's review of them.

A prose report is stored with its sections and no figures (``figures_pending``); the figures its
sentences state are proposals (``FigureProposalRow``, numbered 1, 2, 3… within the report,
those of one indicator best first). A coordinator accepts one, rejects one, sets a value of
their own (the proposals of that indicator are then *corrected*), or accepts all (each
indicator's first proposal). Every review that changes the report's figures stores them as a new
version of the report (``review_of``: the version read), audited with who decided what; the
date of the report, which decides timeliness, stays that of its first complete version
(``models.versions``). The report's figures stay pending while a proposal is undecided.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import audit
from models.catalogue import Indicator
from models.errors import UserError
from models.numbers import Figure
from models.report_text import Candidate
from models.reports import ReportData, SectionEntry, ValueEntry, store_submission
from models.roster import Roster
from models.tables import CycleRow, FigureProposalRow, SectionRow, SubmissionRow

STATUSES = {"proposed": "Chờ xác nhận", "accepted": "Đã chấp nhận", "rejected": "Đã loại",
            "corrected": "Đã sửa (thay bằng giá trị của cán bộ)"}
REVIEW_SOURCE = "review"


def add_proposals(session: Session, submission: SubmissionRow, candidates: Sequence[Candidate]) -> None:
    session.add_all(FigureProposalRow(
        submission_id=submission.id, number=n, indicator_id=c.indicator, value=c.value, of_value=c.of,
        approximate=c.approximate, raw=c.raw[:100], sentence=c.sentence[:2000], position=c.position,
        location=c.where[:255], section_id=c.section) for n, c in enumerate(candidates, start=1))


def proposals_of(session: Session, submission_id: int) -> list[FigureProposalRow]:
    return list(session.exec(select(FigureProposalRow).where(FigureProposalRow.submission_id == submission_id)
                             .order_by(FigureProposalRow.number)).all())


@dataclass
class Target:
    latest: SubmissionRow  # the version whose figures count now
    source: SubmissionRow  # the version read from the unit's document, whose proposals are reviewed


def review_targets(session: Session, cycle_id: str, unit_ids: Sequence[str] | None = None) -> list[Target]:
    """Per unit, its latest complete version when its figures come from prose: pending, or
    settled by a review of its proposals."""
    s = SubmissionRow
    latest_version = (select(s.unit_id, func.max(s.version).label("version"))
                      .where(s.cycle_id == cycle_id, s.is_draft.is_(False)).group_by(s.unit_id).subquery())
    stmt = select(s).join(latest_version, (s.unit_id == latest_version.c.unit_id)
                          & (s.version == latest_version.c.version)).where(s.cycle_id == cycle_id)
    if unit_ids is not None:
        stmt = stmt.where(s.unit_id.in_(list(unit_ids)))
    targets = []
    for row in session.exec(stmt.order_by(s.unit_id)).all():
        source = session.get(SubmissionRow, row.review_of) if row.review_of else row
        has_proposals = session.exec(select(func.count()).select_from(FigureProposalRow)
                                     .where(FigureProposalRow.submission_id == source.id)).one()
        if row.figures_pending or row.review_of or has_proposals:
            targets.append(Target(row, source))
    return targets


@dataclass
class Decision:
    accept_all: bool = False
    accept: list[int] = field(default_factory=list)
    reject: list[int] = field(default_factory=list)
    set_values: dict[str, Figure] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.accept_all or self.accept or self.reject or self.set_values)


@dataclass
class ReviewResult:
    unit_id: str
    source_version: int
    version: int | None  # the new version the review made (None: the figures did not change)
    pending: bool  # proposals still undecided
    changes: list[dict]


def apply_review(session: Session, roster: Roster, cycle: CycleRow, target: Target, decision: Decision,
                 catalogue: Sequence[Indicator], *, actor: str, now: datetime) -> ReviewResult:
    rows = proposals_of(session, target.source.id)
    by_number = {r.number: r for r in rows}
    known = {i.id: i for i in catalogue}
    _check(decision, by_number, known)
    by_indicator: dict[str, list[FigureProposalRow]] = defaultdict(list)
    for r in rows:
        by_indicator[r.indicator_id].append(r)
    changes: list[dict] = []

    def mark(row: FigureProposalRow, status: str) -> None:
        if row.status != status:
            changes.append(dict(number=row.number, indicator=row.indicator_id, raw=row.raw, before=row.status,
                                after=status))
            row.status, row.decided_by, row.decided_at = status, actor, now
            session.add(row)

    for n in decision.accept:
        chosen = by_number[n]
        for other in by_indicator[chosen.indicator_id]:
            if other is not chosen and other.status in ("proposed", "accepted"):
                mark(other, "rejected")
        mark(chosen, "accepted")
    for n in decision.reject:
        mark(by_number[n], "rejected")
    next_number = max(by_number, default=0) + 1
    for iid, figure in decision.set_values.items():
        for other in by_indicator[iid]:
            if other.status in ("proposed", "accepted"):
                mark(other, "corrected" if other.origin == "text" else "rejected")
        row = FigureProposalRow(submission_id=target.source.id, number=next_number, indicator_id=iid,
                                origin="coordinator", value=figure.value or 0.0, of_value=figure.of,
                                approximate=figure.approximate, raw=(figure.raw or _plain(figure.value))[:100],
                                status="accepted", decided_by=actor, decided_at=now)
        session.add(row)
        by_indicator[iid].append(row)
        changes.append(dict(number=next_number, indicator=iid, raw=row.raw, before=None, after="accepted"))
        next_number += 1
    if decision.accept_all:
        for group in by_indicator.values():
            if any(r.status == "accepted" for r in group):
                continue
            undecided = [r for r in group if r.status == "proposed"]
            for i, r in enumerate(undecided):
                mark(r, "accepted" if i == 0 else "rejected")
    session.flush()

    pending = any(r.status == "proposed" for group in by_indicator.values() for r in group)
    values = {i.id: ValueEntry("not_reported") for i in catalogue}
    for iid, group in by_indicator.items():
        accepted = [r for r in group if r.status == "accepted"]
        if accepted and iid in values:
            r = accepted[-1]
            values[iid] = ValueEntry("zero" if r.value == 0 else "reported", r.value, r.approximate, r.raw)
    latest = target.latest
    sections = {s.section_id: SectionEntry(s.status, s.text) for s in session.exec(
        select(SectionRow).where(SectionRow.submission_id == latest.id)).all()}
    report = ReportData(unit=latest.unit_id, cycle_id=cycle.id, doc_number=latest.doc_number, doc_date=latest.doc_date,
                        signer=latest.signer, answers_request=latest.answers_request, data_until=latest.data_until,
                        sender=latest.sender_unit_id if latest.sender_unit_id != latest.unit_id else None,
                        sections=sections, values=values, figures_pending=pending)
    stored = store_submission(session, roster, cycle, report, received_at=now, source=REVIEW_SOURCE,
                              source_ref=f"xác nhận số liệu của phiên bản {target.source.version}",
                              blob_sha256=target.source.blob_sha256, review_of=target.source.id)
    version = stored.submission.version if stored.outcome != "duplicate" else None
    audit(session, "review", "submission", f"{cycle.id}:{latest.unit_id}:v{target.source.version}",
          decisions=changes, version=version, figures_pending=pending)
    return ReviewResult(latest.unit_id, target.source.version, version, pending, changes)


def _check(decision: Decision, by_number: dict[int, FigureProposalRow], known: dict[str, Indicator]) -> None:
    numbers = decision.accept + decision.reject
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        listed = ", ".join(map(str, sorted(by_number))) or "không có đề xuất nào"
        raise UserError(f"Không có đề xuất số {', '.join(map(str, unknown))} (các đề xuất: {listed}).")
    both = sorted(set(decision.accept) & set(decision.reject))
    if both:
        raise UserError(f"Đề xuất {', '.join(map(str, both))} vừa được chấp nhận vừa bị loại.")
    accepted = [by_number[n].indicator_id for n in decision.accept]
    twice = sorted({i for i in accepted if accepted.count(i) > 1})
    if twice:
        raise UserError(f"Chỉ chấp nhận được một giá trị cho mỗi chỉ tiêu: {', '.join(twice)}.")
    for iid in decision.set_values:
        if iid not in known:
            raise UserError(f"Chỉ tiêu '{iid}' không có trong danh mục chỉ tiêu của luồng báo cáo.")
        if iid in accepted:
            raise UserError(f"Chỉ tiêu '{iid}' vừa được nhập giá trị vừa được chấp nhận theo đề xuất.")


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
