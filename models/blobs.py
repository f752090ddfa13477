"""Files kept in the database by their SHA-256: every report received, whatever became of it,
and every file a compilation wrote, so that any machine can fetch them."""

from __future__ import annotations

import hashlib

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from models.clock import utcnow
from models.limits import check_values
from models.tables import BlobRow


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
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(BlobRow).values(row).on_conflict_do_nothing(index_elements=["sha256"])
    if not savepoint:
        session.connection().execute(stmt)
        return sha
    with session.begin_nested():  # on SQLite, a transaction not yet begun begins here, holding the write lock
        session.connection().execute(stmt)
    return sha


def read_blob(session: Session, sha: str) -> bytes | None:
    return session.exec(select(BlobRow.content).where(BlobRow.sha256 == sha)).first()
