"""The indicator catalogue of a stream: which figures a report carries and how they add up."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from models.errors import UserError
from models.numbers import Figure, NumberError, parse_figure

# sum: added up; rate: recomputed from its summed parts; score and rank: one unit's standing in an
# index (PAR INDEX, PAPI, SIPAS), never summed, listed best first — the highest score, the lowest
# rank; context: read, never compiled.
AGGREGATIONS = {"sum", "rate", "score", "rank", "context"}
STANDINGS = ("score", "rank")
# Consistency checks an indicator asks for beyond the defaults (parts never exceed their total):
# sum_of_parts: the total equals the sum of its parts (visits = periodic + regular + ad hoc).
CHECKS = {"sum_of_parts"}


@dataclass(frozen=True)
class Indicator:
    id: str
    section: str
    label: str
    unit: str
    aggregation: str  # one of AGGREGATIONS
    numerator: tuple[str, ...] = ()
    denominator: str | None = None
    part_of: str | None = None
    checks: tuple[str, ...] = ()
    # How a report's prose states the figure: ``phrases`` are the alternatives that name it
    # ("kiểm tra công vụ"; words joined by "&" must all be in the clause), ``forms`` where its number
    # stands ("# cơ quan", "hạng #"). Used only to propose values to a coordinator (models.report_text).
    phrases: tuple[tuple[str, ...], ...] = ()
    forms: tuple[str, ...] = ()


def load_catalogue(path: Path) -> list[Indicator]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise UserError(f"Không đọc được danh mục chỉ tiêu {path}: {exc}") from exc
    indicators = [
        Indicator(
            id=r["id"],
            section=r["section"],
            label=r["label"],
            unit=r["unit"],
            aggregation=r["aggregation"],
            numerator=tuple(p.strip() for p in (r.get("numerator") or "").split("+") if p.strip()),
            denominator=r.get("denominator") or None,
            part_of=r.get("part_of") or None,
            checks=tuple(c.strip() for c in (r.get("checks") or "").split("+") if c.strip()),
            phrases=tuple(tuple(w.strip() for w in p.split("&") if w.strip())
                          for p in (r.get("phrases") or "").split("|") if p.strip()),
            forms=tuple(f.strip() for f in (r.get("forms") or "").split("|") if f.strip()),
        )
        for r in rows
    ]
    ids = {i.id for i in indicators}
    for i in indicators:
        refs = [*i.numerator, i.denominator, i.part_of]
        bad = [r for r in refs if r and r not in ids]
        if (i.aggregation not in AGGREGATIONS or bad or (i.aggregation == "rate" and not i.denominator)
                or not set(i.checks) <= CHECKS or any(f.count("#") != 1 for f in i.forms)):
            raise UserError(f"Chỉ tiêu '{i.id}' trong {path} không hợp lệ "
                            "(cách tổng hợp, tham chiếu hoặc phép kiểm tra sai).")
    return indicators


def read_figure(indicator: Indicator, cell: object) -> Figure:
    """A unit's figure for ``indicator``, by its kind: a count or a rate is one number; a score may
    carry its scale ("7,97/10") and a rank the number ranked ("35/63", read as 35, the lower the
    better); a rank is a whole number from 1 and never beyond those ranked."""
    figure = parse_figure(cell, allow_ratio=indicator.aggregation in STANDINGS)
    if figure.value is None:
        return figure
    shown = figure.raw or cell
    if indicator.aggregation == "rank":
        if figure.value < 1 or not float(figure.value).is_integer():
            raise NumberError(f"'{shown}' không phải là thứ hạng: thứ hạng là số nguyên từ 1 "
                              "(ví dụ 35 hoặc 35/63).")
        if figure.of is not None and (figure.value > figure.of or not float(figure.of).is_integer()):
            raise NumberError(f"'{shown}': thứ hạng phải là số nguyên và không lớn hơn số đơn vị được xếp hạng.")
    elif indicator.aggregation == "score" and figure.of is not None and figure.value > figure.of:
        raise NumberError(f"'{shown}': số điểm lớn hơn thang điểm.")
    return figure
