"""The roster: which reporting units exist on a given date, and who succeeded whom.

A unit is identified by a stable id (``p2004-15``, ``c2025-bnv``); official codes and names
are only meaningful together with a date, because codes are reused (code 15 is Yên Bái until
30/06/2025 and Lào Cai from 01/07/2025) and names move between codes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from models import vnformat
from models.errors import UserError
from models.groups import Group, plain_groups
from models.text import name_key, short_name_key

KINDS = {
    "BO": "Bộ",
    "CQNB": "Cơ quan ngang bộ",
    "CQTCP": "Cơ quan thuộc Chính phủ",
    "OTHER": "Cơ quan khác",
    "TINH": "Tỉnh",
    "TP": "Thành phố trực thuộc Trung ương",
    # One level down: a province's departments and communes.
    "SO": "Sở",
    "VP": "Văn phòng",
    "TTR": "Thanh tra",
    "XA": "Xã",
    "PHUONG": "Phường",
    "DACKHU": "Đặc khu",
}


@dataclass(frozen=True)
class Rename:
    name: str
    kind: str
    valid_from: date


@dataclass
class Unit:
    id: str
    group: str
    kind: str
    name: str
    code: str | None = None
    slug: str | None = None
    official: bool = True
    position: int = 0  # order of the official list (the data file's row order)
    valid_from: date | None = None
    valid_to: date | None = None
    organ_id: str | None = None  # electronic id of the agency (Quyết định 20/2020/QĐ-TTg), as edXML's OrganId
    renames: list[Rename] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    # Set by the roster from its collector's groups: the group's place in the official order, and
    # its words (how the unit is named in a footnote, inside a sentence, on a letter).
    group_rank: int = field(default=0, compare=False)
    words: Group | None = field(default=None, compare=False, repr=False)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def name_on(self, day: date | None = None) -> str:
        return self._state_on(day)[0]

    def kind_on(self, day: date | None = None) -> str:
        return self._state_on(day)[1]

    def _state_on(self, day: date | None) -> tuple[str, str]:
        name, kind = self.name, self.kind
        for r in sorted(self.renames, key=lambda r: r.valid_from):
            if day is None or r.valid_from <= day:
                name, kind = r.name, r.kind
        return name, kind

    def all_names(self) -> list[str]:
        return [self.name, *(r.name for r in self.renames), *self.aliases]

    def short_name(self, day: date | None = None) -> str:
        """The name as the footnote writes it: in the national report provinces without
        "Tỉnh"/"Thành phố" and central units in full (the group's ``short_drop``)."""
        name = self.name_on(day)
        return self.words.short_name(name) if self.words else name

    def in_text(self, day: date | None = None) -> str:
        """The name inside a sentence: "tỉnh An Giang", "Bộ Tư pháp" (the group's ``generic``)."""
        name = self.name_on(day)
        return self.words.in_text(name) if self.words else name

    def addressee(self, day: date | None = None) -> str:
        """How a letter addresses the unit: "Ủy ban nhân dân tỉnh An Giang" (``addressed_via``)."""
        name = self.name_on(day)
        return self.words.addressee(name) if self.words else name


@dataclass(frozen=True)
class Succession:
    predecessor_id: str
    successor_id: str
    effective: date


def _keys(name: str) -> set[str]:
    keys = {name_key(name)}
    short = short_name_key(name)
    if short:
        keys.add(short)
    return keys


class Roster:
    """All units of a collector, over time. Pure: no database, no files after construction."""

    def __init__(self, units: list[Unit], successions: list[Succession], groups: dict[str, Group] | None = None):
        self.units: dict[str, Unit] = {u.id: u for u in units}
        # The collector's groups in official order; without a calendar, those the units name.
        self.groups: dict[str, Group] = groups or plain_groups(list(dict.fromkeys(u.group for u in units)))
        rank = {g: i for i, g in enumerate(self.groups)}
        for u in units:
            if u.group not in rank:
                raise UserError(f"Đơn vị '{u.id}' thuộc nhóm '{u.group}' không có trong lịch báo cáo "
                                f"(các nhóm: {', '.join(self.groups)}).")
            u.group_rank, u.words = rank[u.group], self.groups[u.group]
        self.successions = list(successions)
        self._successors: dict[str, list[Succession]] = defaultdict(list)
        self._predecessors: dict[str, list[Succession]] = defaultdict(list)
        for s in successions:
            self._successors[s.predecessor_id].append(s)
            self._predecessors[s.successor_id].append(s)
        self._index: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None

    def _lookup(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(name key -> ids, code -> ids), built on the first ``find``: normalising every name
        costs more than a whole status computation, and most callers never look a name up."""
        if self._index is None:
            by_key: dict[str, set[str]] = defaultdict(set)
            by_code: dict[str, set[str]] = defaultdict(set)
            for u in self.units.values():
                for n in u.all_names():
                    for k in _keys(n):
                        by_key[k].add(u.id)
                for c in (u.code, u.slug):
                    if c:
                        by_code[c.casefold()].add(u.id)
            self._index = (by_key, by_code)
        return self._index

    # --- queries -----------------------------------------------------------------------
    def on(self, day: date, *, group: str | None = None, official_only: bool = True) -> list[Unit]:
        """Units in force on ``day``, central units first, then by code and name."""
        found = [
            u
            for u in self.units.values()
            if u.valid_on(day)
            and (group is None or u.group == group)
            and (u.official or not official_only)
        ]
        return sorted(found, key=sort_key)

    def get(self, unit_id: str) -> Unit:
        try:
            return self.units[unit_id]
        except KeyError:
            raise UserError(f"Không có đơn vị mã định danh '{unit_id}' trong danh mục.") from None

    def find(self, text: str, on: date) -> Unit:
        """Resolve a code, slug, stable id or name to the one unit in force on ``on``."""
        query = text.strip()
        if query in self.units:
            return self.units[query]
        by_key, by_code = self._lookup()
        ids = {i for i in by_code.get(query.casefold(), set()) if self.units[i].valid_on(on)}
        if not ids:
            ids = {
                i
                for k in _keys(query)
                for i in by_key.get(k, set())
                if self.units[i].valid_on(on)
            }
        if not ids:
            raise UserError(
                f"Không tìm thấy đơn vị '{text}' vào ngày {vnformat.day(on)} "
                "(cần mã tỉnh, mã bộ/ngành hoặc tên đơn vị còn hiệu lực vào ngày đó)."
            )
        if len(ids) > 1:
            names = ", ".join(sorted(self.units[i].name_on(on) for i in ids))
            raise UserError(
                f"Tên đơn vị '{text}' không rõ ràng vào ngày {vnformat.day(on)}: "
                f"khớp với {names}; hãy dùng mã đơn vị."
            )
        return self.units[ids.pop()]

    def by_organ_id(self, organ_id: str, on: date) -> Unit:
        """The unit whose electronic id (edXML ``From/OrganId``) is ``organ_id``: the one in force
        on ``on`` if several units carried it over time."""
        key = organ_id.strip().casefold()
        found = [u for u in self.units.values() if u.organ_id and u.organ_id.casefold() == key]
        current = [u for u in found if u.valid_on(on)] or found
        if not current:
            raise UserError(f"Mã định danh cơ quan '{organ_id.strip()}' không có trong danh mục đơn vị "
                            "(cột organ_id của units.csv): hãy bổ sung mã định danh cho đơn vị gửi.")
        return sorted(current, key=lambda u: u.valid_from or date.min)[-1]

    def successors(self, unit_id: str) -> list[str]:
        return [s.successor_id for s in self._successors.get(unit_id, [])]

    def predecessors(self, unit_id: str) -> list[str]:
        return [s.predecessor_id for s in self._predecessors.get(unit_id, [])]

    def successor_on(self, unit_id: str, day: date) -> str:
        """Follow succession links until the unit in force on ``day`` (the unit itself if
        it still exists). Used to route reminders for an old cycle and to compare years."""
        current = unit_id
        for _ in range(20):
            unit = self.units[current]
            if unit.valid_to is None or day <= unit.valid_to:
                return current
            nxt = [s for s in self._successors.get(current, []) if s.effective <= day]
            if not nxt:
                return current
            current = nxt[0].successor_id
        return current

    def continues(self, predecessor_id: str, successor_id: str) -> bool:
        """Whether ``successor_id`` is the same body as ``predecessor_id`` under a new id (Hà Nội,
        Bộ Nội vụ, An Giang after absorbing Kiên Giang): it carries the predecessor's last name.
        Only where it does not (a merger into another body, a rename with a different body) does
        a letter for the predecessor speak of succession."""
        if predecessor_id == successor_id:
            return True
        old, new = self.get(predecessor_id), self.get(successor_id)
        return name_key(old.name_on(old.valid_to)) == name_key(new.name_on(new.valid_from))

    def lineage(self, unit_id: str) -> list[str]:
        """The unit and all its predecessors, transitively (for a unit's history)."""
        seen, todo = [], [unit_id]
        while todo:
            uid = todo.pop(0)
            if uid not in seen:
                seen.append(uid)
                todo.extend(self.predecessors(uid))
        return seen


def sort_key(u: Unit) -> tuple:
    """Groups in the collector's order (bộ, ngành before địa phương); each in the order of the
    official list."""
    return (u.group_rank, 0 if u.official else 1, u.position, u.id)


# --- loading from the project's data files --------------------------------------------------
def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _required_day(text: str | None, where: str) -> date:
    day = _d(text)
    if day is None:
        raise UserError(f"Tệp danh mục {where}: thiếu ngày hiệu lực.")
    return day


def load_roster(folder: Path, groups: dict[str, Group] | None = None) -> Roster:
    """Read ``units.csv``, ``renames.csv``, ``aliases.csv`` and ``successions.csv``."""

    def rows(name: str) -> list[dict]:
        path = folder / name
        if not path.exists():
            return []
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    units = {
        r["id"]: Unit(
            id=r["id"],
            group=r["group"],
            kind=r["kind"],
            name=r["name"],
            code=r.get("code") or None,
            slug=r.get("slug") or None,
            official=r.get("official", "1") not in ("0", "false", "False", ""),
            valid_from=_d(r.get("valid_from")),
            valid_to=_d(r.get("valid_to")),
            organ_id=(r.get("organ_id") or "").strip() or None,
            position=i,
        )
        for i, r in enumerate(rows("units.csv"))
    }
    for r in rows("renames.csv"):
        units[r["unit_id"]].renames.append(Rename(r["name"], r["kind"], _required_day(r["valid_from"], "renames.csv")))
    for r in rows("aliases.csv"):
        units[r["unit_id"]].aliases.append(r["alias"])
    successions = [
        Succession(r["predecessor_id"], r["successor_id"], _required_day(r["effective"], "successions.csv"))
        for r in rows("successions.csv")
    ]
    for s in successions:
        if s.predecessor_id not in units or s.successor_id not in units:
            raise UserError(f"Dữ liệu kế thừa tham chiếu đơn vị không có: {s}")
    return Roster(list(units.values()), successions, groups)
