"""The audit log: every change of a fact records who or what made it, and when.

The actor is set once at the entry point (the CLI: ``cli:<user>``; a flow: ``prefect:<run>``)
and read here, so that domain functions need not pass it around.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from models.clock import utcnow
from models.limits import check_values
from models.tables import AuditRow

_actor: ContextVar[str] = ContextVar("dvtracker_actor", default="system")


def current_actor() -> str:
    return _actor.get()


@contextmanager
def acting_as(actor: str):
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def _row(action: str, entity: str, entity_id: str, details: dict[str, Any]) -> dict[str, Any]:
    return dict(at=utcnow(), actor=current_actor(), action=action, entity=entity, entity_id=str(entity_id),
                details=_jsonable(details))


def audit(session: Session, action: str, entity: str, entity_id: str, **details: Any) -> None:
    session.add(AuditRow(**_row(action, entity, entity_id, details)))


def audit_now(session: Session, action: str, entity: str, entity_id: str, **details: Any) -> None:
    """The same row as ``audit``, written at once by a plain INSERT (where each row of a busy path
    counts: the intake), with the texts checked as a flush checks them."""
    row = _row(action, entity, entity_id, details)
    check_values(AuditRow, [row])
    session.connection().execute(insert(AuditRow), row)
