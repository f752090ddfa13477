"""The national compilation of one cycle, as DataFrames: totals per group and national with
their coverage, rates recomputed from summed parts, rankings of scores, the same period of the
previous year mapped to today's units, and every unit's words per section.

Rules:
- A unit's figures are those of its latest signed (non-draft) version received by ``as_of``
  (``counted_versions``: the one definition, used for figures and texts alike), and only units
  that count as having reported (on time or late; not exempted, not draft-only) are compiled.
- "Not reported" is not zero: a total carries ``reported`` (units that gave the figure, explicit
  zeros included) out of ``actual`` (units that reported at all), and ``expected``.
- A rate is recomputed from the summed numerator and denominator of the units that gave both,
  never averaged. ``list`` figures (scores, ranks) are ranked, never summed; ``context`` figures
  are kept per unit only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Integer, and_, func, select, type_coerce
from sqlmodel import Session

from models import vnformat
from models.catalogue import Indicator
from models.cycles import cycle_id_for, requests_of
from models.db import read_frame
from models.roster import GROUPS, Roster
from models.status import StatusReport, compute_status
from models.streams import Stream
from models.tables import CycleRow, RequestRow, SectionRow, SubmissionRow, ValueRow
from models.workdays import WorkCalendar

OVERALL = "overall"
GROUP_LABELS = {**GROUPS, OVERALL: "tổng cộng"}
REPORTED = ("on_time", "late")
RANK_UNITS = {"hạng"}  # a rank: the lower, the better
VALUE_COLUMNS = ["cycle_id", "unit_id", "version", "indicator", "status", "value", "approximate", "raw"]


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
    requests: list[RequestRow]  # the cycle's request documents, oldest first

    def __post_init__(self) -> None:
        self._by_id = {i.id: i for i in self.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        return self._by_id[indicator_id]


# --- loading: one query per kind of data, for all units --------------------------------------
def counted_versions(cycle_ids: list[str], as_of: date):
    """The version of each unit's report whose figures count: its latest signed (non-draft)
    version received by ``as_of``."""
    s = SubmissionRow
    latest = (
        select(s.cycle_id, s.unit_id, func.max(s.version).label("version"))
        .where(s.cycle_id.in_(cycle_ids), s.is_draft.is_(False), s.received_on <= as_of)
        .group_by(s.cycle_id, s.unit_id)
        .subquery("latest")
    )
    return (
        select(s.id, s.cycle_id, s.unit_id, s.version)
        .join(latest, and_(s.cycle_id == latest.c.cycle_id, s.unit_id == latest.c.unit_id,
                           s.version == latest.c.version))
        .subquery("counted")
    )


def load_values(session: Session, cycle_ids: list[str], as_of: date,
                indicator_ids: list[str] | None = None) -> pd.DataFrame:
    """The counted figures of ``cycle_ids`` that were given (reported or explicitly zero), one
    row per unit and indicator; only those of ``indicator_ids`` when given."""
    c, v = counted_versions(cycle_ids, as_of), ValueRow
    # The flag as a plain integer: converting 10^5 booleans one by one costs more than the query.
    approximate = type_coerce(v.approximate, Integer).label("approximate")
    stmt = select(c.c.cycle_id, c.c.unit_id, c.c.version, v.indicator_id, v.status, v.value, approximate, v.raw
                  ).select_from(c).join(v, v.submission_id == c.c.id).where(v.status.in_(["reported", "zero"]))
    if indicator_ids is not None:
        stmt = stmt.where(v.indicator_id.in_(indicator_ids))
    df = read_frame(session, stmt, VALUE_COLUMNS, plain=True)
    df["value"] = df["value"].astype(float).where(df["status"] == "reported", 0.0)
    df["approximate"] = df["approximate"].astype(bool)
    return df[df["value"].notna()].reset_index(drop=True)


def load_sections(session: Session, cycle_id: str, as_of: date) -> pd.DataFrame:
    c, t = counted_versions([cycle_id], as_of), SectionRow
    stmt = select(c.c.unit_id, c.c.version, t.section_id, t.status, t.text).select_from(c).join(
        t, t.submission_id == c.c.id)
    return read_frame(session, stmt, ["unit_id", "version", "section_id", "status", "text"])


def load_submissions(session: Session, cycle_id: str, as_of: date) -> pd.DataFrame:
    s = SubmissionRow
    stmt = select(s.unit_id, s.version, s.is_draft, s.received_on, s.doc_number, s.doc_date, s.data_until,
                  s.content_hash).where(s.cycle_id == cycle_id, s.received_on <= as_of).order_by(s.unit_id, s.version)
    return read_frame(session, stmt, [
        "unit_id", "version", "is_draft", "received_on", "doc_number", "doc_date", "data_until", "content_hash"])


def previous_cycle_of(session: Session, cycle: CycleRow) -> CycleRow | None:
    """The same kind of cycle of the previous year, in the same stream (none for ad-hoc cycles)."""
    if cycle.kind not in ("half_year", "annual"):
        return None
    return session.get(CycleRow, cycle_id_for(cycle.stream_id, cycle.kind, cycle.year - 1))


# --- the compilation ---------------------------------------------------------------------------
def build_compilation(session: Session, cycle: CycleRow, roster: Roster, calendar: WorkCalendar,
                      stream: Stream, indicators: list[Indicator], as_of: date) -> Compilation:
    status = compute_status(session, cycle, roster, calendar, as_of)
    previous_row = previous_cycle_of(session, cycle)
    all_values = load_values(session, [cycle.id], as_of)
    submissions = load_submissions(session, cycle.id, as_of)
    units = _units(status, roster, cycle.reference_date, submissions)

    counted = set(units.loc[units["counted"], "unit_id"])
    groups = dict(zip(units["unit_id"], units["group"]))
    values = all_values[all_values["unit_id"].isin(counted)].copy()
    values["group"] = values["unit_id"].map(groups)
    values = values.drop(columns="cycle_id").reset_index(drop=True)

    summary = status.groups.set_index("group")
    totals = compute_totals(values, indicators, summary["actual"].to_dict(), summary["expected"].to_dict())

    previous, comparison = None, pd.DataFrame()
    if previous_row is not None:
        prev_status = compute_status(session, previous_row, roster, calendar, as_of)
        prev_counted = set(prev_status.units_with(*REPORTED)["unit_id"])
        # Last year's figures serve only the totals and the comparison: sums and the parts of rates.
        summed = {i.id for i in indicators if i.aggregation == "sum"}
        summed |= {part for i in indicators if i.aggregation == "rate" for part in (*i.numerator, i.denominator)}
        prev = load_values(session, [previous_row.id], as_of, sorted(summed))
        prev = prev[prev["unit_id"].isin(prev_counted)].copy()
        # Last year's units as they are on this cycle's reference date (2025: merged provinces).
        successor = {u: roster.successor_on(u, cycle.reference_date) for u in prev["unit_id"].unique()}
        prev["successor_id"] = prev["unit_id"].map(successor)
        prev["group"] = prev["successor_id"].map({s: roster.get(s).group for s in set(successor.values())})
        prev_summary = prev_status.groups.set_index("group")
        prev_actual = {k: int(v) for k, v in prev_summary["actual"].items()}
        previous = PreviousCycle(previous_row.id, previous_row.label, prev_actual)
        prev_totals = compute_totals(prev, indicators, prev_actual, prev_summary["expected"].to_dict())
        totals = totals.merge(
            prev_totals[["indicator", "group", "value", "reported", "actual"]].rename(columns={
                "value": "previous_value", "reported": "previous_reported", "actual": "previous_actual"}),
            on=["indicator", "group"], how="left")
        comparison = _comparison(values, prev, indicators, units, roster, previous_row.reference_date)

    sections = load_sections(session, cycle.id, as_of)
    sections = sections[sections["unit_id"].isin(counted)].copy()
    return Compilation(
        cycle=cycle, stream=stream, as_of=as_of, indicators=indicators, status=status, units=units,
        submissions=submissions, values=values, totals=totals, rankings=compute_rankings(values, indicators, units),
        sections=_order_sections(sections, stream, units), previous=previous, comparison=comparison,
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
    units["order"] = range(len(units))  # the official order
    return units


def compute_totals(values: pd.DataFrame, indicators: list[Indicator], actual: dict, expected: dict) -> pd.DataFrame:
    """Totals per group and overall of ``values`` (long: unit_id, group, indicator, status,
    value, approximate). ``actual``/``expected``: units that reported / were expected, per group."""
    sum_ids = [i.id for i in indicators if i.aggregation == "sum"]
    needed = set(sum_ids) | {p for i in indicators if i.aggregation == "rate" for p in (*i.numerator, i.denominator)}
    values = values[values["indicator"].isin(needed)]
    # The keys as categories: grouping 10^5 strings again and again costs more than the sums.
    keys = {"indicator": "category", "group": "category", "unit_id": "category"}
    both = pd.concat([values, values.assign(group=OVERALL)], ignore_index=True).astype(keys)
    rows = both[both["indicator"].isin(sum_ids)].assign(is_zero=lambda d: d["status"] == "zero")
    sums = rows.groupby(["indicator", "group"], observed=True).agg(
        value=("value", "sum"), reported=("unit_id", "nunique"), zero=("is_zero", "sum"),
        approximate=("approximate", "any"))
    parts = [sums.reset_index()]
    rates = [i for i in indicators if i.aggregation == "rate"]
    # One table of every unit's rate parts (the numerators and denominators), for all rates at once.
    rate_rows = both[both["indicator"].isin({p for r in rates for p in (*r.numerator, r.denominator)})]
    wide = approx = pd.DataFrame()
    if not rate_rows.empty:
        wide = rate_rows.pivot_table(index=["group", "unit_id"], columns="indicator", values="value", aggfunc="first",
                                     observed=True)
        approx = rate_rows.pivot_table(index=["group", "unit_id"], columns="indicator", values="approximate",
                                       aggfunc="any", observed=True)
    for rate in rates:
        parts.append(_rate_totals(wide, approx, rate))
    compiled = [i.id for i in indicators if i.aggregation in ("sum", "rate")]
    grid = pd.MultiIndex.from_product([compiled, [*GROUPS, OVERALL]], names=["indicator", "group"])
    totals = pd.concat(parts, ignore_index=True).set_index(["indicator", "group"]).reindex(grid).reset_index()
    for col in ("reported", "zero"):
        totals[col] = totals[col].fillna(0).astype(int)
    totals["approximate"] = totals["approximate"].fillna(False).astype(bool)
    totals["actual"] = [int(actual.get(g, 0)) for g in totals["group"]]
    totals["expected"] = [int(expected.get(g, 0)) for g in totals["group"]]
    meta = {i.id: i for i in indicators}
    for col in ("label", "unit", "section", "aggregation"):
        totals[col] = [getattr(meta[i], col) for i in totals["indicator"]]
    return totals


def _rate_totals(wide: pd.DataFrame, approx: pd.DataFrame, rate: Indicator) -> pd.DataFrame:
    """numerator/denominator summed over the units that gave every part; rate in percent.
    ``wide``/``approx``: value and approximate flag of each (group, unit) and rate part."""
    needed = [*rate.numerator, rate.denominator]
    columns = ["indicator", "group", "value", "reported", "zero", "approximate", "numerator", "denominator"]
    if any(c not in wide.columns for c in needed):
        return pd.DataFrame(columns=columns)
    complete = wide[needed].dropna()
    complete = complete.assign(
        numerator=complete[list(rate.numerator)].sum(axis=1), denominator=complete[rate.denominator],
        approximate=approx.loc[complete.index, needed].fillna(False).astype(bool).any(axis=1))
    out = complete.groupby(level="group", observed=True).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), reported=("numerator", "size"),
        approximate=("approximate", "any")).reset_index()
    out["value"] = (100 * out["numerator"] / out["denominator"]).where(out["denominator"] > 0)
    out["indicator"], out["zero"] = rate.id, 0
    return out[columns]


def compute_rankings(values: pd.DataFrame, indicators: list[Indicator], units: pd.DataFrame) -> pd.DataFrame:
    """Scores and ranks per unit, never summed: the best first (the highest score, the lowest rank)."""
    order = dict(zip(units["unit_id"], units["order"]))
    names = dict(zip(units["unit_id"], units["name"]))
    frames = []
    for ind in (i for i in indicators if i.aggregation == "list"):
        part = values[values["indicator"] == ind.id].copy()
        if part.empty:
            continue
        ascending = ind.unit in RANK_UNITS
        part["rank"] = part["value"].rank(method="min", ascending=ascending).astype(int)
        part["order"] = part["unit_id"].map(order)
        part["name"] = part["unit_id"].map(names)
        frames.append(part.sort_values(["rank", "order"]))
    columns = ["indicator", "unit_id", "name", "group", "value", "raw", "approximate", "version", "rank"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def _comparison(values: pd.DataFrame, prev: pd.DataFrame, indicators: list[Indicator], units: pd.DataFrame,
                roster: Roster, prev_reference: date) -> pd.DataFrame:
    """Per current unit: this period's figure and its predecessors' figure of the same period last year."""
    sum_ids = [i.id for i in indicators if i.aggregation == "sum"]
    cur = values[values["indicator"].isin(sum_ids)][["unit_id", "indicator", "value"]]
    last_year = prev[prev["indicator"].isin(sum_ids)]
    old = last_year.groupby(["successor_id", "indicator"]).agg(
        previous=("value", "sum"), first=("unit_id", "first"), units=("unit_id", "nunique"))
    names = {u: roster.get(u).name_on(prev_reference) for u in last_year["unit_id"].unique()}
    old["predecessors"] = old["first"].map(names)
    merged = old.index[old["units"] > 1]  # a few successors of merged units: name every predecessor
    if len(merged):
        several = last_year.set_index(["successor_id", "indicator"]).loc[merged, "unit_id"]
        old.loc[merged, "predecessors"] = several.groupby(level=[0, 1]).agg(
            lambda s: ", ".join(names[u] for u in sorted(set(s))))
    old = old[["previous", "predecessors"]].reset_index().rename(columns={"successor_id": "unit_id"})
    out = cur.merge(old, on=["unit_id", "indicator"], how="outer")
    out = out[out["unit_id"].isin(set(units["unit_id"]))]
    meta = units.set_index("unit_id")
    out["name"] = out["unit_id"].map(meta["name"])
    out["group"] = out["unit_id"].map(meta["group"])
    out["order"] = out["unit_id"].map(meta["order"])
    position = {i: n for n, i in enumerate(sum_ids)}
    out["position"] = out["indicator"].map(position)
    out = out.sort_values(["order", "position"]).rename(columns={"value": "current"})
    return out[["unit_id", "name", "group", "indicator", "current", "previous", "predecessors"]].reset_index(drop=True)


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
