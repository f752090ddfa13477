"""Files kept in the database by their SHA-256: every report received, whatever became of it,
and every file a compilation wrote, so that any machine can fetch them."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from models.db import insert_once
from models.tables import BlobRow


def store_blob(session: Session, content: bytes, filename: str) -> str:
    """Keep ``content`` once (another process keeping the same bytes at the same moment is fine);
    returns its SHA-256."""
    sha = hashlib.sha256(content).hexdigest()
    if session.get(BlobRow, sha) is None:
        insert_once(session, BlobRow(sha256=sha, size=len(content), content=content, filename=filename[-500:]),
                    select(BlobRow).where(BlobRow.sha256 == sha))
    return sha


def read_blob(session: Session, sha: str) -> bytes | None:
    return session.exec(select(BlobRow.content).where(BlobRow.sha256 == sha)).first()
