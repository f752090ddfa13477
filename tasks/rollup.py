"""The roll-up's file: a compilation version written as this collector's report to the collector
above it (``models.rollup``), kept as an output of the cycle (``dvtracker outputs``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from models import vnformat
from models.cycles import get_cycle
from models.errors import UserError
from models.numbers import NumberError, parse_figure
from models.rollup import rollup_report
from models.tables import CompilationRow
from tasks import outputs
from wiring.app import App


@dataclass
class RollupResult:
    path: Path
    report: dict
    version: int
    as_of: date

    def to_dict(self) -> dict:
        return dict(path=str(self.path), version=self.version, as_of=self.as_of.isoformat(), report=self.report)


def write_rollup(app: App, cycle_id: str, *, number: str, doc_date: date, version: int | None = None,
                 target_cycle: str | None = None, answers_request: str | None = None,
                 out: Path | None = None, own: Mapping[str, str] | None = None) -> RollupResult:
    """Write compilation ``version`` (default: the latest) of ``cycle_id`` as the report the
    collector sends up, signed with ``number`` and ``doc_date``; ``target_cycle``: the cycle of
    the collector above (default: the same id, as every collector names its cycles); ``own``: the
    collector's own figures (its score, its rank), as written, by indicator id."""
    collector = app.config.collector
    if not collector.reports_as:
        raise UserError(f"Đơn vị thu thập '{collector.id or collector.name}' không báo cáo lên cấp trên: "
                        "calendar.yaml chưa ghi collector.reports_as (mã của đơn vị này trong danh mục của cấp trên, "
                        "ví dụ \"22\" cho tỉnh Quảng Ninh; docs/data.md).")
    with app.session() as session:
        cycle = get_cycle(session, cycle_id)
        rows = session.exec(select(CompilationRow).where(CompilationRow.cycle_id == cycle.id)
                            .order_by(col(CompilationRow.version))).all()
    if not rows:
        raise UserError(f"Kỳ '{cycle.id}' chưa có bản tổng hợp nào: hãy tổng hợp trước "
                        f"(dvtracker compile --cycle {cycle.id}), rồi mới xuất báo cáo gửi cấp trên.")
    row = rows[-1] if version is None else next((r for r in rows if r.version == version), None)
    if row is None:
        raise UserError(f"Kỳ '{cycle.id}' không có bản tổng hợp số {version} "
                        f"(các bản đã có: {', '.join(str(r.version) for r in rows)}).")
    if doc_date < row.as_of:
        raise UserError(f"Ngày văn bản {vnformat.day(doc_date)} trước ngày của bản tổng hợp số {row.version} "
                        f"({vnformat.day(row.as_of)}): báo cáo không thể được ký trước khi tổng hợp.")
    catalogue = {i.id: i for i in app.catalogue(cycle.stream_id)}
    for iid, text in (own or {}).items():
        indicator = catalogue.get(iid)
        if indicator is None:
            raise UserError(f"Chỉ tiêu '{iid}' không có trong danh mục chỉ tiêu của luồng báo cáo.")
        try:
            figure = parse_figure(text, allow_ratio=indicator.aggregation == "list")
        except NumberError as exc:
            raise UserError(f"{indicator.label}: {exc}") from None
        if figure.status == "not_reported":
            raise UserError(f"{indicator.label}: giá trị trống.")
    report = rollup_report(row.summary, collector_id=collector.id, unit=collector.reports_as, cycle_id=cycle.id,
                           version=row.version, target_cycle=target_cycle or cycle.id, number=number,
                           doc_date=doc_date, data_until=cycle.window_end, answers_request=answers_request,
                           own=own)
    path = out or app.settings.exports_dir / cycle.id / f"v{row.version}" / f"{cycle.id}-v{row.version}-gui-cap-tren.json"
    content = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode()
    outputs.keep(app, path, content, cycle_id=cycle.id, kind="rollup", version=row.version)
    return RollupResult(path, report, row.version, row.as_of)
