"""Local servers for the reminder tests: an SMTP server (aiosmtpd) and an HTTP receiver for
Apprise's json:// webhooks, both on 127.0.0.1, started by the test that needs them."""

from __future__ import annotations

import email
import email.parser
import json
import socket
import threading
from dataclasses import dataclass
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mail:
    to: list[str]  # the envelope's recipients
    sender: str
    subject: str
    body: str
    tag: object  # what the test was simulating when the message arrived (e.g. the day)
    raw: bytes = b""  # the message as received
    message: object = None  # parsed as a mail program parses it (policy.default)


class SmtpRecorder:
    """Records accepted messages; refuses the next ``refuse`` messages with ``refusal``."""

    def __init__(self):
        self.mails: list[Mail] = []
        self.refuse = 0
        self.refusal = "451 4.3.0 Temporary failure, try later"
        self.refused = 0
        self.tag = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            self.refused += 1
            return self.refusal
        raw = envelope.original_content or envelope.content
        msg = email.parser.BytesParser(policy=policy.default).parsebytes(raw)
        body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        self.mails.append(Mail(list(envelope.rcpt_tos), str(msg["From"]), str(msg["Subject"]), body, self.tag, raw, msg))
        return "250 OK"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.mails if address in m.to]


class SmtpServer:
    def __init__(self):
        self.recorder = SmtpRecorder()
        self.port = free_port()
        self.recorder.port = self.port
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpRecorder:
        self.controller.start()
        return self.recorder

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@dataclass
class Post:
    path: str
    message: str
    title: str
    tag: object


class ChatReceiver:
    """Records Apprise json:// posts; answers 500 to the next ``fail`` posts (per path prefix)."""

    def __init__(self):
        self.posts: list[Post] = []
        self.fail: dict[str, int] = {}
        self.tag = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                for prefix, n in receiver.fail.items():
                    if self.path.startswith(prefix) and n > 0:
                        receiver.fail[prefix] = n - 1
                        self.send_response(500)
                        self.end_headers()
                        return
                receiver.posts.append(Post(self.path, data.get("message", ""), data.get("title", ""), receiver.tag))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Post]:
        return [p for p in self.posts if p.path == path]

    def __enter__(self) -> ChatReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
