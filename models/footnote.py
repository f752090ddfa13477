"""The footnote on "Trên cơ sở báo cáo của các bộ, ngành và địa phương¹": who reported and who
did not, per group, counted and named from the status so that the two can never disagree.

Seed 000's hand-typed footnote announced "53/60 địa phương" for 63 provinces and 21 non-reporting
central units while naming 20; here every count is the length of the list it announces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.groups import Group
from models.text import vietnamese_sort_key
from models.vnformat import count

REPORTED = ("on_time", "late")
NOT_REPORTED = ("missing", "not_due", "draft_only")


@dataclass
class GroupLine:
    group: str
    label: str
    expected: int  # exempted units left out
    reported: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    exempted: list[str] = field(default_factory=list)


@dataclass
class Footnote:
    groups: list[GroupLine]
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def to_dict(self) -> dict:
        return dict(text=self.text, groups=[g.__dict__ for g in self.groups])


def join_names(names: list[str]) -> str:
    """Names separated by commas, or by semicolons when a name holds a comma itself
    ("Bộ Văn hóa, Thể thao và Du lịch"), so that a reader can count them."""
    return ("; " if any("," in n for n in names) else ", ").join(names)


def build_footnote(units: pd.DataFrame, words: dict[str, Group]) -> Footnote:
    """``units``: one row per expected unit in official order, with ``group``, ``status``,
    ``footnote_name`` and ``exempt_reason`` (compute_status's units plus the footnote name)."""
    groups = []
    for group, group_words in words.items():
        part = units[units["group"] == group]
        if part.empty:
            continue
        line = GroupLine(group, group_words.label, int((part["status"] != "exempted").sum()))
        for r in part.itertuples():
            if r.status in REPORTED:
                line.reported.append(r.footnote_name)
            elif r.status == "exempted":
                reason = f" ({r.exempt_reason})" if r.exempt_reason else ""
                line.exempted.append(f"{r.footnote_name}{reason}")
            else:
                note = " (mới gửi dự thảo)" if r.status == "draft_only" else ""
                line.missing.append(f"{r.footnote_name}{note}")
        if group_words.alphabetical:
            for names in (line.reported, line.missing, line.exempted):
                names.sort(key=vietnamese_sort_key)
        groups.append(line)

    heads = []
    for g in groups:
        n = count(len(g.reported))
        heads.append(f"{n}/{count(g.expected)} {g.label}" if words[g.group].out_of else f"{n} {g.label}")
    lines = [" và ".join(heads)]
    for g in groups:
        if g.missing:
            lines.append(f"- {count(len(g.missing))} {g.label} chưa có báo cáo gồm: {join_names(g.missing)}.")
    for g in groups:
        if g.exempted:
            lines.append(f"- {count(len(g.exempted))} {g.label} được miễn báo cáo: {join_names(g.exempted)}.")
    return Footnote(groups, lines)
