"""Contacts of the reporting units: who receives reminders, on which channel, from when to when.

A contact is keyed by (unit, channel, address): importing the same file again changes nothing,
importing it with a new role, name or validity updates the contact. A contact is never deleted
by an import; ending it is done with ``valid_to``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import vnformat
from models.audit import audit
from models.deadlines import parse_date
from models.errors import UserError
from models.limits import column_limit, text_problem
from models.roster import Roster
from models.tables import ContactRow, UnitRow

ROLES = {"focal": "đầu mối", "leadership": "lãnh đạo"}
CHANNELS = {"email": "thư điện tử", "chat": "tin nhắn"}
FIELDS = ("unit", "role", "channel", "address", "name", "valid_from", "valid_to")
_EMAIL = re.compile(r"^[^@\s<>,;\"'()\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LIMITS = {"unit": column_limit(UnitRow, "name"), "role": 16, "channel": 16, "address": column_limit(ContactRow, "address"),
           "name": column_limit(ContactRow, "name"), "valid_from": 40, "valid_to": 40}


@dataclass
class ContactInput:
    unit_id: str
    role: str
    channel: str
    address: str
    name: str | None
    valid_from: date | None
    valid_to: date | None


class ContactError(UserError):
    def __init__(self, field_name: str, message: str):
        super().__init__(f"cột {field_name}: {message}")
        self.field = field_name


def _text(raw: dict, key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _day(raw: dict, key: str) -> date | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value), field=key)
    except UserError as exc:
        raise ContactError(key, exc.message) from None


def read_contact(raw: dict, roster: Roster, on: date, check_chat_url: Callable[[str], str | None]) -> ContactInput:
    """Validate one row of a contacts file. The unit is found on the row's ``valid_from``
    (or ``on``), since codes are reused across the 2025 mergers. ``check_chat_url`` returns
    why an Apprise URL is unusable, or None."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ContactError(unknown[0], f"cột không có trong mẫu (các cột: {', '.join(FIELDS)}).")
    for key, limit in _LIMITS.items():
        problem = text_problem(_text(raw, key), limit)
        if problem:
            raise ContactError(key, f"{problem}.")
    valid_from, valid_to = _day(raw, "valid_from"), _day(raw, "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        raise ContactError("valid_to", f"{vnformat.day(valid_to)} trước valid_from {vnformat.day(valid_from)}.")
    unit_text = _text(raw, "unit")
    if not unit_text:
        raise ContactError("unit", "thiếu mã hoặc tên đơn vị.")
    try:
        unit = roster.find(unit_text, valid_from or on)
    except UserError as exc:
        raise ContactError("unit", exc.message) from None
    role = _text(raw, "role").lower() or "focal"
    if role not in ROLES:
        raise ContactError("role", f"'{role}' không hợp lệ (cần: focal = đầu mối, leadership = lãnh đạo).")
    channel = _text(raw, "channel").lower()
    if channel not in CHANNELS:
        raise ContactError("channel", f"'{channel}' không hợp lệ (cần: email hoặc chat).")
    address = _text(raw, "address")
    name = _text(raw, "name") or None
    if name and _CONTROL.search(name):
        raise ContactError("name", "có ký tự điều khiển (xuống dòng, tab).")
    if not address or _CONTROL.search(address):
        raise ContactError("address", "trống hoặc có ký tự điều khiển.")
    if channel == "email":
        if not _EMAIL.match(address):
            raise ContactError("address", f"'{address}' không phải địa chỉ thư điện tử hợp lệ.")
        address = address.lower()
    else:
        problem = check_chat_url(address)
        if problem:
            raise ContactError("address", problem)
    return ContactInput(unit.id, role, channel, address, name, valid_from, valid_to)


def upsert_contacts(session: Session, contacts: list[ContactInput]) -> dict[str, int]:
    """Create or update contacts by (unit, channel, address); one query for the existing ones."""
    existing = {(c.unit_id, c.channel, c.address): c for c in session.exec(select(ContactRow)).all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for c in contacts:
        fields = dict(role=c.role, name=c.name, valid_from=c.valid_from, valid_to=c.valid_to)
        row = existing.get((c.unit_id, c.channel, c.address))
        if row is None:
            row = ContactRow(unit_id=c.unit_id, channel=c.channel, address=c.address, **fields)
            session.add(row)
            existing[(c.unit_id, c.channel, c.address)] = row
            counts["created"] += 1
            audit(session, "create", "contact", f"{c.unit_id}:{c.channel}:{c.address}", **fields)
            continue
        changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
        if changed:
            for k, v in changed.items():
                setattr(row, k, v)
            counts["updated"] += 1
            audit(session, "update", "contact", f"{c.unit_id}:{c.channel}:{c.address}", **changed)
        else:
            counts["unchanged"] += 1
    session.flush()
    return counts


def list_contacts(session: Session, unit_ids: list[str] | None = None) -> list[ContactRow]:
    stmt = select(ContactRow).order_by(ContactRow.unit_id, ContactRow.channel, ContactRow.role, ContactRow.address)
    if unit_ids is not None:
        stmt = stmt.where(ContactRow.unit_id.in_(unit_ids))
    return list(session.exec(stmt).all())
