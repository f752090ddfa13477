"""Files kept in the database by their SHA-256: every report received, whatever became of it,
and every file a compilation wrote, so that any machine can fetch them."""

from __future__ import annotations

import hashlib

from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from models.clock import utcnow
from models.limits import check_values
from models.tables import BlobRow

# INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike), typed as the table's columns. As
# text: the dialects' own ``on_conflict_do_nothing`` constructs are compiled anew at every call.
_COLUMNS = BlobRow.__table__.columns
_INSERT_ONCE = text(
    f"INSERT INTO blob ({', '.join(c.name for c in _COLUMNS)}) VALUES ({', '.join(':' + c.key for c in _COLUMNS)}) "
    "ON CONFLICT (sha256) DO NOTHING").bindparams(*[bindparam(c.key, type_=c.type) for c in _COLUMNS])


def store_blob(session: Session, content: bytes, filename: str, *, savepoint: bool = True) -> str:
    """Keep ``content`` once (another process keeping the same bytes at the same moment is fine);
    returns its SHA-256. One statement, in a savepoint of the session's transaction (on SQLite a
    transaction that has not begun begins there with its write lock, ``models.db._sqlite_savepoint``,
    as a first write in a deferred transaction may fail at once, never waiting, when another
    process wrote meanwhile): the row is inserted unless one of that SHA-256 is there already.
    ``savepoint=False``: the caller's transaction has begun so already (the intake's)."""
    sha = hashlib.sha256(content).hexdigest()
    row = dict(sha256=sha, size=len(content), content=content, filename=filename[-500:], created_at=utcnow())
    check_values(BlobRow, [row])
    stmt = _INSERT_ONCE
    if not savepoint:
        session.connection().execute(stmt, row)
        return sha
    with session.begin_nested():  # on SQLite, a transaction not yet begun begins here, holding the write lock
        session.connection().execute(stmt, row)
    return sha


def read_blob(session: Session, sha: str) -> bytes | None:
    return session.exec(select(BlobRow.content).where(BlobRow.sha256 == sha)).first()
