"""The exports folder over HTTP (tasks/file_server.py): read-only, inside its folder, on loopback,
and the day's summary links what it serves."""

from __future__ import annotations

import http.client
import json
import re
import socket
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from services.outputs import file_server_in_background
from services.tick import run_daily_tick
from tasks.compile import compile_cycle
from tasks.file_server import TYPES
from tests.compilation_cases import V1_DAY
from tests.helpers import open_2023_danvan, submit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def served(app):
    """The app's exports folder served on a free port; the app's settings name that port."""
    app.settings.files_port = 0
    server = file_server_in_background(app.settings)
    app.settings.files_port = server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()


def request(server, method: str, path: str) -> tuple[int, dict, bytes]:
    """One request as written, ``path`` untouched (http.client does not normalise it)."""
    conn = http.client.HTTPConnection(*server.server_address, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def test_a_written_export_is_served_with_its_bytes_and_type(app, served):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "89", date(2024, 5, 24), number="529/BC-UBND")
    (day,) = run_daily_tick(app, date(2024, 5, 27), cycle_id=cycle.id).cycles
    expected = {".xlsx": XLSX, ".csv": "text/csv; charset=utf-8", ".png": "image/png",
                ".md": "text/markdown; charset=utf-8"}
    assert {p.suffix for p in day.files.values()} == set(expected)
    for path in day.files.values():
        relative = path.relative_to(app.settings.exports_dir).as_posix()
        status, headers, body = request(served, "GET", f"/{relative}")
        assert status == 200, relative
        assert body == path.read_bytes()
        assert headers["content-type"] == expected[path.suffix] == TYPES[path.suffix]
        status, headers, body = request(served, "HEAD", f"/{relative}")
        assert (status, body, int(headers["content-length"])) == (200, b"", path.stat().st_size)
    assert request(served, "GET", f"/{cycle.id}/khong-co.xlsx")[0] == 404


def test_nothing_outside_the_exports_folder_is_served(app, served):
    exports = app.settings.exports_dir
    (exports / "a").mkdir(parents=True)
    (exports / "a" / "ok.csv").write_text("mã\n01\n", encoding="utf-8")
    secret = app.settings.var_dir / "secret.txt"
    secret.write_text("mật khẩu", encoding="utf-8")
    (exports / "a" / "link.txt").symlink_to(secret)
    (exports / "outside").symlink_to(app.settings.var_dir, target_is_directory=True)

    assert request(served, "GET", "/a/ok.csv")[0] == 200
    for path in ("/../secret.txt", "/a/../../secret.txt", "/%2e%2e/secret.txt", "/a/%2E%2E/%2e%2e/secret.txt",
                 "/..%2fsecret.txt", "/a/link.txt", "/outside/secret.txt", "//etc/passwd", "/../../../../etc/passwd"):
        status, _, body = request(served, "GET", path)
        assert status == 404, path
        assert "mật khẩu".encode() not in body and b"root:" not in body


def test_only_get_and_head_are_answered(app, served):
    target = app.settings.exports_dir / "a.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"x")
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = request(served, method, "/a.csv")
        assert (status, headers.get("allow")) == (405, "GET, HEAD"), method
    assert target.read_bytes() == b"x" and sorted(p.name for p in target.parent.iterdir()) == ["a.csv"]


def _other_address() -> str | None:
    """This machine's address on its network, if it has one other than loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_server_listens_on_loopback_only(app, served):
    host, port = served.server_address
    assert host == "127.0.0.1"
    other = _other_address()
    if other is not None:
        with pytest.raises(ConnectionRefusedError), socket.create_connection((other, port), timeout=5):
            pass


def test_a_port_in_use_is_one_vietnamese_line(cli, monkeypatch):
    from wiring.settings import get_settings

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("DVTRACKER_FILES_PORT", str(port))
        get_settings.cache_clear()
        result = cli("files", "serve")
    assert result.exit_code == 2
    assert result.output.startswith(f"Lỗi: Cổng {port} trên 127.0.0.1 đang được dùng")


def test_the_summary_links_the_day_s_files_and_the_latest_compilation(app, cycle_2023, served):
    compiled = compile_cycle(app, cycle_2023.id, as_of=V1_DAY)
    (day,) = run_daily_tick(app, date(2024, 6, 11), cycle_id=cycle_2023.id).cycles
    summary = day.summary
    section = summary[summary.index("### Tệp đã xuất"):]
    base = f"http://127.0.0.1:{app.settings.files_port}/"
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == 4 + 5  # the day's four files, the compilation's five
    assert "#### Bản tổng hợp mới nhất: bản 1 (số liệu đến ngày 10/06/2024)" in section
    for line in lines:
        # "- label: [name](url) — `path`": a link the browser opens, and the path to copy.
        m = re.fullmatch(r"- (.+): \[(.+)\]\((http://\S+)\) — `(.+)`", line)
        assert m, line
        label, name, url, path = m.groups()
        assert url.startswith(base) and Path(path).name == name
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
            assert answer.read() == Path(path).read_bytes()
            if path.endswith(".docx"):
                assert answer.headers["Content-Type"] == DOCX
    linked = {Path(re.search(r"`(.+)`$", line).group(1)) for line in lines}
    assert set(compiled.files.values()) <= linked
    assert set(day.files.values()) <= linked
    for label in ("Dự thảo báo cáo (để trình ký)", "Tư liệu tổng hợp (cho người soạn thảo)", "Cần kiểm tra",
                  "Phụ lục số liệu (Excel)"):
        assert f"- {label}: [" in section

    image = re.search(r"!\[Báo cáo nhận được theo ngày\]\((\S+)\)", section).group(1)
    assert image == base + f"{cycle_2023.id}/tinh-hinh-20240611.png"
    with urllib.request.urlopen(image, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/png" and answer.read()[:4] == b"\x89PNG"


@pytest.mark.prefect
@pytest.mark.browser
def test_the_prefect_ui_shows_the_picture_and_links_the_files(flow_env, prefect_api, app, served, monkeypatch):
    from flows.daily_tick import daily_tick
    from tasks.publish import artifact_keys
    from tests.browser import page_value
    from tests.test_flows import AN_GIANG, artifacts, drop_in_inbox, open_unique_cycle
    from wiring.settings import get_settings

    monkeypatch.setenv("DVTRACKER_FILES_PORT", str(app.settings.files_port))
    get_settings.cache_clear()
    cycle_id = open_unique_cycle()
    drop_in_inbox(flow_env, AN_GIANG, cycle_id)
    state = daily_tick(as_of=date(2024, 5, 27), cycle_id=cycle_id, return_state=True)
    (artifact,) = artifacts(artifact_keys("bnv", cycle_id)["summary"], state.state_details.flow_run_id)
    ui = prefect_api.removesuffix("/api")

    found = page_value(
        f"{ui}/artifacts/artifact/{artifact.id}",
        "JSON.stringify({images: [...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth,"
        " i.naturalHeight]), links: [...document.links].map(a => a.href)})",
        lambda v: any(src.endswith(".png") and done and width > 0 for src, done, width, _ in json.loads(v)["images"]))
    seen = json.loads(found)
    base = f"http://127.0.0.1:{app.settings.files_port}/{cycle_id}/"
    (picture,) = [i for i in seen["images"] if i[0].endswith(".png")]
    assert picture[0] == base + "tinh-hinh-20240527.png"
    assert picture[2:] == [1200, 600]  # loaded from the file server and decoded by the browser
    for suffix in ("xlsx", "csv", "png", "md"):
        assert base + f"tinh-hinh-20240527.{suffix}" in seen["links"]
