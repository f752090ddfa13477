"""The sentences each section of the compiled draft opens with, written from the totals in the
patterns of the real national report (seed 000):

- a total with its coverage and its splits: "Năm 2023, theo số liệu của 5/62 cơ quan, đơn vị đã gửi
  báo cáo, số lượt tiếp công dân là 803 lượt (trong đó: các bộ, ngành 223 lượt; các địa phương 580 lượt)";
- the change on last year's cycle where it exists: "(tăng 3,7% so với năm 2022)";
- rates recomputed from the summed parts: "đạt 79% (1.234/1.562 vụ việc)";
- a national figure entered from its source, with the footnote "Số liệu từ …", beside the units' sum;
- "Tiêu biểu như: …; các địa phương: …" from the drafter's exemplary units or else the highest values;
- scores and ranks by group, the top and the bottom, never a table of every unit;
- a marked placeholder where only a person can write.

Pure: the Word writer lays the sentences out, the tests read them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.catalogue import STANDINGS
from models.compilation import OVERALL, Compilation
from models.footnote import join_names
from models.groups import heading
from models.national import NationalFigure
from models.text import lower_first
from models.vnformat import change, number, percent

TOP = 3  # units named as "Tiêu biểu", and at each end of a score's ranking
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "[", "]"


@dataclass
class Sentence:
    text: str
    notes: list[str] = field(default_factory=list)  # footnote lines, attached at the sentence's end
    placeholder: bool = False  # for the drafter to write: shown marked, never signed as it is


def placeholder(text: str) -> Sentence:
    return Sentence(f"{PLACEHOLDER_OPEN}{text}{PLACEHOLDER_CLOSE}", placeholder=True)


def groups(comp: Compilation) -> dict[str, str]:
    """The collector's groups in official order, each with its words ("bộ, ngành")."""
    return {g: label for g, label in comp.status.labels.items() if g != OVERALL}


def period(comp: Compilation) -> str:
    """"Năm 2023", "6 tháng đầu năm 2024": how a sentence of the report begins."""
    return heading(comp.cycle.label)


def _bare(ind) -> str:
    """The label in a sentence, without the unit it names in brackets: "tiếp thường xuyên 163 lượt"."""
    label = ind.label.removesuffix(f" ({ind.unit})") if ind.unit else ind.label
    return lower_first(label)


def _amount(value: float, unit: str) -> str:
    return f"{number(value)} {unit}".strip()


def _change(comp: Compilation, t) -> str:
    if comp.previous is None or not t["reported"] or not t.get("previous_reported"):
        return ""
    moved = change(t["value"], t["previous_value"])
    if not moved:
        return ""
    return f"{moved} so với {comp.previous.label}" if moved != "bằng cùng kỳ" else f"bằng cùng kỳ {comp.previous.label}"


def _reporters(t) -> str:
    return f"theo số liệu của {int(t['reported'])}/{int(t['actual'])} cơ quan, đơn vị đã gửi báo cáo"


def section_sentences(comp: Compilation, section_id: str, *, national: list[NationalFigure] | None = None,
                      exemplary: dict[str, list[str]] | None = None) -> list[Sentence]:
    national = [f for f in national or [] if f.section == section_id]
    by_indicator = {f.indicator: f for f in national if f.indicator}
    totals = comp.totals.set_index(["indicator", "group"]) if len(comp.totals) else None
    out: list[Sentence] = []
    inds = [i for i in comp.indicators if i.section == section_id]
    for ind in (i for i in inds if i.aggregation == "sum" and not i.part_of):
        t = totals.loc[(ind.id, OVERALL)] if totals is not None else None
        figure = by_indicator.get(ind.id)
        if figure is not None:
            out.append(national_sentence(comp, figure, t))
        elif t is not None and t["reported"]:
            out.append(total_sentence(comp, ind, t, totals, [i for i in inds if i.part_of == ind.id]))
    for ind in (i for i in inds if i.aggregation == "rate"):
        t = totals.loc[(ind.id, OVERALL)] if totals is not None else None
        if t is not None and t["reported"] and not pd.isna(t["value"]):
            out.append(rate_sentence(comp, ind, t, totals))
    out += [national_sentence(comp, f, None) for f in national if not f.indicator]
    names = exemplary or {}
    if any(names.values()):
        out.append(Sentence(exemplary_text(names, groups(comp))))
    else:
        top = highest(comp, section_id)
        if top:
            out.append(Sentence(top))
    out += ranking_sentences(comp, section_id)
    return out


def total_sentence(comp: Compilation, ind, t, totals, parts) -> Sentence:
    """The total with its coverage, then "trong đó" its parts when every unit that gave the total
    gave them too, or else the groups' shares, the parts following with their own coverage:
    parts given by a few units never read as a split of the whole."""
    text = f"{period(comp)}, {_reporters(t)}, {_bare(ind)} là {_amount(t['value'], ind.unit)}"
    given = [(p, totals.loc[(p.id, OVERALL)]) for p in parts]
    given = [(p, pt) for p, pt in given if pt["reported"]]
    split = "; ".join(f"{_bare(p)} {_amount(pt['value'], p.unit)}" for p, pt in given)
    if given and all(pt["reported"] == t["reported"] for _, pt in given):
        text += f" (trong đó: {split})"
    else:
        shares = [(label, totals.loc[(ind.id, g)]) for g, label in groups(comp).items()]
        if len(shares) > 1 and all(gt["reported"] for _, gt in shares):
            text += " (trong đó: " + "; ".join(f"các {label} {_amount(gt['value'], ind.unit)}"
                                               for label, gt in shares) + ")"
        if given:
            most = max(int(pt["reported"]) for _, pt in given)
            text += f" (chi tiết theo số liệu của {most}/{int(t['actual'])} cơ quan, đơn vị: {split})"
    moved = _change(comp, t)
    if moved:
        text += f" ({moved})"
    return Sentence(text + ".")


def rate_sentence(comp: Compilation, ind, t, totals=None) -> Sentence:
    """The rate recomputed from the summed parts, then each group's own rate when every group has
    one ("tại các bộ, ngành đạt 40,09%; tại các địa phương đạt 69,19%", as seed 000 writes it)."""
    text = f"{period(comp)}, {_bare(ind)} đạt {percent(t['value'])}"
    if not pd.isna(t.get("numerator")) and not pd.isna(t.get("denominator")):
        den = comp.indicator(ind.denominator) if ind.denominator else None
        text += f" ({number(t['numerator'])}/{number(t['denominator'])}{' ' + den.unit if den else ''}"
        text += f"; tính lại từ số liệu của {int(t['reported'])}/{int(t['actual'])} cơ quan, đơn vị)"
    shares = [(label, totals.loc[(ind.id, g)]) for g, label in groups(comp).items()
              if totals is not None and (ind.id, g) in totals.index]
    if len(shares) > 1 and all(gt["reported"] and not pd.isna(gt["value"]) for _, gt in shares):
        text += ", trong đó " + "; ".join(f"tại các {label} đạt {percent(gt['value'])}" for label, gt in shares)
    moved = _change(comp, t)
    if moved:
        text += f" ({moved})"
    return Sentence(text + ".")


def national_sentence(comp: Compilation, f: NationalFigure, t) -> Sentence:
    """"Năm 2023, cả nước có 6.348 thủ tục hành chính … (trong đó: …)¹", the footnote naming the
    source; the units' own sum of the same indicator beside it."""
    label = lower_first(f.label.removesuffix(f" ({f.unit})") if f.unit else f.label)
    counted = label.removeprefix("số ")
    if counted != label and f.unit and counted.startswith(f.unit):  # "số vụ chuyển …", unit "vụ"
        text = f"{period(comp)}, cả nước có {number(f.value)} {counted}"
    else:
        text = f"{period(comp)}, {label} trên cả nước là {_amount(f.value, f.unit)}"
    if f.parts:
        text += " (trong đó: " + "; ".join(f"{k} {_amount(v, f.unit)}" for k, v in f.parts) + ")"
    if t is not None and t["reported"]:
        text += f"; {_reporters(t)}, tổng số là {_amount(t['value'], f.unit)}"
    return Sentence(text + ".", notes=[f"Số liệu từ {f.source}."])


def exemplary_text(names: dict[str, list[str]], labels: dict[str, str]) -> str:
    """"Tiêu biểu như: Bộ A, Bộ B; các địa phương: X, Y." — the first group's names plainly, the
    others after their words, as the national report writes it."""
    parts: list[str] = []
    first = next(iter(labels), None)
    for group, label in labels.items():
        listed = names.get(group) or []
        if listed:
            parts.append(join_names(listed) if not parts and group == first else f"các {label}: " + join_names(listed))
    lead = "Tiêu biểu như: " if first is not None and names.get(first) else "Tiêu biểu như "  # never "như: các địa phương: …"
    return lead + "; ".join(parts) + "."


def highest(comp: Compilation, section_id: str) -> str:
    """"Tiêu biểu như: <the units with the highest value of the section's first total>"."""
    ind = next((i for i in comp.indicators if i.section == section_id and i.aggregation == "sum"
                and not i.part_of), None)
    if ind is None:
        return ""
    rows = comp.values[(comp.values["indicator"] == ind.id) & (comp.values["value"] > 0)]
    if rows.empty:
        return ""
    units = comp.units.set_index("unit_id")
    names: dict[str, list[str]] = {}
    for group in groups(comp):
        best = rows[rows["group"] == group].sort_values("value", ascending=False, kind="stable").head(TOP)
        names[group] = [f"{units.loc[r.unit_id, 'footnote_name']} ({_amount(r.value, ind.unit)})"
                        for r in best.itertuples()]
    return exemplary_text(names, groups(comp))[:-1] + f" ({_bare(ind)} cao nhất)."


def _ranked(names: pd.Series, r) -> str:
    """"Cà Mau (30/63)": the unit and its score or rank as it wrote it."""
    value = r.raw if isinstance(r.raw, str) and r.raw.strip() else number(r.value)
    return f"{names[r.unit_id]} ({value})"


def topic(label: str) -> str:
    """An indicator's label as the topic of a sentence: "Chỉ số PAPI: xếp hạng" becomes "xếp hạng chỉ
    số PAPI", so that the sentence's own colon is the only one ("Về chỉ số PAPI: xếp hạng: …" misreads)."""
    head, sep, tail = lower_first(label).partition(": ")
    return f"{lower_first(tail)} {head}" if sep and tail and ": " not in tail else lower_first(label)


def ranking_sentences(comp: Compilation, section_id: str) -> list[Sentence]:
    out = []
    names = comp.units.set_index("unit_id")["footnote_name"]
    for ind in (i for i in comp.indicators if i.section == section_id and i.aggregation in STANDINGS):
        rows = comp.rankings[comp.rankings["indicator"] == ind.id]
        if rows.empty:
            continue
        parts = []
        for group, label in groups(comp).items():
            g = rows[rows["group"] == group]
            if g.empty:
                continue
            top = [_ranked(names, r) for r in g.head(TOP).itertuples()]
            if len(g) == 1:  # one unit leads nobody: "dẫn đầu là An Giang (63/63)" would misread its place
                parts.append(f"các {label} chỉ có số liệu của {top[0]}")
                continue
            if len(g) <= TOP:  # every unit is named: the last of them does not lead
                parts.append(f"các {label} ({len(g)} đơn vị có số liệu) theo thứ tự là {join_names(top)}")
                continue
            text = f"các {label} ({len(g)} đơn vị có số liệu) dẫn đầu là {join_names(top)}"
            if len(g) > 2 * TOP:
                bottom = [_ranked(names, r) for r in g.tail(TOP).itertuples()]
                text += f"; thấp nhất là {join_names(bottom)}"
            parts.append(text)
        out.append(Sentence(f"Về {topic(ind.label)}: {'; '.join(parts)}."))
    return out
