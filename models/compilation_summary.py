"""Versions of a cycle's compilation: what its inputs were (to tell whether anything changed),
what it said (stored with the version), and what changed from one version to the next."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from models.checks import Finding
from models.compilation import OVERALL, Compilation, format_total
from models.footnote import Footnote
from models.groups import OVERALL_LABEL


def _records(df: pd.DataFrame, columns: list[str]) -> list[dict]:
    if df.empty:
        return []
    plain = [_column(df[c]) for c in columns]  # column by column: a compilation has 10^5 rows
    return [dict(zip(columns, row, strict=True)) for row in zip(*plain, strict=True)]


def _column(series: pd.Series) -> list:
    """``_plain`` of every value, with shortcuts for the common kinds of column."""
    if not isinstance(series.dtype, np.dtype):  # text, categories: one array of objects, not item by item
        series = pd.Series(series.to_numpy(dtype=object), dtype=object)
    values = series.tolist()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":
        return values  # Python ints and bools, never missing
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        return [None if v != v else v for v in values]  # NaN is the only value unequal to itself
    return [v if type(v) is str else _plain(v) for v in values]


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, date):
        return v.isoformat()
    if hasattr(v, "item"):
        return _plain(v.item())
    return v


def inputs_hash(comp: Compilation, exemplary: Mapping[str, Sequence[str]], draft: Mapping | None = None) -> str:
    """Everything the compilation is made of: who is expected and their status, every version
    received (its content hash covers figures and texts), last year's figures, the catalogue
    and the draft's own data. The same inputs give the same hash, whatever the day."""
    previous_cols = [c for c in ("previous_value", "previous_reported", "previous_actual") if c in comp.totals]
    digest = hashlib.sha256()
    digest.update(json.dumps(dict(
        cycle=comp.cycle.id,
        window=[comp.cycle.window_start.isoformat(), comp.cycle.window_end.isoformat()],
        previous=comp.previous.cycle_id if comp.previous else None,
        catalogue=[asdict(i) for i in comp.indicators],
        exemplary={k: list(v) for k, v in sorted(exemplary.items())},
        **({"draft": dict(draft)} if draft and any(draft.values()) else {}),
    ), sort_keys=True, ensure_ascii=False, default=str).encode())
    _hash_frame(digest, comp.units, ["unit_id", "name", "group", "status", "received_on", "doc_number", "version",
                                     "exempt_reason"])
    _hash_frame(digest, comp.submissions, ["unit_id", "version", "content_hash", "is_draft", "received_on"])
    # (a review makes a new version: its content hash says whether the figures are still pending)
    _hash_frame(digest, comp.totals, ["indicator", "group", *previous_cols])
    # Names and groups of the comparison's units are those of the units, hashed above.
    _hash_frame(digest, comp.comparison, [c for c in comp.comparison.columns if c not in ("name", "group")])
    return digest.hexdigest()


def _hash_frame(digest, df: pd.DataFrame, columns: list[str]) -> None:
    """Feed ``columns`` of ``df`` to ``digest``, column by column (a comparison has 10^5 rows):
    numbers as their bytes, anything else as text, a missing value as a mark no text contains."""
    digest.update(f"\x1e{len(df)}".encode())
    for col in columns:
        series = df[col]
        digest.update(f"\x1d{col}".encode())
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iubf":
            numbers = series.to_numpy(dtype=float)
            digest.update(np.where(np.isnan(numbers), np.nan, numbers).astype("<f8").tobytes())
        else:
            digest.update("\x1f".join(["\x00" if v is None else v if type(v) is str else str(v)
                                       for v in _column(series)]).encode())


def summarise(comp: Compilation, findings: list[Finding], footnote: Footnote) -> dict:
    """What a version said, as stored with it (JSON)."""
    totals_cols = ["indicator", "label", "unit", "aggregation", "group", "value", "reported", "actual", "expected",
                   "approximate"] + [c for c in ("previous_value", "previous_reported") if c in comp.totals]
    return dict(
        cycle=comp.cycle.id,
        label=comp.cycle.label,
        as_of=comp.as_of.isoformat(),
        previous_cycle=comp.previous.cycle_id if comp.previous else None,
        groups=_records(comp.status.groups, list(comp.status.groups.columns)),
        units={r["unit_id"]: dict(name=r["name"], group=r["group"], status=r["status"], version=r["version"])
               for r in _records(comp.units, ["unit_id", "name", "group", "status", "version"])},
        totals=_records(comp.totals, totals_cols),
        footnote=footnote.text,
        findings=[f.to_dict() for f in findings],
        figures_pending=[r["name"] for r in _records(comp.units[comp.units["figures_pending"]], ["name"])],
    )


def diff_summaries(old: dict | None, new: dict, old_version: int | None) -> dict:
    """What changed from the previous version: units that reported since, units whose report
    was replaced by a new version, totals that moved, findings added or resolved."""
    if not old:
        return {}
    counted = ("on_time", "late")
    before, after = old["units"], new["units"]
    was = {u for u, r in before.items() if r["status"] in counted}
    now = {u for u, r in after.items() if r["status"] in counted}
    order = list(after)
    added = [after[u]["name"] for u in order if u in now - was]
    removed = [after.get(u, before[u])["name"] for u in list(before) if u in was - now]
    updated = [dict(name=after[u]["name"], before=before[u]["version"], after=after[u]["version"])
               for u in order if u in now & was and before[u]["version"] != after[u]["version"]]
    old_totals = {(t["indicator"], t["group"]): t for t in old["totals"]}
    labels = {g["group"]: g["group_label"] for g in new["groups"]} | {OVERALL: OVERALL_LABEL}
    totals = []
    for t in new["totals"]:
        o = old_totals.get((t["indicator"], t["group"]))
        if o is None or (o["value"], o["reported"]) != (t["value"], t["reported"]):
            totals.append(dict(indicator=t["indicator"], label=t["label"], unit=t["unit"], group=t["group"],
                               aggregation=t["aggregation"],
                               group_label=labels.get(t["group"], t["group"]),
                               before=o["value"] if o else None, after=t["value"],
                               reported_before=o["reported"] if o else 0, reported_after=t["reported"]))
    old_messages = {f["message"] + str(f["unit_id"]) for f in old["findings"]}
    new_messages = {f["message"] + str(f["unit_id"]) for f in new["findings"]}
    return dict(
        previous_version=old_version,
        units_added=added,
        units_removed=removed,
        units_updated=updated,
        totals_changed=totals,
        overall_changed=[t for t in totals if t["group"] == OVERALL],
        findings_added=[f for f in new["findings"] if f["message"] + str(f["unit_id"]) not in old_messages],
        findings_resolved=[f for f in old["findings"] if f["message"] + str(f["unit_id"]) not in new_messages],
    )


def change_clauses(changes: Mapping[str, Any], max_totals: int | None = None, *, totals_apart: bool = False) -> list[str]:
    """What a version changed from the one before (``diff_summaries``), one clause each, as they
    read inside a sentence: the digest joins them, the documents give each its line (capitalised).
    ``max_totals``: how many national totals to name before "và N chỉ tiêu khác"; ``totals_apart``:
    each national total a clause of its own (a document's list) rather than one "số liệu chung"."""
    out = []
    if changes.get("units_added"):
        out.append(f"thêm báo cáo của {len(changes['units_added'])} đơn vị: {', '.join(changes['units_added'])}")
    if changes.get("units_updated"):
        out.append("thay bằng bản mới báo cáo của " + ", ".join(
            f"{u['name']} (bản {u['before']} → bản {u['after']})" for u in changes["units_updated"]))
    if changes.get("units_removed"):
        out.append(f"không còn tính báo cáo của {', '.join(changes['units_removed'])}")
    overall = changes.get("overall_changed") or []
    if overall:
        shown = [f"{t['label']}: {format_total(t['before'], t['reported_before'], t['aggregation'])} "
                 f"({t['reported_before']} đơn vị) → {format_total(t['after'], t['reported_after'], t['aggregation'])} "
                 f"({t['reported_after']} đơn vị)" for t in overall[:max_totals]]
        more = len(overall) - len(shown)
        if totals_apart:
            out += shown + ([f"và {more} chỉ tiêu khác"] if more else [])
        else:
            out.append("số liệu chung thay đổi: " + "; ".join(shown) + (f" và {more} chỉ tiêu khác" if more else ""))
    if changes.get("findings_added"):
        out.append(f"{len(changes['findings_added'])} nội dung cần kiểm tra mới")
    if changes.get("findings_resolved"):
        out.append(f"{len(changes['findings_resolved'])} nội dung cần kiểm tra đã hết")
    return out or ["không thay đổi báo cáo nào được tính, chỉ thay đổi dữ liệu của dự thảo"]
