"""Sending through Apprise: email over the configured SMTP server, chat to the Apprise URL of
each contact, and the coordinators' own channel.

All contacts of a run go into one Apprise object, each tagged with its unit, channel and role,
so that one tag selects exactly one unit's contacts of one channel. Each selected contact is
then notified on its own: when one address of a unit fails and another succeeds, the log
records which one was reached and a retry goes only to the other.

Chat URLs may name secrets as ``${NAME}``: they are read from the environment variable
``DVTRACKER_SECRET_NAME`` at send time and never stored (a bot token stays out of the
contacts file and of the database). Only that prefix can be read, so a contacts file cannot
make dvtracker send any other variable anywhere.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import quote, urlencode

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


def smtp_url(settings, to_address: str, sender_name: str) -> str:
    """The Apprise ``mailto://`` URL of one recipient over the configured SMTP server."""
    mode = "ssl" if settings.smtp_port == 465 else ("starttls" if settings.smtp_starttls else "insecure")
    scheme = "mailto" if mode == "insecure" else "mailtos"
    auth = ""
    if settings.smtp_user:
        auth = quote(settings.smtp_user, safe="")
        password = settings.smtp_password.get_secret_value()
        if password:
            auth += ":" + quote(password, safe="")
        auth += "@"
    name, address = parseaddr(settings.smtp_from)
    params = {"smtp": settings.smtp_host, "from": address, "name": name or sender_name, "to": to_address,
              "mode": mode, "format": "text", "cto": settings.smtp_timeout}
    return f"{scheme}://{auth}{settings.smtp_host}:{settings.smtp_port}/?{urlencode(params, quote_via=quote)}"


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
    for secret in redact:
        if secret:
            error = error.replace(secret, "***")
    return error[:2000]


class Dispatcher:
    """Sends one run's messages. Email goes through the SMTP server in ``settings``; chat
    through each contact's Apprise URL."""

    def __init__(self, settings, sender_name: str, secrets: Callable[[str], str | None] = env_secret):
        self.settings = settings
        self.sender_name = sender_name
        self.secrets = secrets
        self._apprise = apprise.Apprise()
        self._addresses: dict[int, str] = {}
        self._broken: dict[tuple[str, str, str, str], str] = {}
        self._added: set[tuple[str, str, str, str]] = set()
        self._redact = [settings.smtp_password.get_secret_value()]

    def add(self, unit_id: str, channel: str, role: str, address: str) -> None:
        if (unit_id, channel, role, address) in self._added:
            return
        self._added.add((unit_id, channel, role, address))
        try:
            url = smtp_url(self.settings, address, self.sender_name) if channel == "email" else expand_secrets(
                address, self.secrets)
        except MissingSecret as exc:
            self._broken[(unit_id, channel, role, address)] = str(exc)
            return
        if url != address:
            self._redact.extend(m for m in (self.secrets(n) for n in _PLACEHOLDER.findall(address)) if m)
        server = apprise.Apprise.instantiate(url, tag=[_tag("unit", unit_id), _tag("ch", channel), _tag("role", role)])
        if server is None:
            self._broken[(unit_id, channel, role, address)] = f"Apprise không dùng được địa chỉ {display_address(address)}"
            return
        if channel == "email":
            server.request_rate_per_sec = 0  # Apprise's courtesy pause between calls is meant for web APIs
        self._apprise.add(server)
        self._addresses[id(server)] = address

    def send(self, unit_id: str, channel: str, roles: Iterable[str], title: str, body: str,
             skip: Collection[str] = frozenset()) -> Delivery:
        """Notify one unit's contacts of one channel (those of ``roles``), except ``skip``."""
        result = Delivery()
        roles = set(roles)
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
