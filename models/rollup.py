"""The roll-up: a collector's compilation for a cycle, written as its report to the collector above
it (a Sở Nội vụ's compilation of its departments and communes → the province's report to Bộ Nội
vụ), in the report form every intake reads (``models.report_form``).

What goes up, from the version's stored summary (``models.compilation_summary.summarise``):
- the document number and date the Sở signed, and its data window's end (``data_until``);
- each ``sum`` indicator's total over every unit that gave it, and each ``rate`` as the
  compilation recomputed it from the summed parts (never an average of rates); a total no unit
  gave stays "not reported", a total that includes an estimate stays an estimate;
- not the ``list`` figures (scores, ranks): those of the communes are not the province's own, and
  the province's score is not a sum of anything; the Sở gives its own (``own``: as it writes them,
  "85,10"); nor ``context`` figures; nor the sections' texts (the signed Word document carries them);
- the link: the collector, its cycle, the compilation version and the sha256 of its compiled draft,
  kept with the submission on the other side (``SubmissionRow.compiled_from``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from models.groups import OVERALL
from models.report_form import SCHEMA

CARRIED = ("sum", "rate")


def rollup_report(summary: dict[str, Any], *, collector_id: str, unit: str, cycle_id: str, version: int,
                  target_cycle: str, number: str, doc_date: date, data_until: date | None = None,
                  answers_request: str | None = None, own: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report form (JSON-ready) of one compilation version, for ``target_cycle`` of the collector above."""
    indicators: dict[str, Any] = {}
    for row in summary.get("totals", []):
        if row.get("group") != OVERALL or row.get("aggregation") not in CARRIED:
            continue
        value = row.get("value")
        if value is None or not row.get("reported"):
            continue  # no unit gave it: not reported, never zero
        value = round(float(value), 2) if row["aggregation"] == "rate" else _number(value)
        indicators[row["indicator"]] = {"value": value, "approximate": True} if row.get("approximate") else value
    indicators.update(own or {})  # the collector's own figures, as written: the intake reads them
    report: dict[str, Any] = dict(
        schema=SCHEMA,
        cycle=target_cycle,
        unit=unit,
        number=number,
        date=doc_date.isoformat(),
        state="signed",
    )
    if answers_request:
        report["answers_request"] = answers_request
    if data_until is not None:
        report["data_until"] = data_until.isoformat()
    report["indicators"] = indicators
    report["compiled_from"] = dict(collector=collector_id, cycle=cycle_id, version=version,
                                   draft_sha256=summary.get("file_sha256", {}).get("docx", ""))
    return report


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def link_text(link: dict | None) -> str:
    """ "tổng hợp từ kỳ danvan-2025-annual, bản 2 của snv-quangninh (dự thảo sha256 1a2b3c4d…)" """
    if not link:
        return ""
    return (f"tổng hợp từ kỳ {link.get('cycle')}, bản {link.get('version')} của {link.get('collector')} "
            f"(dự thảo sha256 {str(link.get('draft_sha256', ''))[:12]}…)")
