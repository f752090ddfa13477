"""Prefect artifacts a coordinator reads in the UI, under stable keys per cycle:
``<cycle>-status`` (every unit's status), ``<cycle>-reporting-rate`` (progress) and
``<cycle>-summary`` (Markdown)."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from models.roster import GROUPS
from models.status import StatusReport


def artifact_keys(cycle_id: str) -> dict[str, str]:
    base = cycle_id.lower()
    return {"status": f"{base}-status", "rate": f"{base}-reporting-rate", "summary": f"{base}-summary",
            "compilation": f"{base}-compilation"}


def status_table(report: StatusReport) -> list[dict]:
    """The status of every unit, with Vietnamese column names, for the table artifact."""
    def day(iso: str | None) -> str:
        return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""

    return [
        {
            "Mã": u["code"],
            "Đơn vị": u["name"],
            "Nhóm": GROUPS[u["group"]],
            "Tình trạng": u["status_label"],
            "Ngày nhận": day(u["received_on"]),
            "Số văn bản": u["doc_number"] or "",
            "Muộn (ngày)": "" if u["days_late"] is None else u["days_late"],
            "Muộn (ngày làm việc)": "" if u["working_days_late"] is None else u["working_days_late"],
            "Đơn vị gửi": u["sender_name"] or "",
        }
        for u in report.to_dict()["units"]
    ]


def publish_status(report: StatusReport, summary_markdown: str, label: str) -> dict[str, str]:
    keys = artifact_keys(report.cycle_id)
    overall = report.overall()
    rate = overall["reporting_rate"] or 0.0
    day = report.as_of.strftime("%d/%m/%Y")
    create_table_artifact(status_table(report), key=keys["status"],
                          description=f"Tình hình báo cáo {label}, ngày {day}")
    create_progress_artifact(round(rate * 100, 1), key=keys["rate"],
                             description=f"Tỷ lệ báo cáo {label}: {overall['actual']}/{overall['expected']} đơn vị, ngày {day}")
    create_markdown_artifact(summary_markdown, key=keys["summary"], description=f"Tóm tắt {label}, ngày {day}")
    return keys
