"""The outbox: without an SMTP server, messages are written as ``.eml`` files that any mail
program opens, one file per reminder under a name derived from the reminder's key, so that
a rerun never writes a second file for the same reminder."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path


def build_eml(*, sender: str, sender_name: str, to: list[str], subject: str, body: str, key: str,
              at: datetime) -> EmailMessage:
    name, address = parseaddr(sender)
    msg = EmailMessage()
    msg["From"] = formataddr((name or sender_name, address))
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@dvtracker.invalid>"
    msg["X-DVTracker-Key"] = key
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def write_eml(path: Path, message: EmailMessage) -> Path:
    """Write atomically: a crash leaves either no file or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(message.as_bytes())
    os.replace(tmp, path)
    return path


def reminder_path(outbox: Path, cycle_id: str, unit_id: str, stage: str) -> Path:
    return outbox / "reminders" / cycle_id / f"{stage}--{unit_id}.eml"


def digest_path(outbox: Path, cycle_id: str, day: str, digest_hash: str) -> Path:
    return outbox / "digests" / cycle_id / f"{day}--{digest_hash[:12]}.eml"
