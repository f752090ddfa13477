"""A province's communes (xã, phường, đặc khu since 01/07/2025) as rows of ``roster/units.csv``,
generated from the ``vietnam-provinces`` package.

The package (maintained, official codes of the 34 provinces and 3 321 communes, data of
2025-08-02) is GPL-3.0-or-later, so it is an optional extra used only by this generating
command (``pip install 'dvtracker[communes]'``): the facts it yields, names and codes, are written
into the collector's data file and the tool never imports the package at run time.
"""

from __future__ import annotations

import importlib
from datetime import date

from models.errors import UserError

REFORM_DAY = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15 and the communes' resolutions took effect
KINDS = {"xã": "XA", "phường": "PHUONG", "đặc khu": "DACKHU"}


def _package():
    try:
        return importlib.import_module("vietnam_provinces")
    except ImportError:
        raise UserError("Cần gói vietnam-provinces để sinh danh mục xã, phường: "
                        "pip install 'dvtracker[communes]'.") from None


def province_codes() -> list[int]:
    """The codes of the 34 provinces and cities, in order."""
    return sorted(p.code.value for p in _package().Province.iter_all())


def province_communes(province_code: int, group: str = "commune") -> tuple[str, list[dict]]:
    """(the province's name, its communes as units.csv rows in the package's order of codes)."""
    vp = _package()
    provinces = {p.code.value: p for p in vp.Province.iter_all()}
    if province_code not in provinces:
        known = ", ".join(f"{c:02d} {p.name}" for c, p in sorted(provinces.items()))
        raise UserError(f"Không có tỉnh, thành phố mã {province_code:02d} (các mã: {known}).")
    province = provinces[province_code]
    rows = []
    for ward in sorted((w for w in vp.Ward.iter_all() if w.province_code.value == province_code),
                       key=lambda w: w.code.value):
        code = f"{ward.code.value:05d}"
        rows.append(dict(id=f"w2025-{code}", group=group, kind=KINDS[ward.division_type.value], code=code,
                         slug="", name=ward.name, official="1", valid_from=REFORM_DAY.isoformat(),
                         valid_to="", organ_id=""))
    name = province.name if province.name.startswith("Thành phố") else f"Tỉnh {province.name}"
    return name, rows
