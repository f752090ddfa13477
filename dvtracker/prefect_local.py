"""The embedded Prefect server for a newcomer's machine: started on demand on loopback,
with its own database under var/prefect/ (never the application's database)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from models.errors import UserError
from wiring.settings import Settings


def prefect_env(settings: Settings) -> dict[str, str]:
    """Environment that points Prefect at the configured or the embedded server."""
    api = settings.prefect_api_url or f"http://127.0.0.1:{settings.prefect_port}/api"
    return {
        "PREFECT_HOME": str(settings.prefect_home),
        "PREFECT_API_URL": api,
        "PREFECT_UI_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    }


def apply_prefect_env(settings: Settings) -> None:
    """Call before the first Prefect import in this process."""
    os.environ.update(prefect_env(settings))


def is_healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def ensure_server(settings: Settings, timeout: float = 90) -> str:
    """The API URL of a running Prefect server, starting the embedded one if needed.
    The embedded server keeps running after this process ends (`dvtracker server stop`)."""
    env = prefect_env(settings)
    api = env["PREFECT_API_URL"]
    if is_healthy(api):
        return api
    if settings.prefect_api_url:
        raise UserError(f"Không kết nối được máy chủ Prefect tại {api}.")
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    with (settings.prefect_home / "server.log").open("ab") as log:  # the server keeps its own copy of the handle
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
             str(settings.prefect_port)],
            env={**os.environ, **env}, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    (settings.prefect_home / "server.pid").write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_healthy(api):
            return api
        if process.poll() is not None:
            break
        time.sleep(0.5)
    raise UserError(f"Máy chủ Prefect không khởi động được; xem {settings.prefect_home / 'server.log'}.")


def stop_server(settings: Settings, timeout: float = 30) -> bool:
    """Stop the embedded server this project started, and wait until its port is free."""
    pid_file = settings.prefect_home / "server.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while _port_in_use(settings.prefect_port) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _port_in_use(settings.prefect_port):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    return True


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
