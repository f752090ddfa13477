"""Faults: the database down at the start of a run, a process killed in the middle of its work
(SIGKILL: nothing unwinds), an SMTP server that hangs or goes down half-way through a batch, a
document service that sends malformed, truncated or oversized answers. After each, the next run
completes the work and nothing is lost or done twice."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from models.tables import IntakeRow, ReminderRow, SubmissionRow
from tasks.http_source import SourceError, pull_documents
from tasks.intake import sweep_inbox
from tasks.reminders import requeue_unconfirmed, send_due_reminders
from tests.helpers import add_contacts, open_2023_danvan, peak_memory, vn_at, vn_noon
from tests.processes import remind_and_die, run_alone, sweep_and_die
from tests.reminder_servers import free_port

RECEIVED = vn_noon(date(2024, 5, 24))
SAU_2 = date(2024, 6, 4)
HN, AG, QT = "hn@hanoi.example.invalid", "ag@angiang.example.invalid", "qt@quangtri.example.invalid"


def report(unit: str, number: str = "1/BC-UBND") -> bytes:
    return json.dumps({"cycle": "danvan-2023-annual", "unit": unit, "number": number, "date": "2024-05-20"}).encode()


def count(app, table) -> int:
    with app.session() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def inbox_files(app) -> list[str]:
    return sorted(p.name for p in app.settings.inbox_dir.iterdir() if p.is_file())


def drop(app, name: str, content: bytes) -> None:
    app.settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    (app.settings.inbox_dir / name).write_bytes(content)


@contextmanager
def silent_server():
    """A TCP server that accepts connections and never says a word (a hung database or SMTP server)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for s in held:
            s.close()
        listener.close()


# --- the database ---------------------------------------------------------------------------------
@pytest.mark.parametrize("server", ["closed port", "silent server"])
def test_a_database_out_of_reach_at_the_start_is_one_clear_line_and_the_next_run_completes(app, cli, server):
    open_2023_danvan(app)
    drop(app, "ha-noi.json", report("01"))
    with silent_server() if server == "silent server" else _closed_port() as port:
        env = os.environ | {"DVTRACKER_DATABASE_URL": f"postgresql+psycopg://dvtracker:mat-khau@127.0.0.1:{port}/dvt",
                            "DVTRACKER_VAR_DIR": str(app.settings.var_dir), "DVTRACKER_DB_CONNECT_TIMEOUT": "2"}
        done = subprocess.run([sys.executable, "-c", "from dvtracker.cli import main; main()", "inbox"], env=env, capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith(f"Lỗi: Không kết nối được cơ sở dữ liệu postgresql+psycopg://dvtracker:***@127.0.0.1:{port}/dvt")
    assert "Chưa có gì được đọc hay ghi" in line and "mat-khau" not in done.stderr + done.stdout
    assert inbox_files(app) == ["ha-noi.json"]  # the report waits in the inbox

    again = cli("inbox", "--received-at", "2024-05-24", "--json")  # the database is back
    assert again.exit_code == 0 and [o["outcome"] for o in json.loads(again.stdout)] == ["accepted"]
    assert inbox_files(app) == [] and count(app, SubmissionRow) == 1


@contextmanager
def _closed_port():
    yield free_port()


def test_a_database_lost_in_the_middle_of_a_command_is_one_clear_line(app, cli, monkeypatch):
    import services.intake as intake_service

    def lost(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly\ndetails"))

    monkeypatch.setattr(intake_service.intake, "sweep_inbox", lost)
    result = cli("inbox")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Lỗi: Mất kết nối cơ sở dữ liệu {app.engine.url.render_as_string(hide_password=True)}: server closed the "
        "connection unexpectedly. Những gì đã ghi trước đó được giữ nguyên; hãy chạy lại lệnh khi cơ sở dữ liệu "
        "sẵn sàng."]


# --- a process killed ----------------------------------------------------------------------------
@pytest.mark.parametrize("group", [1, 50])
@pytest.mark.parametrize("where", ["before_commit", "after_commit"])
def test_an_inbox_sweep_killed_mid_file_loses_nothing_and_the_next_one_finishes(app, where, group):
    """One file a transaction (group 1) or both in one (group 50): killed after the first commit,
    the files committed are still in the inbox and read again as duplicates."""
    open_2023_danvan(app)
    drop(app, "ha-noi.json", report("01"))
    drop(app, "hai-phong.json", report("31"))
    app.settings.inbox_group, app.settings.inbox_group_seconds = group, 3600  # groups as asked, however slow
    assert run_alone(sweep_and_die, app.settings.model_dump(), RECEIVED, where) == -signal.SIGKILL
    assert inbox_files(app) == ["ha-noi.json", "hai-phong.json"]  # nothing moved before its outcome was safe
    committed = 0 if where == "before_commit" else min(group, 2)
    assert count(app, SubmissionRow) == committed

    outcomes = sweep_inbox(app, received_at=RECEIVED)  # the lock died with the process
    assert [(o.source_ref, o.outcome) for o in outcomes] == [
        ("ha-noi.json", "duplicate" if committed >= 1 else "accepted"),
        ("hai-phong.json", "duplicate" if committed >= 2 else "accepted")]
    assert inbox_files(app) == [] and count(app, SubmissionRow) == 2
    assert sorted(p.name for p in (app.settings.inbox_dir / "processed").iterdir()) == ["ha-noi.json", "hai-phong.json"]


@pytest.mark.parametrize("where", ["before_send", "after_send"])
def test_a_reminder_run_killed_mid_send_never_sends_twice(smtp_app, smtp_server, where):
    """At most once per (cycle, unit, stage, channel): a reminder claimed by a run that died is
    never sent again by itself, whether or not it went; a coordinator requeues it after checking."""
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN), ("89", "email", AG))
    code = run_alone(remind_and_die, smtp_app.settings.model_dump(), cycle.id, SAU_2, vn_at(SAU_2, 8, 5), where)
    assert code == -signal.SIGKILL
    went = [[HN]] if where == "after_send" else []
    assert [m.to for m in smtp_server.mails] == went
    with smtp_app.session() as session:
        assert [(r.unit_id, r.status) for r in session.exec(select(ReminderRow))] == [("p2004-01", "sending")]

    retry = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [(i.unit_id, i.outcome) for i in retry.items if i.channel] == [("p2004-01", "unconfirmed"),
                                                                          ("p2004-89", "sent")]
    assert [m.to for m in smtp_server.mails] == [*went, [AG]]
    assert requeue_unconfirmed(smtp_app, cycle.id) == 1  # the coordinator checked: it did not arrive
    requeued = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 10))
    assert [(i.unit_id, i.outcome) for i in requeued.due] == [("p2004-01", "sent")]
    assert [m.to for m in smtp_server.mails] == [*went, [AG], [HN]]


# --- the SMTP server ------------------------------------------------------------------------------
def test_an_smtp_server_that_hangs_fails_the_run_then_the_next_run_sends_once(smtp_app, smtp_server):
    cycle = open_2023_danvan(smtp_app)
    add_contacts(smtp_app, ("01", "email", HN), ("89", "email", AG))
    port = smtp_app.settings.smtp_port
    with silent_server() as hung:
        smtp_app.settings.smtp_port, smtp_app.settings.smtp_timeout = hung, 1
        stuck = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    assert [(i.unit_id, i.outcome) for i in stuck.due] == [("p2004-01", "failed"), ("p2004-89", "failed")]
    assert "timed out" in stuck.failed[0].error
    with smtp_app.session() as session:
        assert {(r.status, r.sent_at) for r in session.exec(select(ReminderRow))} == {("failed", None)}
    smtp_app.settings.smtp_port, smtp_app.settings.smtp_timeout = port, 5
    again = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [(i.unit_id, i.outcome, i.attempts) for i in again.due] == [("p2004-01", "sent", 2), ("p2004-89", "sent", 2)]
    assert sorted(m.to[0] for m in smtp_server.mails) == [AG, HN]


def test_an_smtp_server_going_down_half_way_through_a_batch(smtp_app, smtp_server, monkeypatch):
    cycle = open_2023_danvan(smtp_app)
    addresses = {"01": HN, "31": "hp@haiphong.example.invalid", "45": QT, "89": AG}
    add_contacts(smtp_app, *[(unit, "email", address) for unit, address in addresses.items()])
    accept = smtp_server.handle_DATA

    async def going_down(server, session, envelope):
        if len(smtp_server.mails) >= 2:
            return "421 4.3.2 Service shutting down"
        return await accept(server, session, envelope)

    monkeypatch.setattr(smtp_server, "handle_DATA", going_down)
    first = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 8, 5))
    assert [i.outcome for i in first.due] == ["sent", "sent", "failed", "failed"]
    assert "421" in first.failed[0].error
    monkeypatch.setattr(smtp_server, "handle_DATA", accept)  # the server is back
    second = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 9))
    assert [i.unit_id for i in second.sent] == [i.unit_id for i in first.failed]
    assert sorted(a for m in smtp_server.mails for a in m.to) == sorted(addresses.values())  # each once
    third = send_due_reminders(smtp_app, cycle.id, SAU_2, now=vn_at(SAU_2, 10))
    assert third.due == [] and len(smtp_server.mails) == 4


# --- the document service -------------------------------------------------------------------------
class Service:
    """A document-exchange service that answers with what the test queues: (status, body,
    headers) for the next page requests, callables for documents."""

    def __init__(self):
        self.pages: list = []
        self.files: dict = {}
        self.streamed = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                try:
                    if self.path.startswith("/api/files/"):
                        return service.files[self.path.rsplit("/", 1)[-1]](self)
                    answer = service.pages.pop(0) if service.pages else (200, EMPTY_PAGE, {})
                    if callable(answer):
                        return answer(self)
                    status, body, headers = answer
                    self.send_response(status)
                    for k, v in ({"Content-Length": str(len(body))} | headers).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def page(self, items: list, cursor: str, has_more: bool = False) -> None:
        self.pages.append((200, json.dumps({"items": items, "next_cursor": cursor, "has_more": has_more}).encode(), {}))


EMPTY_PAGE = b'{"items": [], "has_more": false}'


@pytest.fixture
def service(app):
    s = Service()
    open_2023_danvan(app)
    app.settings.http_base_url, app.settings.http_token, app.settings.http_timeout = s.base_url, SecretStr("t"), 2
    yield s
    s.server.shutdown()
    s.server.server_close()


def doc(doc_id: str, unit: str) -> dict:
    import base64

    return {"id": doc_id, "filename": f"{doc_id}.json", "content_base64": base64.b64encode(report(unit)).decode()}


@pytest.mark.parametrize("answer, error", [
    ((200, b'{"items": "khong phai danh sach"}', {}), "trang không đúng định dạng"),
    ((200, b"[1, 2, 3]", {}), "trang không đúng định dạng"),
    ((200, b"[" * 100_000 + b"]" * 100_000, {}), "trang không đúng định dạng"),
    ((200, b'{"items": [], "has_more": true}', {}), "không trả con trỏ mới"),
    ((200, b'{"items": [', {"Content-Length": "5000"}), "lỗi kết nối (RemoteProtocolError)"),  # cut off mid-page
])
def test_a_malformed_or_truncated_page_stops_the_pull_and_the_next_pull_reads_everything(app, service, answer, error):
    service.pages += [answer] * 3  # as many times as the pull asks (a truncated page is retried)
    with pytest.raises(SourceError, match=error.replace("(", r"\(").replace(")", r"\)")):
        pull_documents(app, retries=2, backoff=0.01)
    service.pages.clear()
    service.page([doc("vb-01", "01"), doc("vb-02", "02")], "c2")
    assert [o.unit_id for o in pull_documents(app, retries=2, backoff=0.01)] == ["p2004-01", "p2004-02"]


def test_an_oversized_or_endless_document_is_refused_unread_and_the_pull_carries_on(app, service):
    app.settings.max_file_mb = 1

    def endless(handler):  # no length announced, never ends by itself
        handler.send_response(200)
        handler.end_headers()
        chunk = b"x" * 65536
        while service.streamed < 50 * 1024 * 1024:
            handler.wfile.write(chunk)
            service.streamed += len(chunk)

    def announced(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(30 * 1024 * 1024))
        handler.end_headers()

    service.files = {"vb-endless": endless, "vb-big": announced}
    service.page([{"id": "vb-endless", "filename": "vo-tan.xlsx", "url": "files/vb-endless"},
                  {"id": "vb-big", "filename": "lon.xlsx", "url": "files/vb-big"},
                  {"id": "vb-b64", "filename": "lon.json", "content_base64": "QUFB" * 400_000},
                  doc("vb-01", "01")], "c4")
    outcomes = pull_documents(app, retries=0)
    assert [o.outcome for o in outcomes] == ["rejected", "rejected", "rejected", "accepted"]
    assert all("tệp quá lớn" in o.errors[0].message and "tối đa 1 MB" in o.errors[0].message for o in outcomes[:3])
    assert service.streamed < 10 * 1024 * 1024  # the download stopped soon after the limit
    assert count(app, IntakeRow) == 4


# --- answers that never end -------------------------------------------------------------------------
def _streaming(service, status: int, headers: dict, chunks, pause: float = 0.0, total: int = 600 * 2**20):
    """An answer of ``status`` whose body is ``make_chunk()`` again and again, ``make_chunk`` made
    by ``chunks()`` for each request (``total`` bytes at most; it is the client that must stop),
    no length announced."""
    def answer(handler):
        make_chunk = chunks()
        handler.send_response(status)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        sent = 0
        while sent < total:
            chunk = make_chunk()
            handler.wfile.write(chunk)
            handler.wfile.flush()
            sent += len(chunk)
            service.streamed += len(chunk)
            if pause:
                time.sleep(pause)
    return answer


def _gzip_of_zeros():
    """A gzip stream of zeros, made as it is sent: 1 MiB of it inflates to about 1 GiB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return lambda: packer.compress(zeros) or packer.flush(zlib.Z_SYNC_FLUSH)


@pytest.mark.parametrize("kind", ["endless page", "gzip bomb", "endless error"])
def test_an_answer_without_end_costs_a_bounded_read_and_the_next_pull_reads_on(app, service, kind):
    if kind == "endless page":
        answer = _streaming(service, 200, {"Content-Type": "application/json"}, lambda: lambda: b" " * 65536)
    elif kind == "gzip bomb":
        answer = _streaming(service, 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                            _gzip_of_zeros)
    else:
        answer = _streaming(service, 500, {}, lambda: lambda: b"loi " * 16384)
    service.pages += [answer] * 8
    (error, peak) = peak_memory(lambda: _pull_error(app))
    assert "Dịch vụ trao đổi văn bản" in error or "dịch vụ trao đổi văn bản" in error
    assert peak < 64 * 2**20, peak  # never the whole answer in memory
    service.pages.clear()
    service.page([doc("vb-01", "01")], "c1")
    assert [o.unit_id for o in pull_documents(app, retries=0)] == ["p2004-01"]


def test_an_answer_that_dribbles_is_given_up_at_the_deadline(app, service):
    app.settings.http_deadline = 2
    service.pages.append(_streaming(service, 200, {}, lambda: lambda: b" ", pause=0.3, total=1000))
    started = time.monotonic()
    error = _pull_error(app)
    assert "quá 2 giây cho một lần đọc" in error
    assert time.monotonic() - started < 15  # not the 300 s the answer would take


def _pull_error(app) -> str:
    with pytest.raises(SourceError) as failed:
        pull_documents(app, retries=0)
    return failed.value.message
