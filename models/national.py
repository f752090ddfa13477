"""National figures the drafter enters from outside sources (Ban Dân vận Trung ương's report,
Văn phòng Chính phủ, Cổng Dịch vụ công quốc gia, Thanh tra Chính phủ), per cycle in the draft's
data file, ``national:``. Each has a value, its source (document number and date) and optional
parts ("trong đó …"); the draft writes it with a footnote "Số liệu từ …" and beside the units'
own sum of the same indicator, and the checks compare the parts with the total and the two
sources with each other.

Seed 000 carries three such figures whose parts do not add up: 6.348 TTHC of which
3.827 + 1.337 + 1.708 = 6.872; 188.607 tỷ đồng recovered of which 57.393 + 131.209 = 188.602;
497 vụ, 490 đối tượng transferred of which 148 + 348 = 496 and 164 + 325 = 489.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import UserError
from models.numbers import NumberError, parse_figure

TOLERANCE = 1e-6


@dataclass(frozen=True)
class NationalFigure:
    label: str  # as the sentence names it: "số thủ tục hành chính trên Cổng Dịch vụ công quốc gia"
    value: float
    unit: str
    source: str  # "Báo cáo số 316-BC/BDVTW ngày 15/12/2023 của Ban Dân vận Trung ương"
    section: str | None = None
    indicator: str | None = None  # the catalogue's indicator it is the national figure of
    parts: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict:
        return dict(label=self.label, value=self.value, unit=self.unit, source=self.source, section=self.section,
                    indicator=self.indicator, parts=[list(p) for p in self.parts])


def _value(raw: object, where: str) -> float:
    if isinstance(raw, float) and not raw.is_integer():
        # YAML reads 6.348 as six point three: a Vietnamese thousands dot must be quoted.
        raise UserError(f"{where}: giá trị {raw} phải viết trong ngoặc kép (ví dụ \"6.348\") hoặc không có dấu chấm.")
    try:
        figure = parse_figure(raw if not isinstance(raw, float) else int(raw))
    except NumberError as exc:
        raise UserError(f"{where}: {exc}") from None
    if figure.value is None:
        raise UserError(f"{where}: thiếu giá trị.")
    return figure.value


def parse_national(entries: object, *, path: str, sections: set[str], indicators: dict[str, tuple[str, str, str]]
                   ) -> list[NationalFigure]:
    """``entries``: the list under ``national:``. ``indicators``: id -> (label, unit, section)."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise UserError(f"{path}: 'national' phải là danh sách số liệu, mỗi số liệu có label hoặc indicator, "
                        "value, source.")
    out = []
    for n, entry in enumerate(entries, 1):
        where = f"{path}, số liệu thứ {n} của 'national'"
        if not isinstance(entry, dict):
            raise UserError(f"{where}: phải có label hoặc indicator, value, source.")
        indicator = entry.get("indicator")
        if indicator is not None and str(indicator) not in indicators:
            raise UserError(f"{where}: chỉ tiêu '{indicator}' không có trong danh mục.")
        known = indicators.get(str(indicator)) if indicator is not None else None
        label = str(entry.get("label") or (known[0] if known else "")).strip()
        source = str(entry.get("source") or "").strip()
        if not label or not source:
            raise UserError(f"{where}: cần tên số liệu (label hoặc indicator) và nguồn (source: số, ngày văn bản).")
        section = str(entry.get("section") or (known[2] if known else "")) or None
        if section is not None and section not in sections:
            raise UserError(f"{where}: mục '{section}' không có trong đề cương báo cáo.")
        parts = entry.get("parts") or {}
        if not isinstance(parts, dict):
            raise UserError(f"{where}: 'parts' phải là các cặp  tên: giá trị.")
        out.append(NationalFigure(
            label=label, value=_value(entry.get("value"), where),
            unit=str(entry.get("unit") or (known[1] if known else "")).strip(), source=source, section=section,
            indicator=str(indicator) if indicator is not None else None,
            parts=tuple((str(k).strip(), _value(v, f"{where}, phần '{k}'")) for k, v in parts.items())))
    return out


@dataclass(frozen=True)
class NationalCheck:
    kind: str  # parts_sum | parts_exceed | units_exceed_national
    figure: NationalFigure
    expected: float
    found: float


def check_national(figures: list[NationalFigure], unit_sums: dict[str, tuple[float, int]]) -> list[NationalCheck]:
    """Parts against their total, and the units' own sum (indicator -> (sum, units)) against the
    national figure: the units that reported can never exceed the whole country."""
    out = []
    for f in figures:
        if f.parts:
            total = sum(v for _, v in f.parts)
            if abs(total - f.value) > TOLERANCE:
                out.append(NationalCheck("parts_sum", f, f.value, total))
        if f.indicator and f.indicator in unit_sums:
            units_total, reported = unit_sums[f.indicator]
            if reported and units_total - f.value > TOLERANCE:
                out.append(NationalCheck("units_exceed_national", f, f.value, units_total))
    return out
