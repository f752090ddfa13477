"""The groups a collector's units fall into, and the words its documents use for each.

Bộ Nội vụ collects from "bộ, ngành" and "địa phương"; a Sở Nội vụ from "sở, ban, ngành" and
"xã, phường". Nothing about them is written in code: each collector's ``calendar.yaml`` lists its
groups in official order (the order of every table, list and footnote) with their words.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Group(BaseModel):
    id: str = ""
    # The plural as a sentence writes it after a count or "các": "09 bộ, ngành", "các xã, phường".
    label: str = Field(min_length=1, max_length=64)
    # Whether the footnote counts it against the expected number ("53/63 địa phương") or not
    # ("09 bộ, ngành"), as the national report does.
    out_of: bool = False
    # Generic words at the start of a name that the footnote drops ("Tỉnh Lào Cai" → "Lào Cai").
    short_drop: list[str] = []
    # Generic words written in lower case inside a sentence ("tỉnh An Giang", "xã Tân Lập").
    generic: list[str] = []
    # Names whose generic word keeps its capital (Nghị định 30/2020, Phụ lục II).
    capitalised: list[str] = []
    # Whether the footnote lists the group's names alphabetically ("An Giang, Gia Lai, Hà Nội")
    # rather than in official order, as the national report lists the provinces.
    alphabetical: bool = False
    # The body a letter is addressed to, before the unit's name ("Ủy ban nhân dân tỉnh An Giang").
    addressed_via: str = ""

    @property
    def title(self) -> str:
        return heading(self.label)

    def short_name(self, name: str) -> str:
        for word in self.short_drop:
            if name.startswith(word):
                return name[len(word):]
        return name

    def in_text(self, name: str) -> str:
        if name in self.capitalised:
            return name
        for word in self.generic:
            if name.startswith(word):
                return word.lower() + name[len(word):]
        return name

    def addressee(self, name: str) -> str:
        return f"{self.addressed_via} {self.in_text(name)}" if self.addressed_via else name


def heading(label: str) -> str:
    """A group's label as a column or sheet heading: "Bộ, ngành", "Xã, phường", "Tổng cộng"."""
    return label[:1].upper() + label[1:]


OVERALL = "overall"
OVERALL_LABEL = "tổng cộng"


def group_labels(groups: dict[str, Group]) -> dict[str, str]:
    """Each group's label, and the overall row's ("tổng cộng"), in official order."""
    return {**{g: x.label for g, x in groups.items()}, OVERALL: OVERALL_LABEL}


def groups_phrase(labels: list[str]) -> str:
    """Groups as a sentence names them: "các bộ, ngành và địa phương"."""
    if not labels:
        return ""
    return "các " + (" và ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else labels[0])


def plain_groups(ids: list[str]) -> dict[str, Group]:
    """Groups known only by their ids (a roster read without its calendar, as in some tests)."""
    return {g: Group(id=g, label=g) for g in ids}
