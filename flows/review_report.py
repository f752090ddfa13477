"""review-report: a coordinator reviews, in the Prefect UI, the figures read in one prose report.

The run lists the report's proposals (an artifact, and the form's description), then pauses for
input: one field per indicator, filled with the value the text states. Resuming with a field as
it is accepts that proposal; another value sets the coordinator's own (the proposal is
*corrected*); an empty field rejects it. The same decisions as `dvtracker review`, through the
same service, audited under the name the coordinator gives.
"""

from __future__ import annotations

import pydantic
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput

from flows._common import flow_app
from models.audit import acting_as
from services import review as service
from services.review import ReviewRequest

REVIEWER = "reviewer"


def review_form(report: dict) -> type[RunInput]:
    """The form of one report: who reviews, and one field per indicator with undecided proposals."""
    fields: dict = {REVIEWER: (str, pydantic.Field(title="Người xác nhận (họ tên)", min_length=1, max_length=100))}
    for iid, proposals in _undecided(report).items():
        first = proposals[0]
        others = "; ".join(f"{p['raw']} ({p['location']})" for p in proposals[1:])
        fields[iid] = (str, pydantic.Field(
            first["raw"], title=f"{first['label']} ({first['measure']})" if first["measure"] else first["label"],
            description=f"Văn bản ghi: «{first['sentence']}» ({first['location']}, mục {first['section']})."
                        + (f" Giá trị khác trong văn bản: {others}." if others else "")
                        + " Giữ nguyên để chấp nhận, sửa để nhập giá trị khác, xoá trống để loại.",
            max_length=100))
    form = pydantic.create_model("XacNhanSoLieu", __base__=RunInput, **fields)
    form._description = describe(report)
    return form


def _undecided(report: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in report["proposals"]:
        if p["status"] == "proposed":
            out.setdefault(p["indicator"], []).append(p)
    return out


def describe(report: dict) -> str:
    lines = [f"## Xác nhận số liệu: {report['unit_name']} — {report['doc_number'] or 'chưa có số'}",
             "", f"Kỳ `{report['cycle_id']}`, phiên bản {report['source_version']} nhận ngày {report['received_on']}.",
             "", "| Số | Chỉ tiêu | Giá trị | Câu trong báo cáo | Vị trí | Tình trạng |", "|---|---|---|---|---|---|"]
    for p in report["proposals"]:
        cells = [p["number"], p["label"], p["shown"], p["sentence"] or "(cán bộ nhập)", p["location"] or "",
                 p["status_label"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def decisions(report: dict, answer: dict) -> ReviewRequest:
    """The form's answer as the review's decisions."""
    accept, reject, values = [], [], {}
    for iid, proposals in _undecided(report).items():
        given = " ".join(str(answer.get(iid) or "").split())
        if not given:
            reject += [p["number"] for p in proposals]
            continue
        same = [p for p in proposals if " ".join(p["raw"].split()) == given]
        if same:
            accept.append(same[0]["number"])
        else:
            values[iid] = given
    return ReviewRequest.of(cycle=report["cycle_id"], unit=report["unit_id"], accept=accept, reject=reject,
                            set_values=values)


@flow(name="review-report", flow_run_name="review {cycle_id} {unit}", timeout_seconds=None)
def review_report(cycle_id: str, unit: str, wait_hours: float = 72) -> dict:
    """Pause for a coordinator's review of the figures read in ``unit``'s report of ``cycle_id``;
    the run fails if nobody answers within ``wait_hours``."""
    logger = get_run_logger()
    with flow_app() as app:
        [report] = service.list_reviews(app, cycle_id, unit)
    create_markdown_artifact(describe(report), key=f"{cycle_id}-review-{report['code']}".lower().replace("_", "-"),
                             description=f"Số liệu đọc trong báo cáo của {report['unit_name']}")
    if not _undecided(report):
        logger.info(f"{report['unit_name']}: không còn số liệu nào chờ xác nhận.")
        return {"unit": report["unit_id"], "pending": report["figures_pending"], "version": report["current_version"]}
    answer = pause_flow_run(wait_for_input=review_form(report), timeout=int(wait_hours * 3600))
    given = answer.model_dump()
    request = decisions(report, given)
    with flow_app() as app, acting_as(f"prefect-ui:{given[REVIEWER]}"):
        [done] = service.review(app, request)
    logger.info(f"{done['unit_name']}: {len(done['review']['changes'])} quyết định của {given[REVIEWER]}; "
                + (f"số liệu lưu thành phiên bản {done['review']['new_version']}." if done["review"]["new_version"]
                   else "số liệu không đổi."))
    return {"unit": done["unit_id"], "pending": done["figures_pending"], "version": done["current_version"],
            "changes": done["review"]["changes"]}
