"""A unit's report as data, and storing it as a new version of that unit's submission.

Every intake path (workbook, JSON/YAML, inbox, HTTP, paper record) ends in
``store_submission``: one place decides which unit a report counts for, whether it is a draft,
a duplicate or a new version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import func, insert
from sqlmodel import Session, select

from models import vnformat
from models.audit import audit_now
from models.clock import vn_date
from models.db import insert_once
from models.errors import UserError
from models.limits import check_values
from models.roster import Roster, Unit
from models.tables import CycleRow, ExpectedUnitRow, SectionRow, SubmissionRow, ValueRow

SECTION_STATUSES = {"reported": "Có báo cáo", "not_reported": "Không báo cáo", "empty": "Không có nội dung"}
VALUE_STATUSES = {"reported": "Có số liệu", "zero": "Bằng 0 / Không có", "not_reported": "Không báo cáo"}


@dataclass
class SectionEntry:
    status: str  # reported | not_reported | empty
    text: str | None = None


@dataclass
class ValueEntry:
    status: str  # reported | zero | not_reported
    value: float | None = None
    approximate: bool = False
    raw: str | None = None


_NOT_HASHED = ("cycle_id", "unit", "sender")


@dataclass
class ReportData:
    """A report as read from any form, before it is matched to the roster."""

    unit: str  # code, slug, stable id or name of the unit reported on
    cycle_id: str | None = None
    doc_number: str | None = None  # 529/BC-UBND; blank: a draft
    doc_date: date | None = None  # blank: a draft
    signer: str | None = None
    sender: str | None = None  # the unit that sent it, when a successor sends for its predecessor
    answers_request: str | None = None  # 2748/BNV-CTTN
    data_until: date | None = None
    draft: bool = False  # the form says "Dự thảo", whatever its number and date
    figures_pending: bool = False  # read from prose: its figures wait for a coordinator's review
    # A collector's compilation sent up as its report (``models.rollup``): collector, cycle,
    # version and the sha256 of the compiled draft it was made from.
    compiled_from: dict | None = None
    sections: dict[str, SectionEntry] = field(default_factory=dict)
    values: dict[str, ValueEntry] = field(default_factory=dict)

    @property
    def is_draft(self) -> bool:
        number = (self.doc_number or "").strip()
        return self.draft or not number or number.startswith("/") or self.doc_date is None

    def content_hash(self, unit_id: str) -> str:
        """Identifies the same report received twice, however its unit was written. (The payload
        is ``asdict(self)`` without cycle, unit and sender, built by hand: asdict copies every
        entry deeply, which costs more than the hash.)"""
        payload = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_HASHED}
        if not self.figures_pending:
            del payload["figures_pending"]  # the hashes of reports read from forms stay as they were
        if self.compiled_from is None:
            del payload["compiled_from"]
        payload["sections"] = {k: {"status": e.status, "text": e.text} for k, e in self.sections.items()}
        payload["values"] = {k: {"status": e.status, "value": e.value, "approximate": e.approximate, "raw": e.raw}
                             for k, e in self.values.items()}
        payload["unit_id"] = unit_id
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


@dataclass
class StoreResult:
    outcome: str  # accepted | draft | duplicate
    submission: SubmissionRow
    unit: Unit
    sender: Unit


def resolve_units(session: Session, roster: Roster, cycle: CycleRow, report: ReportData,
                  received_on: date) -> tuple[Unit, Unit]:
    """(unit the report counts for, unit that sent it).

    The unit is looked up on the cycle's reference date (codes are reused after 2025). A
    report for an old cycle sent by a successor counts for the predecessor in the cycle's
    expected set, and records who sent it.
    """
    def expected(unit_ids: list[str]) -> set[str]:
        """Which of ``unit_ids`` the cycle expects: a query for the few units at hand, not the
        whole expected set (a province's cycle expects thousands)."""
        e = ExpectedUnitRow
        return set(session.exec(select(e.unit_id).where(e.cycle_id == cycle.id, e.unit_id.in_(unit_ids))).all())

    try:
        unit = roster.find(report.unit, cycle.reference_date)
    except UserError:
        unit = None
    if unit is None or not expected([unit.id]):
        # Perhaps a successor names itself: find it on the day of receipt.
        try:
            sender_guess = roster.find(report.unit, received_on)
        except UserError:
            sender_guess = None
        if sender_guess is not None and not expected([sender_guess.id]):
            lineage = roster.lineage(sender_guess.id)
            known = expected(lineage)
            candidates = [p for p in lineage if p in known]
            if len(candidates) == 1:
                return roster.get(candidates[0]), sender_guess
            if len(candidates) > 1:
                names = ", ".join(roster.get(c).name_on(cycle.reference_date) for c in candidates)
                raise UserError(
                    f"{sender_guess.name_on(received_on)} kế thừa nhiều đơn vị của kỳ '{cycle.id}' ({names}): "
                    "báo cáo phải ghi rõ đơn vị cũ được báo cáo."
                )
        if unit is None:
            raise UserError(f"Đơn vị '{report.unit}' không có trong danh mục vào ngày {vnformat.day(cycle.reference_date)}.")
        raise UserError(f"{unit.name_on(cycle.reference_date)} không thuộc danh sách phải báo cáo của kỳ '{cycle.id}'.")
    sender = unit
    if report.sender and report.sender.strip():
        sender = roster.find(report.sender, received_on)
        if sender.id != unit.id and unit.id not in roster.lineage(sender.id):
            raise UserError(
                f"Đơn vị gửi {sender.name_on(received_on)} không phải là đơn vị kế thừa của "
                f"{unit.name_on(cycle.reference_date)}."
            )
    return unit, sender


def store_submission(
    session: Session,
    roster: Roster,
    cycle: CycleRow,
    report: ReportData,
    *,
    received_at: datetime,
    source: str,
    source_ref: str | None = None,
    blob_sha256: str | None = None,
    review_of: int | None = None,
) -> StoreResult:
    if cycle.status != "open":
        raise UserError(f"Kỳ '{cycle.id}' đã đóng, không nhận thêm báo cáo.")
    if report.cycle_id and report.cycle_id != cycle.id:
        raise UserError(f"Báo cáo ghi kỳ '{report.cycle_id}', không phải kỳ '{cycle.id}'.")
    received_on = vn_date(received_at)
    try:
        unit, sender = resolve_units(session, roster, cycle, report, received_on)
    except UserError as exc:
        if not report.compiled_from:
            raise
        raise UserError(f"{exc.message} Đây là báo cáo tổng hợp của đơn vị thu thập "
                        f"'{report.compiled_from.get('collector', '')}': kiểm tra mục collector.reports_as "
                        "trong calendar.yaml của đơn vị đó (mã của đơn vị trong danh mục này).") from None
    digest = report.content_hash(unit.id)
    same = select(SubmissionRow).where(SubmissionRow.cycle_id == cycle.id, SubmissionRow.unit_id == unit.id,
                                       SubmissionRow.content_hash == digest)
    for _attempt in range(5):
        # The last version and whether this report is one of them, in one query.
        last, known = session.exec(select(func.max(SubmissionRow.version),
                                          func.count().filter(SubmissionRow.content_hash == digest)).where(
            SubmissionRow.cycle_id == cycle.id, SubmissionRow.unit_id == unit.id)).one()
        if known:
            return StoreResult("duplicate", session.exec(same).one(), unit, sender)
        version = (last or 0) + 1
        row = SubmissionRow(
            cycle_id=cycle.id, unit_id=unit.id, sender_unit_id=sender.id, version=version,
            doc_number=(report.doc_number or "").strip() or None, doc_date=report.doc_date, signer=report.signer,
            is_draft=report.is_draft, received_on=received_on, received_at=received_at, source=source,
            source_ref=source_ref, blob_sha256=blob_sha256, content_hash=digest,
            answers_request=report.answers_request, data_until=report.data_until,
            figures_pending=report.figures_pending and not report.is_draft, review_of=review_of,
            compiled_from=report.compiled_from,
        )
        inserted, existing = insert_once(session, row, same)
        if not inserted:
            # Another process stored a version at the same moment: the same report (then it is
            # a duplicate) or another one (then take the next version number).
            if existing is not None:
                return StoreResult("duplicate", existing, unit, sender)
            continue
        break
    else:
        raise UserError(f"Không lưu được báo cáo của {unit.name} cho kỳ '{cycle.id}' do xung đột ghi đồng thời.")

    # Sections and figures as plain rows, in the same transaction: dozens of them per report, and
    # an ORM object for each cost more than reading the file. Their texts get the flush's check.
    sections = [dict(submission_id=row.id, section_id=sid, status=s.status, text=s.text)
                for sid, s in report.sections.items()]
    values = [dict(submission_id=row.id, indicator_id=iid, status=v.status, value=v.value,
                   approximate=v.approximate, raw=v.raw) for iid, v in report.values.items()]
    for table, rows in ((SectionRow, sections), (ValueRow, values)):
        if rows:
            check_values(table, rows)
            session.connection().execute(insert(table), rows)
    outcome = "draft" if row.is_draft else "accepted"
    audit_now(session, "submit", "submission", f"{cycle.id}:{unit.id}:v{version}", outcome=outcome,
          sender=sender.id, doc_number=row.doc_number, received_on=received_on, source=source, source_ref=source_ref,
          **({"figures_pending": True} if row.figures_pending else {}))
    return StoreResult(outcome, row, unit, sender)
