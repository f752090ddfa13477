"""The indicator catalogue of a stream: which figures a report carries and how they add up."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from models.errors import UserError

AGGREGATIONS = {"sum", "rate", "list", "context"}
# Consistency checks an indicator asks for beyond the defaults (parts never exceed their total):
# sum_of_parts: the total equals the sum of its parts (visits = periodic + regular + ad hoc).
CHECKS = {"sum_of_parts"}


@dataclass(frozen=True)
class Indicator:
    id: str
    section: str
    label: str
    unit: str
    aggregation: str  # sum | rate (recomputed from summed parts) | list (never summed) | context
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
