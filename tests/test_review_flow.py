"""The review-report flow on the session's Prefect server: it pauses with a form listing the
report's proposals, and the answer given in the UI becomes the report's figures."""

from __future__ import annotations

import contextvars
import json
import threading
import time
from datetime import date

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.flow_runs import resume_flow_run
from sqlmodel import select

from flows.deployments import flow_name, load_project
from flows.review_report import review_report
from models.tables import AuditRow, FigureProposalRow
from tasks.intake import submit_files
from tests.helpers import open_2023_danvan, vn_noon
from tests.prose_documents import AN_GIANG, seed_lines, write_docx

pytestmark = pytest.mark.prefect
CYCLE = "danvan-2023-annual"


def paused_run(name: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))
            if runs and runs[0].state and runs[0].state.is_paused():
                keys = runs[0].state.state_details.run_input_keyset
                return runs[0], *(json.loads(client.read_flow_run_input(runs[0].id, keys[k]))
                                  for k in ("schema", "description"))
            time.sleep(0.5)
    raise AssertionError(f"{name} did not pause")


def test_a_report_is_reviewed_in_the_prefect_ui(flow_env, app, tmp_path):
    assert "review-report" in {flow_name(d) for d in load_project()}
    open_2023_danvan(app)
    path = write_docx(seed_lines(AN_GIANG), tmp_path / "529-BC-UBND.docx")
    [received] = submit_files(app, [path], received_at=vn_noon(date(2024, 5, 24)))
    assert received.figures_pending
    done: dict = {}
    # The flow runs beside the test, with the test's Prefect settings (a context, which threads do not inherit).
    context = contextvars.copy_context()
    runner = threading.Thread(target=context.run, daemon=True, args=(
        lambda: done.update(result=review_report(cycle_id=CYCLE, unit="89", wait_hours=0.1)),))
    runner.start()
    run, schema, description = paused_run(f"review {CYCLE} 89")

    # The form: who reviews, and each stated figure with its sentence, filled with the value written.
    fields = schema["properties"]
    assert set(fields) == {"reviewer", "par_inspections", "civil_service_inspections", "par_index_score",
                           "par_index_rank", "papi_score", "sipas_score", "papi_rank", "sipas_rank"}
    assert fields["civil_service_inspections"]["default"] == "21"
    assert "kiểm tra công vụ tại 21 cơ quan, đơn vị." in fields["civil_service_inspections"]["description"]
    assert fields["par_index_rank"]["default"] == "63/63"
    assert "| Tỉnh An Giang |" not in description and "Xác nhận số liệu: Tỉnh An Giang — 529/BC-UBND" in description

    resume_flow_run(run.id, run_input={
        "reviewer": "Nguyễn Thị Lan", "par_inspections": "10", "civil_service_inspections": "22",
        "par_index_score": "81,32", "par_index_rank": "63/63", "papi_score": "", "sipas_score": "7,97/10"})
    runner.join(timeout=120)
    result = done["result"]
    assert (result["unit"], result["pending"], result["version"]) == ("p2004-89", False, 2)
    with app.session() as session:
        rows = {(p.indicator_id, p.origin): p for p in session.exec(select(FigureProposalRow))}
        audit = session.exec(select(AuditRow).where(AuditRow.action == "review")).one()
    assert rows[("civil_service_inspections", "text")].status == "corrected"
    assert (rows[("civil_service_inspections", "coordinator")].value, rows[("papi_score", "text")].status) == (22, "rejected")
    assert rows[("par_inspections", "text")].status == "accepted"
    assert audit.actor == "prefect-ui:Nguyễn Thị Lan" and rows[("par_inspections", "text")].decided_by == audit.actor
