"""What a coordinator must look at before signing the compilation off ("Cần kiểm tra").

Nothing is fixed silently: every inconsistency in the units' reports or in the draft's own
data becomes a finding that names the unit, the figure and the report version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from models.compilation import OVERALL, REPORTED, Compilation, figure_grid
from models.errors import UserError
from models.national import NationalFigure, check_national
from models.roster import Roster
from models.text import name_key
from models.vnformat import day, number, percent

SEVERITIES = {"error": "Sai", "warning": "Cần xem lại", "info": "Lưu ý"}
# Each kind of finding as the annex names it to a drafter (the ids stay in the code and the summary).
KINDS = {
    "part_sum": "Tổng không bằng các thành phần",
    "parts_exceed": "Thành phần lớn hơn tổng số",
    "numerator_exceeds": "Tử số lớn hơn mẫu số",
    "rate_mismatch": "Tỷ lệ không khớp với số liệu",
    "unknown_indicator": "Chỉ tiêu ngoài danh mục",
    "negative": "Số âm",
    "outside_period": "Ngoài kỳ báo cáo",
    "partial_period": "Chưa đủ kỳ báo cáo",
    "figures_pending": "Số liệu chưa xác nhận",
    "draft_only": "Chỉ có dự thảo",
    "draft_after_report": "Dự thảo gửi sau bản đã ký",
    "exempted_reported": "Được miễn nhưng có báo cáo",
    "duplicate_unit": "Đơn vị trùng tên",
    "exemplary_unknown": "Đơn vị tiêu biểu không tìm thấy",
    "exemplary_not_expected": "Đơn vị tiêu biểu không phải báo cáo",
    "exemplary_not_reported": "Đơn vị tiêu biểu chưa báo cáo",
    "exemplary_duplicate": "Đơn vị tiêu biểu nêu trùng",
}


def kind_label(kind: str) -> str:
    """The Vietnamese name of a kind of finding; "Khác" for one not named yet (never the id)."""
    return KINDS.get(kind, "Khác")
RATE_TOLERANCE = 0.5  # percentage points: a reported rate rounded to the unit is not a mistake


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning | info
    kind: str
    message: str  # Vietnamese, self-contained
    unit_id: str | None = None
    unit_name: str | None = None
    indicator: str | None = None
    version: int | None = None
    section: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def run_checks(comp: Compilation, roster: Roster,
               exemplary: Mapping[str, Sequence[str]] | None = None,
               national: Sequence[NationalFigure] = ()) -> list[Finding]:
    findings = [
        *check_national_figures(comp, national),
        *check_parts(comp),
        *check_rates(comp),
        *check_values(comp),
        *check_period(comp),
        *check_drafts(comp),
        *check_figures_pending(comp),
        *check_exempted_reports(comp),
        *check_duplicate_units(comp),
        *check_exemplary(comp, roster, exemplary or {}),
    ]
    severity = {s: n for n, s in enumerate(SEVERITIES)}
    unit_order = dict(zip(comp.units["unit_id"], comp.units["order"], strict=True))
    return sorted(findings, key=lambda f: (severity[f.severity], unit_order.get(f.unit_id, -1), f.kind,
                                           f.section or "", f.indicator or ""))


def check_national_figures(comp: Compilation, national: Sequence[NationalFigure]) -> list[Finding]:
    """The drafter's national figures: parts against their total, and the units' own sum
    against the national figure (``models.national.check_national``)."""
    totals = comp.totals[comp.totals["group"] == OVERALL] if len(comp.totals) else comp.totals
    sums = {str(r.indicator): (float(r.value), int(r.reported)) for r in totals.itertuples()
            if r.aggregation == "sum" and r.reported}
    out = []
    for c in check_national(list(national), sums):
        f = c.figure
        if c.kind == "parts_sum":
            parts = " + ".join(number(v) for _, v in f.parts)
            message = (f"Số liệu toàn quốc \"{f.label}\" ({f.source}): tổng là {number(f.value)} {f.unit} nhưng các "
                       f"phần cộng lại {parts} = {number(c.found)} {f.unit} (lệch {number(abs(c.found - f.value))}).")
        else:
            message = (f"Số liệu toàn quốc \"{f.label}\" ({f.source}) là {number(f.value)} {f.unit}, ít hơn tổng "
                       f"các đơn vị đã báo cáo ({number(c.found)} {f.unit}): hai nguồn không khớp.")
        out.append(Finding("error", f"national_{c.kind}", message, indicator=f.indicator, section=f.section))
    return out


class _Findings(list):
    """Findings of one check, each naming its unit as the compilation does."""

    def __init__(self, comp: Compilation):
        super().__init__()
        units = comp.units
        self.names = dict(zip(units["unit_id"].to_numpy(dtype=object), units["name"].to_numpy(dtype=object), strict=True))

    def add(self, severity: str, kind: str, message: str, unit_id: str | None = None, indicator: str | None = None,
            version=None, section: str | None = None) -> None:
        version = int(version) if version is not None and not pd.isna(version) else None
        self.append(Finding(severity, kind, message, unit_id, self.names.get(unit_id), indicator, version, section))


def _wide(comp: Compilation) -> tuple[pd.DataFrame, dict]:
    """One row per reporting unit, one column per figure it gave; and each unit's counted version."""
    counted = comp.units[comp.units["counted"]]
    versions = dict(zip(counted["unit_id"], counted["version"], strict=True))
    if comp.values.empty:
        return pd.DataFrame(), versions
    given = comp.values.drop_duplicates("unit_id")["unit_id"].astype(str)
    return figure_grid(comp.values, sorted(given), _distinct_text(comp.values["indicator"])), versions


def _distinct_text(column: pd.Series) -> list[str]:
    """The distinct values of a column as sorted text; of categories by their codes, not row by
    row (``astype(str)`` of 10^5 categories turns each row into text)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return sorted(column.astype(str).unique())
    codes = np.unique(column.cat.codes.to_numpy())
    return sorted([str(c) for c in column.cat.categories[codes[codes >= 0]]] + (["nan"] if (codes < 0).any() else []))


def _suspects(wide: pd.DataFrame, mask: pd.Series):
    """The rows of ``wide`` that a vectorised test flags. The tests are written a little looser
    than the rules, which the loops over these rows then apply exactly as written: a check looks
    at a handful of units instead of every one of thousands."""
    flagged = wide[mask.fillna(False).astype(bool)]
    return zip(flagged.index, flagged.to_dict("records"), strict=True)  # plain dicts: a Series per row is slow


def check_parts(comp: Compilation) -> list[Finding]:
    """Parts never exceed their total; where the catalogue says so, they add up to it exactly."""
    wide, versions = _wide(comp)
    out = _Findings(comp)
    for total in comp.indicators:
        parts = [i for i in comp.indicators if i.part_of == total.id]
        if not parts or total.id not in wide.columns:
            continue
        given_ids = [p.id for p in parts if p.id in wide.columns]
        whole_col, parts_sum_col = wide[total.id], wide[given_ids].sum(axis=1)
        off = (parts_sum_col - whole_col).abs() > 1e-10 if "sum_of_parts" in total.checks else False
        suspect = whole_col.notna() & wide[given_ids].notna().any(axis=1) & (off | (parts_sum_col > whole_col))
        for unit_id, row in _suspects(wide, suspect):
            whole = row[total.id]
            given = [p for p in parts if p.id in wide.columns and not pd.isna(row[p.id])]
            if pd.isna(whole) or not given:
                continue
            parts_sum = sum(row[p.id] for p in given)
            terms = " + ".join(f"{p.label} {number(row[p.id])}" for p in given)
            if "sum_of_parts" in total.checks and len(given) == len(parts) and abs(parts_sum - whole) > 1e-9:
                out.add("error", "part_sum", f"{total.label}: tổng số là {number(whole)} nhưng các thành phần "
                        f"cộng lại là {number(parts_sum)} ({terms}).", unit_id, total.id, versions.get(unit_id))
            elif parts_sum > whole + 1e-9:
                out.add("error", "parts_exceed", f"{total.label}: các thành phần cộng lại là {number(parts_sum)} "
                        f"({terms}), lớn hơn tổng số {number(whole)}.", unit_id, total.id, versions.get(unit_id))
    return out


def check_rates(comp: Compilation) -> list[Finding]:
    """A rate a unit states itself must match its own numerator and denominator, and a
    numerator never exceeds its denominator."""
    wide, versions = _wide(comp)
    out = _Findings(comp)
    for rate in (i for i in comp.indicators if i.aggregation == "rate"):
        needed = [*rate.numerator, rate.denominator]
        if rate.denominator is None or not set(needed) <= set(wide.columns):
            continue
        num_label = " + ".join(comp.indicator(n).label for n in rate.numerator)
        den_label = comp.indicator(rate.denominator).label
        num_col, den_col = wide[list(rate.numerator)].sum(axis=1), wide[rate.denominator]
        suspect = num_col > den_col - 1e-10
        if rate.id in wide.columns:
            computed = 100 * num_col / den_col.where(den_col > 0)
            suspect |= (wide[rate.id] - computed).abs() > RATE_TOLERANCE - 1e-10
        for unit_id, row in _suspects(wide, wide[needed].notna().all(axis=1) & suspect):
            if any(pd.isna(row[n]) for n in needed):
                continue
            num, den = sum(row[n] for n in rate.numerator), row[rate.denominator]
            if num > den:
                out.add("error", "numerator_exceeds", f"{rate.label}: {num_label} ({number(num)}) lớn hơn "
                        f"{den_label} ({number(den)}).", unit_id, rate.id, versions.get(unit_id))
            stated = row[rate.id] if rate.id in wide.columns else None
            stated_known = stated is not None and not pd.isna(stated)
            if stated_known and den > 0 and abs(stated - 100 * num / den) > RATE_TOLERANCE:
                out.add("warning", "rate_mismatch", f"{rate.label}: đơn vị ghi {percent(stated)} nhưng tính từ số "
                        f"liệu của đơn vị ({number(num)}/{number(den)}) là {percent(100 * num / den)}.",
                        unit_id, rate.id, versions.get(unit_id))
    return out


def check_values(comp: Compilation) -> list[Finding]:
    known = {i.id for i in comp.indicators}
    out = _Findings(comp)
    values = comp.values
    for r in values[~values["indicator"].isin(known) | (values["value"] < 0)].itertuples():
        if r.indicator not in known:
            out.add("info", "unknown_indicator", f"Chỉ tiêu '{r.indicator}' không có trong danh mục chỉ tiêu; "
                    "không được tổng hợp.", r.unit_id, r.indicator, r.version)
        elif r.value < 0:
            out.add("error", "negative", f"{comp.indicator(r.indicator).label}: số âm ({number(r.value)}).",
                    r.unit_id, r.indicator, r.version)
    return out


def check_period(comp: Compilation) -> list[Finding]:
    """The figures must be those of the cycle's data window: a report's own cut-off inside it
    (earlier than its end: the period is not complete), its document not dated before it."""
    start, end = comp.cycle.window_start, comp.cycle.window_end
    window = f"thời gian chốt số liệu của kỳ {day(start)} – {day(end)}"
    out = _Findings(comp)
    for u in comp.units[comp.units["counted"]].itertuples():
        until, dated = u.data_until, u.doc_date
        if isinstance(until, date) and until < start:
            out.add("error", "outside_period", f"Số liệu tính đến {day(until)}, trước {window}.", u.unit_id,
                    version=u.version)
        elif isinstance(until, date) and until > end:
            out.add("warning", "outside_period", f"Số liệu tính đến {day(until)}, quá {window}.", u.unit_id,
                    version=u.version)
        elif isinstance(until, date) and until < end:
            out.add("info", "partial_period", f"Số liệu chỉ tính đến {day(until)}, chưa đủ kỳ ({window}).",
                    u.unit_id, version=u.version)
        if isinstance(dated, date) and dated < start:
            out.add("error", "outside_period", f"Văn bản {u.doc_number} ký ngày {day(dated)}, trước {window}: "
                    "có thể là báo cáo của kỳ khác.", u.unit_id, version=u.version)
    return out


def check_figures_pending(comp: Compilation) -> list[Finding]:
    """A prose report counts as received, but its figures are in the totals only once reviewed."""
    out = _Findings(comp)
    for u in comp.units[comp.units["figures_pending"]].itertuples():
        out.add("warning", "figures_pending", f"Có số liệu đọc trong văn bản (bản {int(u.version)}) chưa được xác nhận, "
                f"chưa đưa vào tổng hợp: xác nhận bằng 'dvtracker review --cycle {comp.cycle.id} --unit "
                f"{u.code}'.", u.unit_id, version=int(u.version))
    return out


def check_drafts(comp: Compilation) -> list[Finding]:
    """A draft (blank number or date) is never a submission."""
    out = _Findings(comp)
    subs = comp.submissions
    drafts = subs[subs["is_draft"].astype(bool)].groupby("unit_id")["version"].agg(list)
    for u in comp.units[comp.units["unit_id"].isin(drafts.index)].itertuples():
        versions = drafts[u.unit_id]
        if u.status == "draft_only":
            listed = ", ".join(f"bản {v}" for v in versions)
            out.add("warning", "draft_only", f"Chỉ có dự thảo ({listed}: số hoặc ngày văn bản để trống), "
                    "không tính là đã báo cáo.", u.unit_id, version=max(versions))
        elif u.counted and max(versions) > int(u.version):
            out.add("warning", "draft_after_report", f"Bản {max(versions)} gửi sau là dự thảo (số hoặc ngày để "
                    f"trống); số liệu lấy theo bản {int(u.version)} đã ký ({u.doc_number}).", u.unit_id,
                    version=max(versions))
    return out


def check_exempted_reports(comp: Compilation) -> list[Finding]:
    out = _Findings(comp)
    signed = comp.submissions[~comp.submissions["is_draft"].astype(bool)].groupby("unit_id")["version"].max()
    for u in comp.units[(comp.units["status"] == "exempted") & comp.units["unit_id"].isin(signed.index)].itertuples():
        out.add("info", "exempted_reported", f"Được miễn báo cáo ({u.exempt_reason}) nhưng có gửi báo cáo; "
                "không tính vào tổng hợp.", u.unit_id, version=signed[u.unit_id])
    return out


def check_duplicate_units(comp: Compilation) -> list[Finding]:
    """Two expected units under one name would be listed twice in the footnote."""
    keys = comp.units.assign(key=[name_key(n) for n in comp.units["footnote_name"]])
    keys = keys[keys["key"].duplicated(keep=False)]
    out = _Findings(comp)
    for _key, same in keys.groupby("key", sort=False):
        if len(same) > 1:
            names = ", ".join(f"{n} ({u})" for n, u in zip(same["name"], same["unit_id"], strict=True))
            out.add("error", "duplicate_unit", f"{len(same)} đơn vị phải báo cáo trùng tên "
                    f"'{same['footnote_name'].iloc[0]}': {names}.", same["unit_id"].iloc[0])
    return out


def check_exemplary(comp: Compilation, roster: Roster, exemplary: Mapping[str, Sequence[str]]) -> list[Finding]:
    """The units the draft praises as exemplary must exist, be expected, have reported, and be
    named once."""
    reference = comp.cycle.reference_date
    status = dict(zip(comp.units["unit_id"], comp.units["status"], strict=True))
    labels = dict(zip(comp.units["unit_id"], comp.units["status_label"], strict=True))
    out = _Findings(comp)
    for section, names in exemplary.items():
        resolved = []
        for text in names:
            try:
                resolved.append(roster.find(text, reference).id)
            except UserError:
                out.add("error", "exemplary_unknown", f"Mục {section}: không tìm thấy đơn vị '{text}' được nêu "
                        "tiêu biểu.", section=section)
        for unit_id, n in Counter(resolved).items():
            name = roster.get(unit_id).name_on(reference)
            if unit_id not in status:
                out.add("error", "exemplary_not_expected", f"Mục {section}: {name} được nêu tiêu biểu nhưng không "
                        "thuộc danh sách phải báo cáo của kỳ.", section=section)
            elif status[unit_id] not in REPORTED:
                out.add("error", "exemplary_not_reported", f"Mục {section}: {name} được nêu tiêu biểu nhưng chưa có "
                        f"báo cáo ({labels[unit_id].lower()}); đã bỏ khỏi danh sách tiêu biểu.", unit_id,
                        section=section)
            if n > 1:
                out.add("warning", "exemplary_duplicate", f"Mục {section}: {name} được nêu {n} lần trong danh sách "
                        "tiêu biểu.", unit_id if unit_id in status else None, section=section)
    return out


def exemplary_units(comp: Compilation, roster: Roster, names: Sequence[str]) -> list[str]:
    """The ids of the listed units that reported, once each, in the order given."""
    reported = set(comp.units.loc[comp.units["counted"], "unit_id"])
    out: list[str] = []
    for text in names:
        try:
            uid = roster.find(text, comp.cycle.reference_date).id
        except UserError:
            continue
        if uid in reported and uid not in out:
            out.append(uid)
    return out
