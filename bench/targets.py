"""The benchmark's targets (issue 20), as ratios to the baselines measured beside the tool, and
the growth of each phase between sizes. Pure functions of the results ``bench/run.py`` collects."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

TARGET_SIZE = 10_000  # the targets are set for this many units
MEMORY_SIZE = 30_000  # and the memory target for this many
GIB_MB = 1024


def sig2(x: float) -> str:
    """``x`` to two significant digits (``:.2g``), written out: 0.74, 1.3, 36, 2200."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    return f"{float(f'{x:.2g}'):g}" if abs(x) >= 1 else f"{x:.2g}"


@dataclass(frozen=True)
class Target:
    label: str
    value: float
    limit: float
    at_most: bool  # True: value <= limit; False: value >= limit
    unit: str = ""

    @property
    def ok(self) -> bool:
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    def line(self) -> str:
        sign = "≤" if self.at_most else "≥"
        return (f"{self.label}: {sig2(self.value)}{self.unit} (mục tiêu {sign} {sig2(self.limit)}{self.unit}) "
                f"{'PASS' if self.ok else 'FAIL'}")


def ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.inf


SWEEP_RATE = 1000  # reports a second through an inbox sweep of many files, on SQLite


def targets(r: dict, db: str = "sqlite") -> list[Target]:
    """The targets of time and rate one size's results are held to (set for ``TARGET_SIZE`` units).
    The inbox sweep's rate is a target on SQLite only: the inbox sits on the machine that sweeps it,
    beside its SQLite file, while PostgreSQL's rate depends on the server's commit latency (its
    figure is printed in the table all the same)."""
    s, t, c = r["setup"], r["tick"], r["compile"]
    sweep = s.get("intake_sweep")
    return [
        Target("Tick / chuẩn", ratio(t["seconds"], t["baseline_seconds"]), 2, True, "×"),
        Target("Tổng hợp (không ghi tệp) / chuẩn", ratio(c["seconds"], c["baseline_seconds"]), 3, True, "×"),
        Target("Tổng hợp (không ghi tệp)", c["seconds"], 3, True, " s"),
        Target("Nhận JSON qua submit / sàn", ratio(s["intake_json"]["per_second"], s["intake_floor"]["per_second"]),
               0.5, False, "×"),
        *([Target("Quét inbox (nhiều tệp)", sweep["per_second"], SWEEP_RATE, False, " báo cáo/s")]
          if sweep and db == "sqlite" else []),
        Target("Nhận bảng tính Excel", s["intake_workbook"]["per_second"], 100, False, " báo cáo/s"),
        Target("Luồng hằng ngày (cả tệp xuất) / tick", ratio(t["daily_seconds"], t["seconds"]), 2, True, "×"),
    ]


def memory_targets(r: dict) -> list[Target]:
    """Peak memory of each phase, held to 1 GiB from ``MEMORY_SIZE`` units."""
    if r["units"] < MEMORY_SIZE:
        return []
    phases = (("tick", r["tick"]), ("tổng hợp", r["compile"]), ("ghi Word + Excel", r.get("documents")))
    return [Target(f"RAM đỉnh, {name}", phase["peak_rss_mb"], GIB_MB, True, " MB") for name, phase in phases if phase]


# What grows with the number of units: seconds of each phase (intake: seconds per file).
GROWING: dict[str, Callable[[dict], float | None]] = {
    "tick": lambda r: r["tick"]["seconds"],
    "tick, chuẩn": lambda r: r["tick"]["baseline_seconds"],
    "luồng hằng ngày": lambda r: r["tick"].get("daily_seconds"),
    "tổng hợp": lambda r: r["compile"]["seconds"],
    "tổng hợp, chuẩn": lambda r: r["compile"]["baseline_seconds"],
    "+Word+Excel": lambda r: r["documents"]["seconds"] if r.get("documents") else None,
    "nhận JSON (s/tệp)": lambda r: 1 / r["setup"]["intake_json"]["per_second"],
    "quét inbox (s/tệp)": lambda r: 1 / r["setup"]["intake_sweep"]["per_second"] if "intake_sweep" in r["setup"] else None,
    "nhận Excel (s/tệp)": lambda r: 1 / r["setup"]["intake_workbook"]["per_second"],
}


def growth(n1: int, t1: float | None, n2: int, t2: float | None) -> float | None:
    """k in time ~ units^k between two sizes: log(t2/t1) / log(n2/n1)."""
    if not t1 or not t2 or t1 <= 0 or t2 <= 0 or n2 == n1:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def exponents(results: list[dict]) -> dict[str, list[tuple[int, int, float | None]]]:
    """For each phase, its exponent between each pair of consecutive sizes measured."""
    ordered = sorted(results, key=lambda r: r["units"])
    return {name: [(a["units"], b["units"], growth(a["units"], get(a), b["units"], get(b)))
                   for a, b in itertools.pairwise(ordered)]
            for name, get in GROWING.items()}
