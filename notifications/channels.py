"""Sending: email over the configured SMTP server (the message built by ``notifications.outbox``,
byte for byte), chat through Apprise to each contact's URL, and the coordinators' own channel.

Each address is sent to on its own (one SMTP envelope per address, one Apprise call per chat
URL): when one address of a unit fails and another succeeds, the log records which one was
reached and a retry goes only to the other, with the same message. Chat contacts of a run go
into one Apprise object, each tagged with its unit, channel and role, so that one tag selects
exactly one unit's contacts of one channel.

Chat URLs may name secrets as ``${NAME}``: they are read from the environment variable
``DVTRACKER_SECRET_NAME`` at send time and never stored (a bot token stays out of the
contacts file and of the database). Only that prefix can be read, so a contacts file cannot
make dvtracker send any other variable anywhere.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import quote

import apprise
from apprise import NotifyFormat

SECRET_PREFIX = "DVTRACKER_SECRET_"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_\-.]")


class MissingSecret(Exception):
    pass


def env_secret(name: str) -> str | None:
    return os.environ.get(SECRET_PREFIX + name)


def expand_secrets(url: str, lookup: Callable[[str], str | None] = env_secret) -> str:
    """Fill the ``${NAME}`` placeholders of an Apprise URL; ``lookup`` may read Prefect Secret
    blocks instead of the environment."""

    def replace(m: re.Match) -> str:
        value = lookup(m.group(1))
        if not value:
            raise MissingSecret(f"thiếu biến môi trường {SECRET_PREFIX}{m.group(1)} cho địa chỉ {m.group(0)}")
        return quote(value, safe=":")

    return _PLACEHOLDER.sub(replace, url)


@lru_cache(maxsize=1)
def _schemas() -> frozenset[str]:
    details = apprise.Apprise().details(show_disabled=False)
    return frozenset(s.lower() for p in details["schemas"] for key in ("protocols", "secure_protocols")
                     for s in (p["details"].get(key) or p.get(key) or []))


def check_chat_url(url: str) -> str | None:
    """Why ``url`` cannot be used as a chat contact, or None. A URL naming secrets is
    checked for its scheme only (the secret is not known at import)."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        return f"'{url}' không phải địa chỉ Apprise (cần dạng tgram://…, json://…, mailto://…)."
    if scheme.lower() in ("mailto", "mailtos"):
        return "địa chỉ thư điện tử phải ghi ở kênh email, không ở kênh chat."
    if _PLACEHOLDER.search(url):
        if scheme.lower() not in _schemas():
            return f"Apprise không hỗ trợ loại địa chỉ '{scheme}://'."
        return None
    if apprise.Apprise.instantiate(url) is None:
        return f"Apprise không dùng được địa chỉ '{display_address(url)}' (sai cú pháp hoặc loại dịch vụ không hỗ trợ)."
    return None


def display_address(address: str) -> str:
    """An address fit to print: email as is; a chat URL without its credentials."""
    if "://" not in address or _PLACEHOLDER.search(address):
        return address
    server = apprise.Apprise.instantiate(address)
    if server is None:
        return address.split("://")[0] + "://…"
    return server.url(privacy=True).split("?")[0]


def smtp_send(settings, data: bytes, from_addr: str, to_addr: str) -> str | None:
    """Send one message (its bytes, as built) to one address over the configured SMTP server
    (port 465: implicit TLS; ``smtp_starttls``: STARTTLS); None on success, else why not."""
    host, port = settings.smtp_host, settings.smtp_port
    where = f"máy chủ SMTP {host}:{port}"
    smtp: smtplib.SMTP
    try:
        if port == 465:
            smtp = smtplib.SMTP_SSL(host, port, timeout=settings.smtp_timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=settings.smtp_timeout)
        with smtp:
            if settings.smtp_starttls and port != 465:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.sendmail(from_addr, [to_addr], data)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = exc.recipients.get(to_addr, (0, b""))
        return f"{where} từ chối người nhận: {code} {_text(reply)}"
    except smtplib.SMTPResponseException as exc:
        return f"{where} trả lời {exc.smtp_code} {_text(exc.smtp_error)}"
    except (OSError, smtplib.SMTPException) as exc:
        return f"không gửi được qua {where}: {exc or type(exc).__name__}"
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _tag(kind: str, value: str) -> str:
    return f"{kind}-{_TAG_UNSAFE.sub('_', value)}"


@dataclass
class Delivery:
    delivered: list[str] = field(default_factory=list)  # addresses reached now
    errors: dict[str, str] = field(default_factory=dict)  # address -> why it failed

    @property
    def ok(self) -> bool:
        return not self.errors


def _notify(server, title: str, body: str, redact: Iterable[str]) -> str | None:
    """Send through one Apprise server; None on success, else the error from Apprise's log."""
    with apprise.LogCapture(level=logging.DEBUG, fmt="%(levelname)s|%(message)s") as log:
        crash: str | None = None
        try:
            ok = server.notify(body=body, title=title, body_format=NotifyFormat.TEXT)
        except Exception as exc:  # a plugin bug must not stop the run
            ok, crash = False, f"{type(exc).__name__}: {exc}"
        text = log.getvalue()
    if ok:
        return None
    lines = [line.split("|", 1)[1] for line in text.splitlines()
             if line.startswith(("WARNING|", "ERROR|")) or "Exception:" in line]
    error = "; ".join([*lines, *([crash] if crash else [])]) or "Apprise báo gửi không thành công."
    return _redacted(error, redact)


def _redacted(error: str, redact: Iterable[str]) -> str:
    for secret in redact:
        if secret:
            error = error.replace(secret, "***")
    return error[:2000]


class Dispatcher:
    """Sends one run's messages. Email goes through the SMTP server in ``settings``, the same
    bytes to each address; chat through each contact's Apprise URL."""

    def __init__(self, settings, secrets: Callable[[str], str | None] = env_secret, sender_address: str = ""):
        self.settings = settings
        self.sender_address = sender_address or parseaddr(settings.smtp_from)[1] or settings.smtp_from
        self.secrets = secrets
        self._apprise = apprise.Apprise()
        self._addresses: dict[int, str] = {}
        self._email: dict[tuple[str, str], list[str]] = {}  # (unit, role) -> addresses, in order
        self._broken: dict[tuple[str, str, str, str], str] = {}
        self._added: set[tuple[str, str, str, str]] = set()
        self._redact = [settings.smtp_password.get_secret_value()]

    def add(self, unit_id: str, channel: str, role: str, address: str) -> None:
        if (unit_id, channel, role, address) in self._added:
            return
        self._added.add((unit_id, channel, role, address))
        if channel == "email":
            self._email.setdefault((unit_id, role), []).append(address)
            return
        try:
            url = expand_secrets(address, self.secrets)
        except MissingSecret as exc:
            self._broken[(unit_id, channel, role, address)] = str(exc)
            return
        if url != address:
            self._redact.extend(m for m in (self.secrets(n) for n in _PLACEHOLDER.findall(address)) if m)
        server = apprise.Apprise.instantiate(url, tag=[_tag("unit", unit_id), _tag("ch", channel), _tag("role", role)])
        if server is None:
            self._broken[(unit_id, channel, role, address)] = f"Apprise không dùng được địa chỉ {display_address(address)}"
            return
        self._apprise.add(server)
        self._addresses[id(server)] = address

    def send(self, unit_id: str, channel: str, roles: Iterable[str], title: str, body: str,
             skip: Collection[str] = frozenset(), message: EmailMessage | None = None) -> Delivery:
        """Notify one unit's contacts of one channel (those of ``roles``), except ``skip``. For
        email, ``message`` is what goes, as built (``title`` and ``body`` are its subject and text)."""
        result = Delivery()
        roles = set(roles)
        if channel == "email":
            if message is None:
                raise ValueError("an e-mail is sent as a built message")
            data = message.as_bytes(policy=message.policy)
            for (u, role), addresses in self._email.items():
                for address in addresses:
                    if u != unit_id or role not in roles or address in skip or address in result.delivered:
                        continue
                    error = smtp_send(self.settings, data, self.sender_address, address)
                    if error is None:
                        result.delivered.append(address)
                    else:
                        result.errors[address] = _redacted(error, self._redact)
            return result
        for (u, ch, role, address), problem in self._broken.items():
            if u == unit_id and ch == channel and role in roles and address not in skip:
                result.errors[address] = problem
        selector = [(_tag("unit", unit_id), _tag("ch", channel), _tag("role", r)) for r in roles]
        for server in self._apprise.find(tag=selector, match_always=False):
            address = self._addresses[id(server)]
            if address in skip or address in result.delivered:
                continue
            error = _notify(server, title, body, self._redact)
            if error is None:
                result.delivered.append(address)
            else:
                result.errors[address] = error
        return result


def notify_urls(urls: list[str], title: str, body: str, redact: Iterable[str] = (),
                secrets: Callable[[str], str | None] = env_secret) -> str | None:
    """Send one message to a list of Apprise URLs (the coordinators' channel); None on success."""
    errors = []
    for url in urls:
        try:
            server = apprise.Apprise.instantiate(expand_secrets(url, secrets))
        except MissingSecret as exc:
            errors.append(str(exc))
            continue
        if server is None:
            errors.append(f"Apprise không dùng được địa chỉ {display_address(url)}")
            continue
        error = _notify(server, title, body, redact)
        if error:
            errors.append(error)
    return "; ".join(errors) or None
