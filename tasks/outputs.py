"""Every file the tool writes for people, kept in the application's database.

A compilation's draft, annex and summary, a day's status export, a reminder or digest written to
the outbox, a công văn đôn đốc: each is written to this machine's ``var/`` as before and, with
the same call, its bytes are stored as a blob (by SHA-256) and recorded in the ``output`` table
with its cycle, kind, version and name. Any machine that shares the database lists and fetches
them (``dvtracker outputs list|get``): a worker needs no shared file system.

``keep`` is the one function the write points call; ``record`` is the same inside a transaction
that is already open (a compilation records its files with its version row).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlmodel import Session, col, select

from models.blobs import read_blob, store_blob
from models.db import insert_once
from models.errors import UserError
from models.tables import OutputRow
from wiring.app import App
from wiring.settings import Settings

KINDS = {
    "compilation": "bản tổng hợp (dự thảo Word, phụ lục Excel, tóm tắt)",
    "status": "tình hình báo cáo (Excel, CSV)",
    "reminder": "thư nhắc (.eml)",
    "digest": "bản tổng hợp gửi cán bộ theo dõi (.eml)",
    "letter": "dự thảo công văn đôn đốc (Word)",
    "rollup": "báo cáo gửi cấp trên, từ bản tổng hợp (JSON)",
}


@dataclass(frozen=True)
class Output:
    cycle_id: str
    kind: str
    version: int | None
    name: str
    sha256: str
    size: int
    created_at: datetime

    def to_dict(self) -> dict:
        return dict(cycle=self.cycle_id, kind=self.kind, version=self.version, name=self.name, sha256=self.sha256,
                    size=self.size, created_at=self.created_at.isoformat())


def output_name(settings: Settings, path: Path) -> str:
    """Where a file goes on any machine: its path under the var folder (``exports/…``,
    ``outbox/…``), or its file name when it was written elsewhere (``compile --out``)."""
    path = Path(os.path.abspath(path))
    for base, prefix in ((settings.var_dir, ""), (settings.exports_dir, "exports"), (settings.outbox_dir, "outbox")):
        try:
            relative = path.relative_to(Path(os.path.abspath(base)))
        except ValueError:
            continue
        return str(PurePosixPath(prefix, *relative.parts))
    return path.name


def record(session: Session, settings: Settings, path: Path, content: bytes, *, cycle_id: str, kind: str,
           version: int | None = None) -> str:
    """Store ``content`` (the file written at ``path``) and record it as an output, in the
    transaction of ``session``; the same bytes under the same name are recorded once."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    name = output_name(settings, path)
    sha = store_blob(session, content, Path(name).name)
    row = OutputRow(cycle_id=cycle_id, kind=kind, version=version, name=name, sha256=sha, size=len(content))
    insert_once(session, row, select(OutputRow).where(OutputRow.cycle_id == cycle_id, OutputRow.name == name,
                                                     OutputRow.sha256 == sha))
    return sha


def keep(app: App, path: Path, content: bytes | None = None, *, cycle_id: str, kind: str,
         version: int | None = None) -> Path:
    """Write ``content`` to ``path`` (atomically: a crash leaves the old file or the whole new
    one), or take the file a library has just written there when ``content`` is None; then
    store it in the database as an output of ``cycle_id``. Returns ``path``."""
    path = Path(path)
    if content is None:
        content = path.read_bytes()
    else:
        _write(path, content)
    with app.session() as session:
        record(session, app.settings, path, content, cycle_id=cycle_id, kind=kind, version=version)
    return path


def list_outputs(app: App, cycle_id: str, *, version: int | None = None, kind: str | None = None,
                 latest: bool = False) -> list[Output]:
    """The outputs of a cycle, oldest first; ``latest``: one per name, the newest."""
    if kind is not None and kind not in KINDS:
        raise UserError(f"Không có loại tệp '{kind}'; các loại: {', '.join(KINDS)}.")
    with app.session() as session:
        query = select(OutputRow).where(OutputRow.cycle_id == cycle_id)
        if version is not None:
            query = query.where(OutputRow.version == version)
        if kind is not None:
            query = query.where(OutputRow.kind == kind)
        rows = session.exec(query.order_by(col(OutputRow.created_at), col(OutputRow.id))).all()
    found = [Output(r.cycle_id, r.kind, r.version, r.name, r.sha256, r.size, r.created_at) for r in rows]
    if latest:
        newest = {o.name: o for o in found}
        found = [o for o in found if newest[o.name] is o]
    return found


def fetch_outputs(app: App, cycle_id: str, out_dir: Path, *, version: int | None = None,
                  kind: str | None = None) -> list[Path]:
    """Write the outputs of a cycle (the newest of each name) from the database under
    ``out_dir``, each at its name (``exports/<cycle>/v1/…``). Returns the files written."""
    chosen = list_outputs(app, cycle_id, version=version, kind=kind, latest=True)
    out_dir = Path(out_dir)
    written = []
    with app.session() as session:
        for item in chosen:
            target = _inside(out_dir, item.name)
            content = read_blob(session, item.sha256)
            if content is None:  # the foreign key keeps it: only a damaged database comes here
                raise UserError(f"Tệp {item.name} không còn trong cơ sở dữ liệu.")
            _write(target, content)
            written.append(target)
    return written


def _inside(out_dir: Path, name: str) -> Path:
    """``out_dir / name``, refusing a name that would leave ``out_dir`` (the database is shared:
    its names are data)."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or any(p in ("..", "") or "\\" in p for p in parts):
        raise UserError(f"Tên tệp không hợp lệ trong cơ sở dữ liệu: {name!r}.")
    return out_dir.joinpath(*parts)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}-{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
