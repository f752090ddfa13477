"""What became of a file or a record received: the outcome every intake path reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from models import vnformat
from models.report_form import Problem

OUTCOME_LABELS = {"accepted": "Đã nhận", "draft": "Dự thảo", "duplicate": "Trùng (đã có)", "rejected": "Bị từ chối",
                  "deferred": "Chưa lấy được, sẽ thử lại"}


@dataclass
class IntakeOutcome:
    source: str  # file | inbox | http | record
    source_ref: str | None
    outcome: str  # accepted | draft | duplicate | rejected | deferred (a document to fetch again next time)
    cycle_id: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    sender_name: str | None = None  # set when a successor sent the report for its predecessor
    version: int | None = None
    received_on: date | None = None
    doc_number: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    blob_sha256: str | None = None
    submission_id: int | None = None
    intake_id: int | None = None
    moved_to: str | None = None  # inbox only: where the file went
    figures_pending: bool = False  # a prose report: its figures wait for a coordinator's review
    document: dict | None = None  # a prose report: what was read, and where (tasks.report_package)

    @property
    def rejected(self) -> bool:
        return self.outcome == "rejected"

    def to_dict(self) -> dict:
        return dict(
            source=self.source, source_ref=self.source_ref, outcome=self.outcome,
            outcome_label=OUTCOME_LABELS[self.outcome], cycle_id=self.cycle_id, unit_id=self.unit_id,
            unit_name=self.unit_name, sender_name=self.sender_name, version=self.version,
            received_on=self.received_on.isoformat() if self.received_on else None, doc_number=self.doc_number,
            errors=[p.to_dict() for p in self.errors], warnings=[p.to_dict() for p in self.warnings],
            blob_sha256=self.blob_sha256, submission_id=self.submission_id, intake_id=self.intake_id,
            moved_to=self.moved_to, figures_pending=self.figures_pending, document=self.document,
        )

    def reason_text(self, received_at: datetime) -> str:
        """What a coordinator reads beside a rejected file (Vietnamese)."""
        lines = [
            f"Tệp: {self.source_ref}",
            f"Nhận lúc: {vnformat.moment(received_at)} (giờ Việt Nam)",
            f"Mã SHA-256 của tệp gốc (đã lưu trong cơ sở dữ liệu): {self.blob_sha256 or 'không có'}",
            f"Kết quả: {OUTCOME_LABELS[self.outcome].lower()}",
            "Lý do:",
            *[f"- {p}" for p in self.errors],
        ]
        if self.warnings:
            lines += ["Cảnh báo:", *[f"- {p}" for p in self.warnings]]
        lines += ["", "Cách xử lý: sửa tệp theo các lý do trên rồi đặt lại vào thư mục nhận báo cáo (inbox)."]
        return "\n".join(lines) + "\n"
