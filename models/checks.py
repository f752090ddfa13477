"""What a coordinator must look at before signing the compilation off ("Cần kiểm tra").

Nothing is fixed silently: every inconsistency in the units' reports or in the draft's own
data becomes a finding that names the unit, the figure and the report version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from models.compilation import Compilation
from models.errors import UserError
from models.roster import Roster
from models.text import name_key
from models.vnformat import day, number, percent

SEVERITIES = {"error": "Sai", "warning": "Cần xem lại", "info": "Lưu ý"}
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

    @property
    def key(self) -> tuple:
        return (self.kind, self.unit_id, self.indicator, self.section, self.message)


def run_checks(comp: Compilation, roster: Roster, exemplary: Mapping[str, Sequence[str]] | None = None) -> list[Finding]:
    findings = [
        *check_parts(comp),
        *check_rates(comp),
        *check_values(comp),
        *check_period(comp),
        *check_drafts(comp),
        *check_exempted_reports(comp),
        *check_duplicate_units(comp),
        *check_exemplary(comp, roster, exemplary or {}),
    ]
    order = {s: n for n, s in enumerate(SEVERITIES)}
    unit_order = dict(zip(comp.units["unit_id"], comp.units["order"]))
    return sorted(findings, key=lambda f: (order[f.severity], unit_order.get(f.unit_id, -1), f.kind, f.indicator or ""))


def _wide(comp: Compilation) -> pd.DataFrame:
    """One row per reporting unit, one column per figure it gave."""
    if comp.values.empty:
        return pd.DataFrame()
    return comp.values.pivot_table(index="unit_id", columns="indicator", values="value", aggfunc="first")


def _unit_meta(comp: Compilation) -> tuple[dict, dict]:
    names = dict(zip(comp.units["unit_id"], comp.units["name"]))
    versions = dict(zip(comp.values["unit_id"], comp.values["version"]))
    return names, versions


def _finding(severity, kind, message, comp, unit_id=None, indicator=None, version=None, section=None) -> Finding:
    names = dict(zip(comp.units["unit_id"], comp.units["name"]))
    return Finding(severity, kind, message, unit_id, names.get(unit_id), indicator,
                   int(version) if version is not None and not pd.isna(version) else None, section)


def check_parts(comp: Compilation) -> list[Finding]:
    """Parts never exceed their total; where the catalogue says so, they add up to it exactly."""
    wide = _wide(comp)
    _, versions = _unit_meta(comp)
    out = []
    for total in comp.indicators:
        parts = [i for i in comp.indicators if i.part_of == total.id]
        if not parts or total.id not in wide.columns:
            continue
        given = [p for p in parts if p.id in wide.columns]
        for unit_id, row in wide.iterrows():
            whole = row[total.id]
            present = [p for p in given if not pd.isna(row[p.id])]
            if pd.isna(whole) or not present:
                continue
            parts_sum = sum(row[p.id] for p in present)
            terms = " + ".join(f"{p.label} {number(row[p.id])}" for p in present)
            where = f"{total.label}"
            exhaustive = "sum_of_parts" in total.checks and len(present) == len(parts)
            if exhaustive and abs(parts_sum - whole) > 1e-9:
                message = (f"{where}: tổng số là {number(whole)} nhưng các thành phần cộng lại là "
                           f"{number(parts_sum)} ({terms}).")
                out.append(_finding("error", "part_sum", message, comp, unit_id, total.id, versions.get(unit_id)))
            elif parts_sum > whole + 1e-9:
                message = f"{where}: các thành phần cộng lại là {number(parts_sum)} ({terms}), lớn hơn tổng số {number(whole)}."
                out.append(_finding("error", "parts_exceed", message, comp, unit_id, total.id, versions.get(unit_id)))
    return out


def check_rates(comp: Compilation) -> list[Finding]:
    """A rate a unit states itself must match its own numerator and denominator, and a
    numerator never exceeds its denominator."""
    wide = _wide(comp)
    _, versions = _unit_meta(comp)
    out = []
    for rate in (i for i in comp.indicators if i.aggregation == "rate"):
        needed = [*rate.numerator, rate.denominator]
        if not set(needed) <= set(wide.columns):
            continue
        num_label = " + ".join(comp.indicator(n).label for n in rate.numerator)
        den_label = comp.indicator(rate.denominator).label
        for unit_id, row in wide.iterrows():
            if any(pd.isna(row[n]) for n in needed):
                continue
            num, den = sum(row[n] for n in rate.numerator), row[rate.denominator]
            if num > den:
                message = (f"{rate.label}: {num_label} ({number(num)}) lớn hơn {den_label} ({number(den)}).")
                out.append(_finding("error", "numerator_exceeds", message, comp, unit_id, rate.id, versions.get(unit_id)))
            stated = row.get(rate.id) if rate.id in wide.columns else None
            if stated is not None and not pd.isna(stated) and den > 0:
                computed = 100 * num / den
                if abs(stated - computed) > RATE_TOLERANCE:
                    message = (f"{rate.label}: đơn vị ghi {percent(stated)} nhưng tính từ số liệu của đơn vị "
                               f"({number(num)}/{number(den)}) là {percent(computed)}.")
                    out.append(_finding("warning", "rate_mismatch", message, comp, unit_id, rate.id,
                                        versions.get(unit_id)))
    return out


def check_values(comp: Compilation) -> list[Finding]:
    known = {i.id for i in comp.indicators}
    out = []
    for r in comp.values.itertuples():
        if r.indicator not in known:
            out.append(_finding("info", "unknown_indicator",
                                f"Chỉ tiêu '{r.indicator}' không có trong danh mục chỉ tiêu; không được tổng hợp.",
                                comp, r.unit_id, r.indicator, r.version))
        elif r.value < 0:
            out.append(_finding("error", "negative", f"{comp.indicator(r.indicator).label}: số âm ({number(r.value)}).",
                                comp, r.unit_id, r.indicator, r.version))
    return out


def check_period(comp: Compilation) -> list[Finding]:
    """The figures must be those of the cycle's data window."""
    start, end = comp.cycle.window_start, comp.cycle.window_end
    window = f"thời gian chốt số liệu của kỳ {day(start)} – {day(end)}"
    out = []
    for u in comp.units[comp.units["counted"]].itertuples():
        until, dated = u.data_until, u.doc_date
        if isinstance(until, type(start)):
            if until < start:
                out.append(_finding("error", "outside_period", f"Số liệu tính đến {day(until)}, trước {window}.",
                                    comp, u.unit_id, version=u.version))
            elif until > end:
                out.append(_finding("warning", "outside_period", f"Số liệu tính đến {day(until)}, quá {window}.",
                                    comp, u.unit_id, version=u.version))
            elif until < end:
                out.append(_finding("info", "partial_period",
                                    f"Số liệu chỉ tính đến {day(until)}, chưa đủ kỳ ({window}).",
                                    comp, u.unit_id, version=u.version))
        if isinstance(dated, type(start)) and dated < start:
            out.append(_finding("error", "outside_period",
                                f"Văn bản {u.doc_number} ký ngày {day(dated)}, trước {window}: có thể là báo cáo kỳ khác.",
                                comp, u.unit_id, version=u.version))
    return out


def check_drafts(comp: Compilation) -> list[Finding]:
    """A draft (blank number or date) is never a submission."""
    out = []
    subs = comp.submissions
    for u in comp.units.itertuples():
        mine = subs[subs["unit_id"] == u.unit_id]
        drafts = mine[mine["is_draft"].astype(bool)]
        if drafts.empty:
            continue
        if u.status == "draft_only":
            versions = ", ".join(f"bản {v}" for v in drafts["version"])
            out.append(_finding("warning", "draft_only",
                                f"Chỉ có dự thảo ({versions}: số hoặc ngày văn bản để trống), không tính là đã báo cáo.",
                                comp, u.unit_id, version=int(drafts["version"].max())))
        elif u.counted and int(drafts["version"].max()) > int(u.version):
            out.append(_finding("warning", "draft_after_report",
                                f"Bản {int(drafts['version'].max())} gửi sau là dự thảo (số hoặc ngày để trống); "
                                f"số liệu lấy theo bản {int(u.version)} đã ký ({u.doc_number}).",
                                comp, u.unit_id, version=int(drafts["version"].max())))
    return out


def check_exempted_reports(comp: Compilation) -> list[Finding]:
    out = []
    signed = comp.submissions[~comp.submissions["is_draft"].astype(bool)]
    for u in comp.units[comp.units["status"] == "exempted"].itertuples():
        mine = signed[signed["unit_id"] == u.unit_id]
        if not mine.empty:
            out.append(_finding("info", "exempted_reported",
                                f"Được miễn báo cáo ({u.exempt_reason}) nhưng có gửi báo cáo; không tính vào tổng hợp.",
                                comp, u.unit_id, version=int(mine["version"].max())))
    return out


def check_duplicate_units(comp: Compilation) -> list[Finding]:
    """Two expected units under one name would be listed twice in the footnote."""
    keys = comp.units.assign(key=[name_key(n) for n in comp.units["footnote_name"]])
    out = []
    for _key, same in keys.groupby("key", sort=False):
        if len(same) > 1:
            names = ", ".join(f"{n} ({u})" for n, u in zip(same["name"], same["unit_id"]))
            out.append(_finding("error", "duplicate_unit",
                                f"{len(same)} đơn vị phải báo cáo trùng tên '{same['footnote_name'].iloc[0]}': {names}.",
                                comp, same["unit_id"].iloc[0]))
    return out


def check_exemplary(comp: Compilation, roster: Roster, exemplary: Mapping[str, Sequence[str]]) -> list[Finding]:
    """The units the draft praises as exemplary must exist, be expected, have reported, and be
    named once."""
    reference = comp.cycle.reference_date
    status = dict(zip(comp.units["unit_id"], comp.units["status"]))
    labels = dict(zip(comp.units["unit_id"], comp.units["status_label"]))
    out = []
    for section, names in exemplary.items():
        resolved = []
        for text in names:
            try:
                resolved.append(roster.find(text, reference).id)
            except UserError:
                out.append(_finding("error", "exemplary_unknown",
                                    f"Mục {section}: không tìm thấy đơn vị '{text}' được nêu tiêu biểu.",
                                    comp, section=section))
        for unit_id, n in Counter(resolved).items():
            name = roster.get(unit_id).name_on(reference)
            if unit_id not in status:
                out.append(_finding("error", "exemplary_not_expected",
                                    f"Mục {section}: {name} được nêu tiêu biểu nhưng không thuộc danh sách phải báo cáo "
                                    "của kỳ.", comp, section=section))
            elif status[unit_id] not in ("on_time", "late"):
                out.append(_finding("error", "exemplary_not_reported",
                                    f"Mục {section}: {name} được nêu tiêu biểu nhưng chưa có báo cáo "
                                    f"({labels[unit_id].lower()}); đã bỏ khỏi danh sách tiêu biểu.",
                                    comp, unit_id, section=section))
            if n > 1:
                out.append(_finding("warning", "exemplary_duplicate",
                                    f"Mục {section}: {name} được nêu {n} lần trong danh sách tiêu biểu.",
                                    comp, unit_id if unit_id in status else None, section=section))
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
