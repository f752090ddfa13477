"""The national compilation of one cycle, as DataFrames: totals per group and national with
their coverage, rates recomputed from summed parts, rankings of scores, the same period of the
previous year mapped to today's units, and every unit's words per section.

Rules:
- A unit's figures are those of its latest signed (non-draft) version received by ``as_of``
  (``models.versions``: the one definition, used by status, histories and here), and only units
  that count as having reported (on time or late; not exempted, not draft-only) are compiled.
- "Not reported" is not zero: a total carries ``reported`` (units that gave the figure, explicit
  zeros included) out of ``actual`` (units that reported at all), and ``expected``.
- A rate is recomputed from the summed numerator and denominator of the units that gave both,
  never averaged. ``list`` figures (scores, ranks) are ranked, never summed; ``context`` figures
  are kept per unit only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, or_, select
from sqlmodel import Session

from models import vnformat
from models.catalogue import STANDINGS, Indicator
from models.cycles import cycle_id_for, requests_of
from models.db import gc_paused, read_frame
from models.groups import OVERALL
from models.roster import Roster
from models.status import StatusReport, compute_status
from models.streams import Stream
from models.tables import CycleRow, RequestRow, SectionRow, SubmissionRow, ValueRow
from models.versions import current_versions
from models.workdays import WorkCalendar

REPORTED = ("on_time", "late")
VALUE_DTYPES = {"unit_id": "category", "version": int, "indicator": "category", "status": "category",
                "value": float, "approximate": bool, "raw": object}


@dataclass
class PreviousCycle:
    cycle_id: str
    label: str
    actual: dict[str, int]  # units that reported, per group and overall


@dataclass
class Compilation:
    cycle: CycleRow
    stream: Stream
    as_of: date
    indicators: list[Indicator]
    status: StatusReport
    units: pd.DataFrame  # status.units + footnote_name, doc_date, data_until, counted
    submissions: pd.DataFrame  # every version received by as_of
    values: pd.DataFrame  # long: the counted figures of the units that reported
    totals: pd.DataFrame  # one row per sum/rate indicator and group (central, provincial, overall)
    rankings: pd.DataFrame  # list indicators: one row per unit that gave the figure, ranked
    sections: pd.DataFrame  # the units' texts per section id
    previous: PreviousCycle | None
    comparison: pd.DataFrame  # per current unit and sum indicator: this period and the same period last year
    predecessors: dict[str, str]  # per current unit: last year's units that gave its figures, as named then
    requests: list[RequestRow]  # the cycle's request documents, oldest first

    def __post_init__(self) -> None:
        self._by_id = {i.id: i for i in self.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        return self._by_id[indicator_id]


# --- loading: one query per kind of data, for all units --------------------------------------
def load_values(session: Session, cycle_id: str, as_of: date, indicator_ids: list[str] | None = None,
                raw_for: Collection[str] = ()) -> pd.DataFrame:
    """The counted figures of ``cycle_id`` that were given (reported or explicitly zero), one row
    per unit and indicator; only those of ``indicator_ids`` when given. The figure as the unit
    wrote it (``raw``) is read for ``raw_for`` only: the scores and ranks listed as written.

    Units and indicators come back as categories: a compilation reads 10^5 figures, and grouping
    or matching that many strings again and again costs more than the query."""
    c, v = current_versions([cycle_id], as_of), ValueRow
    zero = v.status == "zero"
    # Both flags in one small integer: the driver builds an object per value read.
    flags = case((zero, 2), else_=0) + case((v.approximate, 1), else_=0)
    stmt = (select(v.submission_id, v.indicator_id, case((zero, 0.0), else_=v.value), flags)
            .select_from(c).join(v, v.submission_id == c.c.id)
            .where(or_(zero, and_(v.status == "reported", v.value.is_not(None)))))
    if indicator_ids is not None:
        stmt = stmt.where(v.indicator_id.in_(indicator_ids))
    rows = read_frame(session, stmt, ["submission_id", "indicator", "value", "flags"], plain=True)
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in VALUE_DTYPES.items()})
    flag = rows["flags"].to_numpy(dtype=np.int8)
    values = pd.DataFrame({
        **_counted_reports(session, c).of(rows["submission_id"]),
        "indicator": rows["indicator"].astype("category"),
        "status": pd.Categorical.from_codes(flag // 2, categories=["reported", "zero"]),
        "value": rows["value"].to_numpy(dtype=float),
        "approximate": (flag % 2).astype(bool),
        "raw": None,
    })
    if raw_for:
        written = read_frame(session, select(v.submission_id, v.indicator_id, v.raw).select_from(c).join(
            v, v.submission_id == c.c.id).where(v.indicator_id.in_(list(raw_for)), v.raw.is_not(None)),
            ["submission_id", "indicator", "raw"]).set_index(["submission_id", "indicator"])["raw"]
        at = values["indicator"].isin(raw_for).to_numpy()
        keys = pd.MultiIndex.from_arrays([rows["submission_id"][at], rows["indicator"][at]])
        values.loc[at, "raw"] = written.reindex(keys).astype(object).where(lambda r: r.notna(), None).to_numpy()
    return values


@dataclass
class _CountedReports:
    """The counted version of each unit's report, by submission id: figures and texts are read
    by id (a number) rather than by the unit's name on each of 10^5 rows."""

    reports: pd.DataFrame  # id, unit_id, version

    def of(self, submission_ids: pd.Series) -> dict:
        """The unit (as categories) and version of each row's report."""
        at = pd.Index(self.reports["id"]).get_indexer(submission_ids.to_numpy(dtype=np.int64))
        return {"unit_id": pd.Categorical.from_codes(at, categories=pd.Index(self.reports["unit_id"], dtype=object)),
                "version": self.reports["version"].to_numpy(dtype=np.int64)[at]}


def _counted_reports(session: Session, counted) -> _CountedReports:
    return _CountedReports(read_frame(session, select(counted.c.id, counted.c.unit_id, counted.c.version),
                                      ["id", "unit_id", "version"]))


def load_sections(session: Session, cycle_id: str, as_of: date) -> pd.DataFrame:
    c, t = current_versions([cycle_id], as_of), SectionRow
    stmt = select(t.submission_id, t.section_id, t.status, t.text).select_from(c).join(t, t.submission_id == c.c.id)
    rows = read_frame(session, stmt, ["submission_id", "section_id", "status", "text"], plain=True)
    if rows.empty:
        return pd.DataFrame(columns=["unit_id", "version", "section_id", "status", "text"])
    return pd.DataFrame({**_counted_reports(session, c).of(rows["submission_id"]),
                         "section_id": rows["section_id"].astype("category"),
                         "status": rows["status"].astype("category"), "text": rows["text"].to_numpy(dtype=object)})


def load_submissions(session: Session, cycle_id: str, as_of: date) -> pd.DataFrame:
    s = SubmissionRow
    stmt = select(s.unit_id, s.version, s.is_draft, s.received_on, s.doc_number, s.doc_date, s.data_until,
                  s.content_hash, s.figures_pending).where(s.cycle_id == cycle_id, s.received_on <= as_of).order_by(
        s.unit_id, s.version)
    return read_frame(session, stmt, [
        "unit_id", "version", "is_draft", "received_on", "doc_number", "doc_date", "data_until", "content_hash",
        "figures_pending"])


def previous_cycle_of(session: Session, cycle: CycleRow) -> CycleRow | None:
    """The same kind of cycle of the previous year, in the same stream (none for ad-hoc cycles)."""
    if cycle.kind not in ("half_year", "annual"):
        return None
    return session.get(CycleRow, cycle_id_for(cycle.stream_id, cycle.kind, cycle.year - 1))


# --- the compilation ---------------------------------------------------------------------------
def build_compilation(session: Session, cycle: CycleRow, roster: Roster, calendar: WorkCalendar,
                      stream: Stream, indicators: list[Indicator], as_of: date) -> Compilation:
    with gc_paused():
        return _build(session, cycle, roster, calendar, stream, indicators, as_of)


def _build(session: Session, cycle: CycleRow, roster: Roster, calendar: WorkCalendar,
           stream: Stream, indicators: list[Indicator], as_of: date) -> Compilation:
    status = compute_status(session, cycle, roster, calendar, as_of)
    previous_row = previous_cycle_of(session, cycle)
    all_values = load_values(session, cycle.id, as_of, raw_for=[i.id for i in indicators if i.aggregation in STANDINGS])
    submissions = load_submissions(session, cycle.id, as_of)
    units = _units(status, roster, cycle.reference_date, submissions)

    counted = set(units.loc[units["counted"], "unit_id"])
    groups = dict(zip(units["unit_id"], units["group"], strict=True))
    values = all_values[all_values["unit_id"].isin(counted)].copy()
    values["group"] = recode(values["unit_id"], groups)
    values = values.reset_index(drop=True)

    summary = status.groups.set_index("group")
    totals = compute_totals(values, indicators, summary["actual"].to_dict(), summary["expected"].to_dict(),
                            list(roster.groups))

    previous, comparison, predecessors = None, pd.DataFrame(), dict[str, str]()
    if previous_row is not None:
        prev_status = compute_status(session, previous_row, roster, calendar, as_of, reminders=False)
        prev_counted = set(prev_status.units_with(*REPORTED)["unit_id"])
        # Last year's figures serve only the totals and the comparison: sums and the parts of rates.
        summed = {i.id for i in indicators if i.aggregation == "sum"}
        summed |= {part for i in indicators if i.aggregation == "rate" for part in (*i.numerator, i.denominator) if part}
        prev = load_values(session, previous_row.id, as_of, sorted(summed))
        prev = prev[prev["unit_id"].isin(prev_counted)].copy()
        # Last year's units as they are on this cycle's reference date (2025: merged provinces).
        successor = {u: roster.successor_on(u, cycle.reference_date) for u in prev["unit_id"].cat.categories}
        prev["successor_id"] = recode(prev["unit_id"], successor)
        prev["group"] = recode(prev["successor_id"], {s: roster.get(s).group for s in set(successor.values())})
        prev_summary = prev_status.groups.set_index("group")
        prev_actual = {k: int(v) for k, v in prev_summary["actual"].items()}
        previous = PreviousCycle(previous_row.id, previous_row.label, prev_actual)
        prev_totals = compute_totals(prev, indicators, prev_actual, prev_summary["expected"].to_dict(),
                                     list(roster.groups))
        totals = totals.merge(
            prev_totals[["indicator", "group", "value", "reported", "actual"]].rename(columns={
                "value": "previous_value", "reported": "previous_reported", "actual": "previous_actual"}),
            on=["indicator", "group"], how="left")
        comparison, predecessors = _comparison(values, prev, indicators, units, roster, previous_row.reference_date)

    sections = load_sections(session, cycle.id, as_of)
    sections = sections[sections["unit_id"].isin(counted)].copy()
    return Compilation(
        cycle=cycle, stream=stream, as_of=as_of, indicators=indicators, status=status, units=units,
        submissions=submissions, values=values, totals=totals, rankings=compute_rankings(values, indicators, units),
        sections=_order_sections(sections, stream, units), previous=previous, comparison=comparison,
        predecessors=predecessors,
        requests=requests_of(session, cycle.id),
    )


def _units(status: StatusReport, roster: Roster, reference: date, submissions: pd.DataFrame) -> pd.DataFrame:
    units = status.units.copy()
    units["footnote_name"] = [roster.get(u).short_name(reference) for u in units["unit_id"]]
    units["counted"] = units["status"].isin(REPORTED)
    counted = submissions[~submissions["is_draft"].astype(bool)]
    latest = counted.drop_duplicates("unit_id", keep="last").set_index("unit_id")  # ordered by version
    units["doc_date"] = units["unit_id"].map(latest["doc_date"]).where(units["counted"], None)
    units["data_until"] = units["unit_id"].map(latest["data_until"]).where(units["counted"], None)
    # A prose report whose figures a coordinator has not reviewed yet: counted, its figures not.
    pending = latest.index[latest["figures_pending"].astype(bool)]
    units["figures_pending"] = units["unit_id"].isin(pending) & units["counted"]
    units["order"] = range(len(units))  # the official order
    return units


def compute_totals(values: pd.DataFrame, indicators: list[Indicator], actual: dict, expected: dict,
                   groups: list[str]) -> pd.DataFrame:
    """Totals per group and overall of ``values`` (long: unit_id, group, indicator, status,
    value, approximate; one row per unit and figure). ``actual``/``expected``: units that
    reported / were expected, per group; ``groups``: the collector's groups in official order."""
    sum_ids = [i.id for i in indicators if i.aggregation == "sum"]
    rates = [i for i in indicators if i.aggregation == "rate"]
    rows = values[values["indicator"].isin(sum_ids)]
    rows = pd.DataFrame({"indicator": rows["indicator"], "group": rows["group"], "value": rows["value"],
                         "zero": rows["status"] == "zero", "approximate": rows["approximate"]})
    how = dict(value=("value", "sum"), reported=("value", "size"), zero=("zero", "sum"),
               approximate=("approximate", "any"))
    parts = [rows.groupby(["indicator", "group"], observed=True).agg(**how).reset_index(),
             rows.groupby("indicator", observed=True).agg(**how).reset_index().assign(group=OVERALL)]
    if rates:
        rate_parts = sorted({p for r in rates for p in (*r.numerator, r.denominator) if p})
        given = values[values["indicator"].isin(rate_parts)]
        units = given.drop_duplicates("unit_id")
        unit_ids = units["unit_id"].astype(str).tolist()
        wide = figure_grid(given, unit_ids, rate_parts)
        approx = figure_grid(given, unit_ids, rate_parts, "approximate")
        unit_group = units["group"].astype(str).to_numpy()
        parts.extend(_rate_totals(wide, approx, unit_group, rate) for rate in rates)
    compiled = [i.id for i in indicators if i.aggregation in ("sum", "rate")]
    grid = pd.MultiIndex.from_product([compiled, [*groups, OVERALL]], names=["indicator", "group"])
    totals = pd.concat([p.astype({"indicator": str, "group": str}) for p in parts if len(p)] or [pd.DataFrame(
        columns=["indicator", "group", "value", "reported", "zero", "approximate"])], ignore_index=True)
    totals = totals.set_index(["indicator", "group"]).reindex(grid).reset_index()
    for col in ("reported", "zero"):
        totals[col] = totals[col].fillna(0).astype(int)
    totals["approximate"] = totals["approximate"].fillna(False).astype(bool)
    totals["actual"] = [int(actual.get(g, 0)) for g in totals["group"]]
    totals["expected"] = [int(expected.get(g, 0)) for g in totals["group"]]
    meta = {i.id: i for i in indicators}
    for col in ("label", "unit", "section", "aggregation"):
        totals[col] = [getattr(meta[i], col) for i in totals["indicator"]]
    return totals


def _rate_totals(wide: pd.DataFrame, approx: pd.DataFrame, unit_group, rate: Indicator) -> pd.DataFrame:
    """numerator/denominator summed over the units that gave every part; rate in percent.
    ``wide``/``approx``: value and approximate flag of each unit and rate part (NaN: not given);
    ``unit_group``: each row's group."""
    needed = [*rate.numerator, rate.denominator]
    complete = wide[needed].notna().all(axis=1).to_numpy()
    given = pd.DataFrame({
        "group": unit_group[complete],
        "numerator": wide[list(rate.numerator)].to_numpy()[complete].sum(axis=1),
        "denominator": wide[rate.denominator].to_numpy()[complete],
        "approximate": (approx[needed].to_numpy()[complete] > 0).any(axis=1),
    })
    how = dict(numerator=("numerator", "sum"), denominator=("denominator", "sum"), reported=("numerator", "size"),
               approximate=("approximate", "any"))
    out = pd.concat([given.groupby("group").agg(**how).reset_index(),
                     given.assign(group=OVERALL).groupby("group").agg(**how).reset_index()],  # no call per row
                    ignore_index=True)
    out["value"] = (100 * out["numerator"] / out["denominator"]).where(out["denominator"] > 0)
    out["indicator"], out["zero"] = rate.id, 0
    return out[["indicator", "group", "value", "reported", "zero", "approximate", "numerator", "denominator"]]


def compute_rankings(values: pd.DataFrame, indicators: list[Indicator], units: pd.DataFrame) -> pd.DataFrame:
    """Scores and ranks per unit, never summed: the best first (the highest score, the lowest rank)."""
    order = dict(zip(units["unit_id"], units["order"], strict=True))
    names = dict(zip(units["unit_id"], units["name"], strict=True))
    frames = []
    for ind in (i for i in indicators if i.aggregation in STANDINGS):
        part = values[values["indicator"] == ind.id].copy()
        if part.empty:
            continue
        ascending = ind.aggregation == "rank"
        part["rank"] = part["value"].rank(method="min", ascending=ascending).astype(int)
        part["order"] = part["unit_id"].map(order)
        part["name"] = part["unit_id"].map(names)
        frames.append(part.sort_values(["rank", "order"]))
    columns = ["indicator", "unit_id", "name", "group", "value", "raw", "approximate", "version", "rank"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def recode(keys: pd.Series, mapping: dict) -> pd.Categorical:
    """``keys`` (categories) mapped through ``mapping``, as categories: each category is mapped
    once, not each of 10^5 rows."""
    categories = keys.cat.categories
    mapped = pd.Index([mapping.get(k) for k in categories], dtype=object)
    labels = pd.Index(pd.unique(mapped.dropna()), dtype=object)
    codes = np.append(labels.get_indexer(mapped), -1)  # the last: a missing key stays missing
    return pd.Categorical.from_codes(codes[keys.cat.codes.to_numpy()], categories=labels)


def figure_grid(values: pd.DataFrame, index: Sequence[str], columns: Sequence[str], field: str = "value"
                ) -> pd.DataFrame:
    """The figures of ``values`` (long: unit_id, indicator, value; one row per pair) as a matrix
    of ``index`` units by ``columns`` indicators, NaN where not given (``field``: another column
    than the value, such as the approximate flag). Built by position, which is instant where a
    pivot of 10^5 rows is not."""
    rows = pd.Index(index).get_indexer(values["unit_id"])
    cols = pd.Index(columns).get_indexer(values["indicator"])
    keep = (rows >= 0) & (cols >= 0)
    grid = np.full((len(index), len(columns)), np.nan)
    grid[rows[keep], cols[keep]] = values[field].to_numpy(dtype=float)[keep]
    return pd.DataFrame(grid, index=pd.Index(index, name="unit_id"), columns=pd.Index(columns, name="indicator"))


def _comparison(values: pd.DataFrame, prev: pd.DataFrame, indicators: list[Indicator], units: pd.DataFrame,
                roster: Roster, prev_reference: date) -> tuple[pd.DataFrame, dict[str, str]]:
    """Per current unit: this period's figure and its predecessors' figure of the same period last
    year, in the official order of units and the catalogue's order of figures; and per current
    unit, the predecessors that gave any of them."""
    sum_ids = [i.id for i in indicators if i.aggregation == "sum"]
    unit_ids = units["unit_id"].tolist()
    current = figure_grid(values, unit_ids, sum_ids).to_numpy()
    last = prev[prev["indicator"].isin(sum_ids) & prev["successor_id"].isin(unit_ids)]
    # Last year's figure of a successor: the sum over its predecessors that gave it.
    rows = pd.Index(unit_ids).get_indexer(last["successor_id"])
    cols = pd.Index(sum_ids).get_indexer(last["indicator"])
    total, given = np.zeros(current.shape), np.zeros(current.shape, dtype=int)
    np.add.at(total, (rows, cols), last["value"].to_numpy(dtype=float))
    np.add.at(given, (rows, cols), 1)
    previous = np.where(given > 0, total, np.nan)

    n_units, n_ids = current.shape
    keep = (~np.isnan(current) | (given > 0)).ravel()
    at_unit = np.repeat(np.arange(n_units), n_ids)[keep]
    at_indicator = np.tile(np.arange(n_ids), n_units)[keep]
    # Categories and plain objects: a column of 10^5 strings is checked string by string.
    out = pd.DataFrame({
        "unit_id": pd.Categorical.from_codes(at_unit, categories=pd.Index(unit_ids, dtype=object)),
        "name": pd.Series(units["name"].to_numpy(dtype=object)[at_unit], dtype=object),
        "group": pd.Series(units["group"].to_numpy(dtype=object)[at_unit], dtype=object),
        "indicator": pd.Categorical.from_codes(at_indicator, categories=pd.Index(sum_ids, dtype=object)),
        "current": current.ravel()[keep],
        "previous": previous.ravel()[keep],
    })
    names, by_unit = _predecessor_names(last, roster, prev_reference, out)
    out["predecessors"] = np.where(out["previous"].notna(), names, None)
    return out, by_unit


def _predecessor_names(last: pd.DataFrame, roster: Roster, prev_reference: date,
                       out: pd.DataFrame) -> tuple[np.ndarray, dict[str, str]]:
    """Who gave last year's figure of each row of ``out``, named as they were then; and who gave
    any of them, per successor. A successor of merged units names every predecessor, in the
    order of their ids."""
    pairs = last.drop_duplicates("unit_id")[["successor_id", "unit_id"]].astype(str)  # a unit has one successor
    names = {u: roster.get(u).name_on(prev_reference) for u in pairs["unit_id"]}
    by_unit = dict(zip(pairs["successor_id"], pairs["unit_id"].map(names), strict=True))
    merged = pairs[pairs["successor_id"].duplicated(keep=False)]
    for successor, ids in merged.groupby("successor_id")["unit_id"]:
        by_unit[successor] = ", ".join(names[u] for u in sorted(ids))
    result = np.array(out["unit_id"].map(by_unit), dtype=object)  # a copy: pandas arrays are read-only
    if len(merged):
        # Of a merged successor, each figure names only the predecessors that gave it.
        several = last[last["successor_id"].isin(set(merged["successor_id"]))].astype(
            {"successor_id": str, "indicator": str, "unit_id": str})
        givers: dict[tuple[str, str], set[str]] = {}
        for key in zip(several["successor_id"], several["indicator"], several["unit_id"], strict=True):
            givers.setdefault(key[:2], set()).add(key[2])
        listed = pd.Series([", ".join(names[u] for u in sorted(ids)) for ids in givers.values()],
                           index=pd.MultiIndex.from_tuples(list(givers)), dtype=object)
        at = out["unit_id"].isin(set(merged["successor_id"])).to_numpy()
        keys = pd.MultiIndex.from_arrays([out["unit_id"].astype(str)[at], out["indicator"].astype(str)[at]])
        result[at] = listed.reindex(keys).to_numpy()
    return result, by_unit


def _order_sections(sections: pd.DataFrame, stream: Stream, units: pd.DataFrame) -> pd.DataFrame:
    position = {s.id: n for n, s in enumerate(stream.sections)}
    meta = units.set_index("unit_id")
    sections["name"] = sections["unit_id"].map(meta["name"])
    sections["group"] = sections["unit_id"].map(meta["group"])
    sections["order"] = sections["unit_id"].map(meta["order"])
    sections["position"] = sections["section_id"].map(position).fillna(len(position))
    ordered = sections.sort_values(["position", "section_id", "order"])
    return ordered[["section_id", "unit_id", "name", "group", "version", "status", "text"]].reset_index(drop=True)


# --- how a total reads -------------------------------------------------------------------------
def format_total(value, reported: int, aggregation: str, approximate: bool = False) -> str:
    """A total as the report writes it: "22.153", "81,67%", "khoảng 1.200"; "chưa có số liệu"
    when no unit gave the figure (not reported is not zero)."""
    if not reported:
        return "chưa có số liệu"
    if value is None or pd.isna(value):
        return "không tính được (mẫu số bằng 0)"
    text = vnformat.percent(value) if aggregation == "rate" else vnformat.number(value)
    return f"khoảng {text}" if approximate else text


def coverage(reported: int, actual: int) -> str:
    """"12/62": units that gave the figure / units that reported."""
    return f"{int(reported)}/{int(actual)}"


def indicator_title(ind: Indicator) -> str:
    """"Số lượt tiếp công dân (lượt)"; a label that already names its unit keeps it once."""
    suffix = f"({ind.unit})"
    return ind.label if ind.label.endswith(suffix) else f"{ind.label} {suffix}"
