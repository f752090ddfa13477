"""The coordinators' action of sending a compilation up as this collector's report to the
collector above it (a Sở Nội vụ's compilation → the province's report to Bộ Nội vụ)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pydantic import Field, field_validator

from services.inputs import Input
from tasks.rollup import RollupResult, write_rollup
from wiring.app import App

__all__ = ["RollupRequest", "RollupResult", "rollup"]


class RollupRequest(Input):
    cycle: str = Field(title="mã kỳ", max_length=80)
    version: int | None = Field(None, title="bản tổng hợp số", ge=1)
    number: str = Field(title="số văn bản", min_length=1, max_length=64)
    doc_date: date = Field(title="ngày văn bản")
    to_cycle: str | None = Field(None, title="mã kỳ của cấp trên", max_length=80)
    answers: str | None = Field(None, title="công văn của cấp trên được trả lời", max_length=64)
    out: Path | None = Field(None, title="tệp ghi báo cáo")
    own: dict[str, str] = Field(default_factory=dict, title="số liệu của chính đơn vị", max_length=100)

    @field_validator("number")
    @classmethod
    def _signed(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9A-Za-zĐđ][^\s]*/[^\s]+", value):
            raise ValueError("phải là số và ký hiệu đã ký ban hành, ví dụ 123/BC-SNV")
        return value


def rollup(app: App, request: RollupRequest) -> RollupResult:
    """Write the cycle's compilation (``version``, default the latest) as the report to send up."""
    return write_rollup(app, request.cycle, number=request.number, doc_date=request.doc_date, version=request.version,
                        target_cycle=request.to_cycle, answers_request=request.answers, out=request.out,
                        own=request.own)
