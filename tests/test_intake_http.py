"""The HTTP pull against a local document-exchange service started by the tests: paging, cursor,
5xx, timeouts, malformed pages and documents, a crash in the middle of a page."""

import base64
import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr
from sqlmodel import select

from models.errors import UserError
from models.tables import IntakeRow, SourceCursorRow, SourceFailureRow
from tasks.http_source import SourceError, cursor_key, pull_documents
from tests.helpers import open_2023_danvan

TOKEN = "bi-mat"
FAST = dict(retries=2, backoff=0.01)


class Exchange:
    """What the fake service holds: documents, and a script of misbehaviours for the next page requests."""

    def __init__(self):
        self.docs: list[dict] = []
        self.script: list[str] = []
        self.page_requests: list[dict] = []
        self.file_requests: list[str] = []
        self.missing_files: set[str] = set()
        self.requests = 0  # every request, whatever its answer
        self.redirects: dict[str, str] = {}  # document id -> where its file URL redirects

    def add(self, doc_id: str, content: bytes, *, by_url: bool = False, **fields):
        doc = {"id": doc_id, "filename": f"{doc_id}.json", **fields}
        if by_url:
            doc["url"] = f"files/{doc_id}"
            doc["_content"] = content
        else:
            doc["content_base64"] = base64.b64encode(content).decode()
        self.docs.append(doc)


def report(unit: str, number: str = "1/BC-UBND") -> bytes:
    return json.dumps({"cycle": "danvan-2023-annual", "unit": unit, "number": number, "date": "2024-05-20"},
                      ensure_ascii=False).encode()


@pytest.fixture
def exchange():
    state = Exchange()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status: int, body: bytes, kind: str = "application/json"):
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def do_GET(self):
            state.requests += 1
            url = urlparse(self.path)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self.send(401, b'{"error": "unauthorized"}')
            if url.path.startswith("/api/files/"):
                doc_id = url.path.rsplit("/", 1)[-1]
                state.file_requests.append(doc_id)
                if doc_id in state.redirects:
                    self.send_response(302)
                    self.send_header("Location", state.redirects[doc_id])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if doc_id in state.missing_files:
                    return self.send(404, b"{}")
                doc = next(d for d in state.docs if d["id"] == doc_id)
                return self.send(200, doc["_content"], "application/octet-stream")
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            state.page_requests.append(query)
            behaviour = state.script.pop(0) if state.script else "ok"
            if behaviour == "500":
                return self.send(500, b"loi may chu")
            if behaviour == "slow":
                time.sleep(0.6)
            if behaviour == "garbage":
                return self.send(200, b"<html>bao tri</html>", "text/html")
            start = int(query.get("after", "c0")[1:])
            limit = int(query["limit"])
            items = [{k: v for k, v in d.items() if not k.startswith("_")} for d in state.docs[start:start + limit]]
            end = start + len(items)
            return self.send(200, json.dumps({"items": items, "next_cursor": f"c{end}",
                                              "has_more": end < len(state.docs)}).encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/api"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def source(app, exchange):
    open_2023_danvan(app)
    s = app.settings
    s.http_base_url, s.http_token, s.http_page_size, s.http_timeout = exchange.base_url, SecretStr(TOKEN), 2, 0.3
    return app


def cursor(app):
    with app.session() as session:
        row = session.get(SourceCursorRow, cursor_key(app.settings.http_base_url))
        return row.cursor if row else None


def intakes(app):
    with app.session() as session:
        return session.exec(select(IntakeRow).order_by(IntakeRow.id)).all()


def test_pages_are_read_in_order_and_each_document_once_across_pulls(source, exchange):
    for code in ("01", "02", "04", "06", "08"):
        exchange.add(f"vb-{code}", report(code), by_url=code == "04")
    outcomes = pull_documents(source, **FAST)
    assert [(o.outcome, o.unit_id) for o in outcomes] == [
        ("accepted", f"p2004-{c}") for c in ("01", "02", "04", "06", "08")]
    assert [q.get("after") for q in exchange.page_requests] == [None, "c2", "c4"]
    assert exchange.page_requests[0]["limit"] == "2" and exchange.file_requests == ["vb-04"]
    assert cursor(source) == "c5"
    assert outcomes[0].source_ref == f"{exchange.base_url}/documents/vb-01"

    exchange.add("vb-10", report("10"))
    exchange.add("vb-11", report("11"))
    again = pull_documents(source, **FAST)
    assert [o.unit_id for o in again] == ["p2004-10", "p2004-11"]
    assert exchange.page_requests[3]["after"] == "c5" and cursor(source) == "c7"
    assert pull_documents(source, **FAST) == []
    assert len(intakes(source)) == 7 and exchange.file_requests == ["vb-04"]


def test_5xx_and_timeouts_are_retried_with_backoff(source, exchange):
    exchange.add("vb-01", report("01"))
    exchange.script = ["500", "slow", "500"]  # the fourth attempt succeeds
    started = time.monotonic()
    [outcome] = pull_documents(source, retries=3, backoff=0.05)
    assert outcome.outcome == "accepted" and len(exchange.page_requests) == 4
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2  # exponential backoff between the attempts


def test_a_service_that_stays_down_keeps_what_was_stored_and_the_cursor(source, exchange):
    for code in ("01", "02", "04"):
        exchange.add(f"vb-{code}", report(code))
    exchange.script = ["ok", "500", "500", "500"]
    with pytest.raises(SourceError, match=r"sau 3 lần thử: HTTP 500") as failure:
        pull_documents(source, **FAST)
    assert [o.unit_id for o in failure.value.outcomes] == ["p2004-01", "p2004-02"]
    assert cursor(source) == "c2"
    exchange.script = ["slow", "slow", "slow"]
    with pytest.raises(SourceError, match=r"quá thời gian chờ 0\.3 giây"):
        pull_documents(source, **FAST)
    [last] = pull_documents(source, **FAST)
    assert last.unit_id == "p2004-04" and len(intakes(source)) == 3


def test_a_malformed_page_stops_the_pull_without_retrying(source, exchange):
    exchange.add("vb-01", report("01"))
    exchange.script = ["garbage"]
    with pytest.raises(SourceError, match="trang không đúng định dạng"):
        pull_documents(source, **FAST)
    assert len(exchange.page_requests) == 1 and cursor(source) is None
    assert [o.unit_id for o in pull_documents(source, **FAST)] == ["p2004-01"]


def test_a_document_missing_in_the_middle_of_a_page_is_asked_again_and_the_rest_kept(source, exchange):
    exchange.add("vb-01", report("01"))
    exchange.add("vb-02", report("02"), by_url=True)
    exchange.missing_files.add("vb-02")
    first = pull_documents(source, **FAST)  # a 404: that document alone waits
    assert [(o.outcome, o.source_ref.rsplit("/", 1)[-1]) for o in first] == [("accepted", "vb-01"), ("deferred", "vb-02")]
    assert "HTTP 404" in first[1].errors[0].message and "lần 1/3" in first[1].errors[0].message
    assert cursor(source) is None and [i.source_ref.rsplit("/", 1)[-1] for i in intakes(source)] == ["vb-01"]
    exchange.missing_files.clear()
    [outcome] = pull_documents(source, **FAST)
    assert outcome.unit_id == "p2004-02" and cursor(source) == "c2"
    assert [i.source_ref.rsplit("/", 1)[-1] for i in intakes(source)] == ["vb-01", "vb-02"]


def test_bad_documents_are_rejected_and_the_pull_carries_on(source, exchange):
    exchange.docs.append({"id": "vb-x", "filename": "x.json", "content_base64": "!!! không phải base64"})
    exchange.docs.append({"filename": "khong-co-id.json"})
    exchange.add("vb-bad", b"\xff\xfe\x00garbage")
    exchange.add("vb-01", report("01"))
    outcomes = pull_documents(source, **FAST)
    assert [o.outcome for o in outcomes] == ["rejected", "rejected", "rejected", "accepted"]
    assert "base64" in outcomes[0].errors[0].message and outcomes[0].blob_sha256
    assert "cần 'id'" in outcomes[1].errors[0].message
    assert all(i.outcome for i in intakes(source)) and len(intakes(source)) == 4


def test_the_service_receipt_time_decides_timeliness(source, exchange):
    exchange.add("vb-89", json.dumps({"cycle": "danvan-2023-annual", "unit": "89", "number": "529/BC-UBND",
                                      "date": "2024-05-24"}).encode(), received_at="2024-05-24T16:30:00+07:00")
    [outcome] = pull_documents(source, **FAST)
    assert outcome.received_on == date(2024, 5, 24)


def test_a_wrong_token_or_no_service_is_a_clear_error(source, exchange):
    source.settings.http_token = SecretStr("sai")
    with pytest.raises(SourceError, match=r"HTTP 401.*DVTRACKER_HTTP_TOKEN"):
        pull_documents(source, **FAST)
    assert len(exchange.page_requests) == 0
    source.settings.http_base_url = ""
    with pytest.raises(UserError, match="Chưa cấu hình"):
        pull_documents(source)


def test_pull_from_the_command_line(cli, app, exchange, monkeypatch):
    open_2023_danvan(app)
    exchange.add("vb-01", report("01"))
    monkeypatch.setenv("DVTRACKER_HTTP_BASE_URL", exchange.base_url)
    monkeypatch.setenv("DVTRACKER_HTTP_TOKEN", TOKEN)
    result = cli("pull", "--json")
    assert result.exit_code == 0, result.output
    assert [o["unit_id"] for o in json.loads(result.stdout)] == ["p2004-01"]
    assert "Không có văn bản mới." in cli("pull").stdout


def test_only_failures_that_may_pass_are_retried(source, exchange):
    """A 5xx or a timeout is tried again (up to retries + 1 times); a wrong token or a missing
    document would answer the same again: asked once."""
    source.settings.http_token = SecretStr("sai")
    with pytest.raises(SourceError, match="HTTP 401"):
        pull_documents(source, retries=3, backoff=0.01)
    assert exchange.requests == 1
    source.settings.http_token = SecretStr(TOKEN)
    exchange.script = ["500"] * 4
    with pytest.raises(SourceError, match="sau 4 lần thử: HTTP 500"):
        pull_documents(source, retries=3, backoff=0.01)
    assert exchange.requests == 1 + 4


def test_a_document_that_stays_missing_is_refused_after_three_pulls_and_the_cursor_moves_on(source, exchange):
    exchange.add("vb-01", report("01"), by_url=True)
    exchange.add("vb-02", report("02"))
    exchange.add("vb-04", report("04"))
    exchange.missing_files.add("vb-01")
    assert [o.outcome for o in pull_documents(source, **FAST)] == ["deferred", "accepted"]
    assert [o.outcome for o in pull_documents(source, **FAST)] == ["deferred"]  # vb-02 is not read twice
    assert cursor(source) is None
    third = pull_documents(source, **FAST)
    assert [(o.outcome, o.unit_id) for o in third] == [("rejected", None), ("accepted", "p2004-04")]
    assert third[0].errors[0].message.startswith("không lấy được văn bản sau 3 lần lấy: HTTP 404")
    assert cursor(source) == "c3"
    exchange.add("vb-06", report("06"))
    assert [o.unit_id for o in pull_documents(source, **FAST)] == ["p2004-06"]
    with source.session() as session:
        assert session.exec(select(SourceFailureRow)).all() == []  # nothing left pending


def test_a_redirect_is_an_error_that_names_it_never_an_empty_file(source, exchange):
    exchange.add("vb-01", report("01"), by_url=True)
    exchange.redirects["vb-01"] = "http://elsewhere.example.invalid/vb-01"
    first = pull_documents(source, **FAST)
    assert first[0].outcome == "deferred"
    assert "chuyển hướng sang http://elsewhere.example.invalid/vb-01" in first[0].errors[0].message
    assert list(intakes(source)) == []  # nothing recorded as received


def test_an_edxml_package_from_the_service_counts_from_its_receipt(source, exchange, tmp_path):
    from tests.prose_documents import AN_GIANG, DOCX_TYPE, edxml, seed_lines, write_docx

    document = write_docx(seed_lines(AN_GIANG), tmp_path / "529-BC-UBND.docx")
    package = edxml(organ_id="000.00.00.H01", organ_name="Ủy ban nhân dân tỉnh An Giang", code_number="529",
                    code_notation="BC-UBND", place="An Giang", date="2024/05/24", subject="Báo cáo công tác dân vận",
                    attachments=[(document.name, DOCX_TYPE, document.read_bytes())])
    exchange.add("vb-529", package, filename="vb-529.edxml", received_at="2024-05-31T16:30:00+07:00")
    [outcome] = pull_documents(source, **FAST)
    assert (outcome.outcome, outcome.unit_id, outcome.doc_number, outcome.received_on) == (
        "accepted", "p2004-89", "529/BC-UBND", date(2024, 5, 31)), outcome.errors
    assert outcome.figures_pending and outcome.document["format"] == "edxml"
