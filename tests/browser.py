"""Headless Chromium (Debian's package) driven over the DevTools protocol: open a page of
the Prefect UI and read its text once the app has rendered it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--window-size=1400,1000"]


def page_text(url: str, expect: list[str], timeout: float = 60) -> str:
    """The page's visible text, as soon as it contains every string of ``expect`` (or at
    ``timeout``: the caller's assertion then shows what was there)."""
    return page_value(url, "document.body ? document.body.innerText : ''",
                      lambda text: all(s in text for s in expect), timeout) or ""


def page_value(url: str, expression: str, done, timeout: float = 60):
    """The value of the JavaScript ``expression`` on the page, as soon as ``done(value)`` holds
    (or at ``timeout``: the caller's assertion then shows what was there)."""
    profile = tempfile.mkdtemp(prefix="dvt-chromium-")
    proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ws_url = None
        for line in proc.stderr:
            if m := re.search(r"DevTools listening on (ws://\S+)", line):
                ws_url = m.group(1)
                break
        port = ws_url.split(":")[2].split("/")[0]
        page = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json")) if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None) as ws:
            counter = 0

            def call(method: str, **params):
                nonlocal counter
                counter += 1
                ws.send(json.dumps({"id": counter, "method": method, "params": params}))
                while True:
                    message = json.loads(ws.recv(timeout=timeout))
                    if message.get("id") == counter:
                        return message.get("result", {})

            call("Page.navigate", url=url)
            value, deadline = None, time.monotonic() + timeout
            while time.monotonic() < deadline:
                result = call("Runtime.evaluate", expression=expression, returnByValue=True)
                value = result.get("result", {}).get("value")
                if value is not None and done(value):
                    break
                time.sleep(0.5)
            return value
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
