"""The coordinators' action of compiling a cycle into the national draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from pydantic import Field

from models import events
from models.cycles import get_cycle
from models.errors import UserError
from services.inputs import Input
from tasks import compile as compilation
from tasks.compile import CompilationResult
from wiring.app import App

# The events that start a compilation through the deployment trigger, and how it records them.
TRIGGERS = {events.QUORUM_REACHED: "quorum", events.REPORTS_ADDED: "late_report"}


class CompileRequest(Input):
    cycle: str = Field(title="mã kỳ", max_length=80)
    as_of: date | None = Field(None, title="ngày tổng hợp")
    out_dir: Path | None = Field(None, title="thư mục ghi kết quả")
    exemplary_file: Path | None = Field(None, title="tệp đơn vị tiêu biểu")
    trigger: str = Field("manual", title="lý do tổng hợp", max_length=64)


def compile_cycle(app: App, request: CompileRequest, on_step: Callable[[str], None] | None = None
                  ) -> CompilationResult:
    """Compile the cycle with the reports received by ``as_of`` (default: today). A new version
    is made only when the reports changed since the last one."""
    exemplary = None
    if request.exemplary_file is not None:
        if not request.exemplary_file.is_file():
            raise UserError(f"Không có tệp đơn vị tiêu biểu {request.exemplary_file}.")
        with app.session() as session:
            stream = app.config.stream(get_cycle(session, request.cycle).stream_id)
        exemplary = compilation.read_exemplary(request.exemplary_file, stream)
    return compilation.compile_cycle(app, request.cycle, as_of=request.as_of or app.clock.today(),
                                     out_dir=request.out_dir, trigger=TRIGGERS.get(request.trigger, request.trigger),
                                     exemplary=exemplary, on_step=on_step)


def draft_file(app: App, cycle_id: str) -> Path:
    return compilation.draft_file(app, cycle_id)
