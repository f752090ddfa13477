"""The files the tool wrote for people, from the database, on any machine: list them, fetch them."""

from __future__ import annotations

import errno
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path

from pydantic import Field

from models.cycles import get_cycle
from models.errors import UserError
from services.inputs import Input
from tasks import file_server, outputs
from tasks.outputs import KINDS, Output
from wiring.app import App
from wiring.settings import Settings

__all__ = ["KINDS", "Output", "OutputsRequest", "fetch", "file_server_in_background", "listing", "serve_files"]


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


def _bound(settings: Settings, start) -> ThreadingHTTPServer:
    try:
        return start(settings)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"Cổng {settings.files_port} trên 127.0.0.1 đang được dùng (có thể `dvtracker serve` "
                            "đang chạy); đặt DVTRACKER_FILES_PORT để dùng cổng khác.") from None
        raise UserError(f"Không mở được máy chủ tệp ở cổng {settings.files_port}: {exc.strerror or exc}.") from None


def file_server_in_background(settings: Settings) -> ThreadingHTTPServer:
    """The exports folder served read-only at ``settings.files_url``, in a daemon thread."""
    return _bound(settings, file_server.start_in_background)


def serve_files(settings: Settings, on_ready: Callable[[], None] = lambda: None) -> None:
    """The exports folder served read-only at ``settings.files_url`` until interrupted;
    ``on_ready`` is called once the port is bound."""
    server = _bound(settings, file_server.make_server)
    on_ready()
    try:
        server.serve_forever()
    finally:
        server.server_close()
