"""The roster in the database: synced from the data files, read back as a ``Roster``."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import delete
from sqlmodel import Session, select

from models.audit import audit
from models.db import gc_paused
from models.groups import Group
from models.roster import Rename, Roster, Succession, Unit
from models.tables import MetaRow, SuccessionRow, UnitAliasRow, UnitRenameRow, UnitRow

_HASH_KEY = "roster_hash"


def _fingerprint(roster: Roster) -> str:
    payload = [
        [u.id, u.group, u.kind, u.code, u.slug, u.name, u.official, u.position, str(u.valid_from), str(u.valid_to), u.organ_id,
         [[r.name, r.kind, str(r.valid_from)] for r in u.renames], sorted(u.aliases)]
        for u in sorted(roster.units.values(), key=lambda u: u.id)
    ] + [[s.predecessor_id, s.successor_id, str(s.effective)] for s in sorted(
        roster.successions, key=lambda s: (s.predecessor_id, s.successor_id))]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def sync_roster(session: Session, roster: Roster) -> bool:
    """Make the database's roster equal to ``roster``; return False if it already was.
    Units are upserted and never deleted (cycles refer to them); every change is audited."""
    digest = _fingerprint(roster)
    meta = session.get(MetaRow, _HASH_KEY)
    if meta and meta.value == digest:
        return False
    existing = {u.id: u for u in session.exec(select(UnitRow)).all()}
    for unit in roster.units.values():
        fields = dict(
            unit_group=unit.group, kind=unit.kind, code=unit.code, slug=unit.slug, name=unit.name,
            official=unit.official, position=unit.position, valid_from=unit.valid_from, valid_to=unit.valid_to,
            organ_id=unit.organ_id,
        )
        row = existing.get(unit.id)
        if row is None:
            session.add(UnitRow(id=unit.id, **fields))
            audit(session, "create", "unit", unit.id, **fields)
        else:
            changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(row, k, v)
                audit(session, "update", "unit", unit.id, **changed)
    session.flush()
    for table in (UnitRenameRow, UnitAliasRow, SuccessionRow):
        session.exec(delete(table))
    for unit in roster.units.values():
        for r in unit.renames:
            session.add(UnitRenameRow(unit_id=unit.id, name=r.name, kind=r.kind, valid_from=r.valid_from))
        for alias in unit.aliases:
            session.add(UnitAliasRow(unit_id=unit.id, alias=alias))
    for s in roster.successions:
        session.add(SuccessionRow(predecessor_id=s.predecessor_id, successor_id=s.successor_id, effective=s.effective))
    if meta is None:
        session.add(MetaRow(key=_HASH_KEY, value=digest))
    else:
        meta.value = digest
    audit(session, "sync", "roster", "roster", units=len(roster.units), successions=len(roster.successions))
    return True


def load_roster_from_db(session: Session, groups: dict[str, Group] | None = None) -> Roster:
    # Plain rows, not ORM objects: a province's roster has thousands of units, read on every run;
    # the cycle collector paused while they are built (none of them forms a cycle).
    with gc_paused():
        return _load_roster(session, groups)


def _load_roster(session: Session, groups: dict[str, Group] | None) -> Roster:
    u = UnitRow
    units = {
        r.id: Unit(
            id=r.id, group=r.unit_group, kind=r.kind, name=r.name, code=r.code, slug=r.slug,
            official=r.official, position=r.position, valid_from=r.valid_from, valid_to=r.valid_to,
            organ_id=r.organ_id,
        )
        for r in session.execute(select(u.id, u.unit_group, u.kind, u.name, u.code, u.slug, u.official,  # type: ignore[misc]
                                        u.position, u.valid_from, u.valid_to, u.organ_id))
    }
    for r in session.execute(select(UnitRenameRow.unit_id, UnitRenameRow.name, UnitRenameRow.kind,
                                    UnitRenameRow.valid_from).order_by(UnitRenameRow.id)):
        units[r.unit_id].renames.append(Rename(r.name, r.kind, r.valid_from))
    for r in session.execute(select(UnitAliasRow.unit_id, UnitAliasRow.alias).order_by(UnitAliasRow.id)):
        units[r.unit_id].aliases.append(r.alias)
    successions = [
        Succession(r.predecessor_id, r.successor_id, r.effective)
        for r in session.execute(select(SuccessionRow.predecessor_id, SuccessionRow.successor_id,
                                        SuccessionRow.effective).order_by(SuccessionRow.id))
    ]
    return Roster(list(units.values()), successions, groups)
