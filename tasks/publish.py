"""Prefect artifacts a coordinator reads in the UI, under stable keys per cycle:
``<cycle>-status`` (every unit's status), ``<cycle>-reporting-rate`` (progress) and
``<cycle>-summary`` (Markdown)."""

from __future__ import annotations

from datetime import date

from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from models import vnformat
from models.events import artifact_keys, group_rate_key
from models.status import StatusReport
from tasks.exports import unit_table


def status_table(report: StatusReport) -> list[dict]:
    """The status of every unit, with the same Vietnamese columns as the Excel export."""
    table = unit_table(report)
    return table.astype(object).where(table.notna(), "").map(
        lambda v: vnformat.day(v) if isinstance(v, date) else v).to_dict("records")


def publish_status(collector: str, report: StatusReport, summary_markdown: str, label: str) -> dict[str, str]:
    keys = artifact_keys(collector, report.cycle_id)
    overall = report.overall()
    rate = overall["reporting_rate"] or 0.0
    day = vnformat.day(report.as_of)
    create_table_artifact(status_table(report), key=keys["status"],
                          description=f"Tình hình báo cáo {label}, ngày {day}")
    create_progress_artifact(round(rate * 100, 1), key=keys["rate"],
                             description=f"Tỷ lệ báo cáo {label}: {overall['actual']}/{overall['expected']} đơn vị, ngày {day}")
    for g in report.groups[report.groups["group"] != "overall"].itertuples():
        create_progress_artifact(round((g.reporting_rate or 0.0) * 100, 1),
                                 key=group_rate_key(collector, report.cycle_id, g.group),
                                 description=f"Tỷ lệ báo cáo của các {g.group_label}, {label}: "
                                             f"{g.actual}/{g.expected} đơn vị, ngày {day}")
    create_markdown_artifact(summary_markdown, key=keys["summary"], description=f"Tóm tắt {label}, ngày {day}")
    return keys
