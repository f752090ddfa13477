"""The files the tool wrote for people, from the database, on any machine: list them, fetch them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from models.cycles import get_cycle
from services.inputs import Input
from tasks import outputs
from tasks.outputs import KINDS, Output
from wiring.app import App

__all__ = ["KINDS", "Output", "OutputsRequest", "fetch", "listing"]


class OutputsRequest(Input):
    cycle: str = Field(title="mã kỳ", max_length=80)
    version: int | None = Field(None, title="bản tổng hợp số", ge=1)
    kind: str | None = Field(None, title="loại tệp", max_length=32)


def _check(app: App, request: OutputsRequest) -> None:
    with app.session() as session:
        get_cycle(session, request.cycle)  # an unknown cycle is one Vietnamese sentence


def listing(app: App, request: OutputsRequest) -> list[Output]:
    """Every output of the cycle recorded in the database (of one compilation version, one kind)."""
    _check(app, request)
    return outputs.list_outputs(app, request.cycle, version=request.version, kind=request.kind)


def fetch(app: App, request: OutputsRequest, out_dir: Path) -> list[Path]:
    """The newest file of each name, written from the database under ``out_dir``."""
    _check(app, request)
    return outputs.fetch_outputs(app, request.cycle, out_dir, version=request.version, kind=request.kind)
