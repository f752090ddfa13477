"""The coordinators' actions that take reports in: the form units fill, files given by hand, the
inbox, the document-exchange service, and a report received on paper."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from pydantic import Field

from models.errors import UserError
from models.intake import IntakeOutcome
from services.inputs import FormulaFree, Input
from tasks import edxml, http_source, intake, report_docx, workbook
from tasks.intake import Progress
from wiring.app import App

SourceError = http_source.SourceError  # the document service could not be read (with what was stored before)


def write_template(app: App, cycle_id: str, *, unit: str | None = None, path: Path | None = None) -> Path:
    return workbook.write_template(app, cycle_id, unit=unit, path=path)


def fill_form(app: App, cycle_id: str, path: Path, **values) -> Path:
    """The cycle's form filled as a unit fills it in Excel (sample reports of the demo and the tests)."""
    return workbook.fill_form(app, cycle_id, path, **values)


def sample_package(path: Path, text: str, *, organ_id: str, organ_name: str, number: str, place: str, issued: date,
                   subject: str, signer: tuple[str, str, str], header: tuple[list[str], list[str]] | None = None) -> Path:
    """A report as the document-exchange system carries it: ``text`` written as a Word document
    (one paragraph a line) inside an edXML package (the demo's real An Giang report)."""
    lines = [line.strip() for line in text.replace("*", "").splitlines() if line.strip()]
    document = report_docx.write_docx(path.with_suffix(".docx"), lines, header=header)
    path.write_bytes(edxml.make_package(
        organ_id=organ_id, organ_name=organ_name, number=number, place=place, promulgated=issued, subject=subject,
        signer=signer, attachments=[(document.name, report_docx.DOCX_TYPE, document.read_bytes())]))
    return path


def submit(app: App, paths: Iterable[Path], *, received_at: datetime | None = None, cycle_id: str | None = None,
           progress: Progress | None = None) -> list[IntakeOutcome]:
    return intake.submit_files(app, paths, received_at=received_at, cycle_id=cycle_id, progress=progress)


def inbox_count(app: App) -> int:
    return len(intake.inbox_files(app))


def sweep_inbox(app: App, *, received_at: datetime | None = None, cycle_id: str | None = None,
                progress: Progress | None = None) -> list[IntakeOutcome]:
    return intake.sweep_inbox(app, received_at=received_at, cycle_id=cycle_id, progress=progress)


def pull(app: App) -> list[IntakeOutcome]:
    """Raises ``SourceError`` (with the outcomes so far) when the service cannot be read."""
    return http_source.pull_documents(app)


class PaperReport(Input):
    cycle: str = Field(title="mã kỳ", max_length=80)
    unit: str = Field(title="đơn vị", max_length=255)
    number: FormulaFree = Field(title="số văn bản", min_length=1, max_length=64)
    doc_date: date = Field(title="ngày văn bản")
    sender: str | None = Field(None, title="đơn vị gửi thay", max_length=255)
    received_at: datetime | None = Field(None, title="thời điểm nhận")


def record(app: App, spec: PaperReport) -> IntakeOutcome:
    """A report received on paper (or as a PDF) without figures: its number and date only.
    A refusal is a UserError (and recorded as a rejected intake)."""
    outcome = intake.record_paper(app, spec.cycle, spec.unit, spec.number, spec.doc_date, spec.received_at,
                                  sender=spec.sender)
    if outcome.rejected:
        raise UserError("; ".join(p.message for p in outcome.errors))
    return outcome
