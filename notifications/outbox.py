"""Email messages as they go: built once, the same bytes written to the outbox (``.eml``), shown
by a preview and sent over SMTP.

Headers are encoded here, not by the standard library's folder: Python 3.11 folds a long
encoded header at a space that it then leaves between two encoded words, and RFC 2047 tells
every reader to drop the white space between adjacent encoded words ("Chủ tịchHồ Chí Minh").
So:
- unstructured headers (Subject) are encoded whole by ``email.header.Header``: every character,
  spaces included, sits inside an encoded word, and the folds fall between encoded words,
  where readers drop them;
- a display name (From, To, Cc) is split into runs of words: a run that needs encoding becomes
  one encoded word, the words in between stay plain, and the folds fall only at a space next to
  a plain word. Two encoded words are never adjacent, so a reader that keeps the white space
  between them (Python's address parser) and one that drops it (RFC 2047) read the same name.

Without an SMTP server, messages are written as ``.eml`` files, one per reminder under a name
derived from the reminder's key, so that a rerun never writes a second file for it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable
from datetime import datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from models.clock import VN_TZ

# CRLF line ends: what goes over SMTP. The headers set here are folded here: never refolded.
WIRE = policy.SMTP.clone(refold_source="none")
_LINE = 78
_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$")
# RFC 2047 keeps an encoded word to 75 characters (45 bytes of text); a longer run of words that
# need encoding stays one encoded word, which readers decode, up to this many bytes (a line must
# stay under 998 characters).
_WORD_BYTES = 600
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str) -> str:
    """One line of text: control characters and runs of white space become one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _encoded_word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def _plain(word: str) -> bool:
    return bool(_ATOM.match(word)) and not word.startswith("=?")


def _phrase_tokens(name: str) -> list[str]:
    """A display name as tokens to join with single spaces: plain words, and one encoded word per
    run of words that need encoding (split further only where a run is too long for one word)."""
    tokens: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            tokens.extend(_encoded_words(" ".join(run)))
            run.clear()

    for word in clean(name).split(" "):
        if _plain(word):
            flush()
            tokens.append(word)
        else:
            run.append(word)
    flush()
    return tokens


def _encoded_words(text: str) -> list[str]:
    """``text`` in one encoded word; a text too long for one is cut at its spaces, each piece
    keeping the space that ends it, so that the pieces read back joined."""
    if len(text.encode("utf-8")) <= _WORD_BYTES:
        return [_encoded_word(text)]
    # Only a run of hundreds of letters without a plain word comes here: a reader that keeps the
    # white space between adjacent encoded words reads an extra space at each cut.
    pieces, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(candidate.encode("utf-8")) > _WORD_BYTES:
            pieces.append(current + " ")
            current = word
        else:
            current = candidate
    pieces.append(current)
    return [_encoded_word(p) for p in pieces]


def _fold(name: str, tokens: Iterable[str]) -> str:
    """Join tokens with spaces, folding before a token that would pass the line length."""
    lines, line = [], f"{name}:"
    for token in tokens:
        if len(line) + 1 + len(token) > _LINE and line != f"{name}:":
            lines.append(line)
            line = " " + token
        else:
            line += " " + token
    lines.append(line)
    return "\r\n".join(lines)[len(name) + 2:]


def text_header(name: str, text: str) -> str:
    """An unstructured header value, encoded and folded (see the module's note)."""
    text = clean(text)
    if text.isascii():
        return _fold(name, text.split(" "))
    return Header(text, "utf-8", header_name=name).encode(linesep="\r\n")


def address(display: str | None, addr: str) -> list[str]:
    """One mailbox as tokens: the display name's tokens then ``<addr>``."""
    addr = clean(addr)
    return [*_phrase_tokens(display), f"<{addr}>"] if display and clean(display) else [addr]


def address_header(name: str, mailboxes: list[tuple[str | None, str]]) -> str:
    tokens: list[str] = []
    for n, (display, addr) in enumerate(mailboxes):
        mailbox = address(display, addr)
        if n < len(mailboxes) - 1:
            mailbox[-1] += ","
        tokens.extend(mailbox)
    return _fold(name, tokens)


def sender(configured: str, default_name: str, default_address: str) -> tuple[str, str]:
    """(display name, address) of ``smtp_from`` ("Name <addr>" or a bare address), the defaults
    filling what it leaves out."""
    name, addr = parseaddr(configured)
    return (name or default_name, addr or default_address)


def build_message(*, sender: tuple[str, str], to: list[tuple[str | None, str]], subject: str, body: str, key: str,
                  at: datetime, cc: list[tuple[str | None, str]] | None = None) -> EmailMessage:
    """The message of one reminder (or digest), dated ``at`` in Vietnam time; its Message-ID
    comes from ``key``, so that the same reminder built again is the same message."""
    msg = EmailMessage(policy=WIRE)
    msg.set_raw("From", address_header("From", [sender]))
    msg.set_raw("To", address_header("To", to))
    if cc:
        msg.set_raw("Cc", address_header("Cc", cc))
    msg.set_raw("Subject", text_header("Subject", subject))
    msg.set_raw("Date", format_datetime(at.astimezone(VN_TZ)))
    msg.set_raw("Message-ID", f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@dvtracker.invalid>")
    msg.set_raw("X-DVTracker-Key", text_header("X-DVTracker-Key", key))
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def message_bytes(message: EmailMessage) -> bytes:
    """The bytes that go over SMTP, and into the ``.eml`` file."""
    return message.as_bytes(policy=WIRE)


def write_eml(path: Path, message: EmailMessage) -> Path:
    """Write atomically: a crash leaves either no file or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(message_bytes(message))
    os.replace(tmp, path)
    return path


def reminder_path(outbox: Path, cycle_id: str, unit_id: str, stage: str) -> Path:
    return outbox / "reminders" / cycle_id / f"{stage}--{unit_id}.eml"


def digest_path(outbox: Path, cycle_id: str, day: str, digest_hash: str) -> Path:
    return outbox / "digests" / cycle_id / f"{day}--{digest_hash[:12]}.eml"
