"""The exports folder over HTTP, read-only, on loopback: the links of the day's summary
(``tasks.day_summary``) open here, since a browser refuses ``file://`` links from a web page.

The standard library's server: GET and HEAD only (any other method is 405), paths that leave the
folder (``..``, a symbolic link pointing out) are 404, and it listens on 127.0.0.1 only, at
``settings.files_port``. ``dvtracker serve`` starts it in a daemon thread beside the deployments;
``dvtracker files serve`` runs it alone.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

from wiring.settings import Settings

HOST = "127.0.0.1"
# The types of the files the tool writes, whatever the machine's mime.types says.
TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".eml": "message/rfc822",
    ".txt": "text/plain; charset=utf-8",
}


class ExportsHandler(SimpleHTTPRequestHandler):
    """Files under ``directory``; nothing else, nothing written."""

    server_version = "dvtracker-files"
    sys_version = ""

    def send_head(self):
        """The standard answer (its translation drops ``..``), unless the path resolves outside
        the root (a symbolic link pointing out): 404."""
        root = os.path.realpath(self.directory)
        real = os.path.realpath(self.translate_path(self.path))
        if real != root and not real.startswith(root + os.sep):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def guess_type(self, path) -> str:
        return TYPES.get(os.path.splitext(str(path))[1].lower()) or super().guess_type(path)

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")  # a day's export is rewritten by a rerun
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass  # the coordinators' console stays readable; the files themselves are in the database


def make_server(settings: Settings, port: int | None = None) -> ThreadingHTTPServer:
    """The server bound to 127.0.0.1 at ``port`` (default ``settings.files_port``; 0: any free
    port), serving ``settings.exports_dir``; not yet serving."""
    root = Path(settings.exports_dir)
    root.mkdir(parents=True, exist_ok=True)
    handler = partial(ExportsHandler, directory=str(root))
    server = ThreadingHTTPServer((HOST, settings.files_port if port is None else port), handler)
    server.daemon_threads = True
    return server


def start_in_background(settings: Settings, port: int | None = None) -> ThreadingHTTPServer:
    """The server, serving in a daemon thread (it ends with the process); ``shutdown()`` stops it."""
    server = make_server(settings, port)
    threading.Thread(target=server.serve_forever, name="dvtracker-files", daemon=True).start()
    return server


def file_url(settings: Settings, path: Path) -> str | None:
    """The address of ``path`` on the file server, or None when it is not under the exports folder."""
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(settings.exports_dir))
    except ValueError:
        return None
    return f"{settings.files_url}/{quote(relative.as_posix())}"
