"""The benchmark: for 93, 1 000 and 10 000 units, intake rate, daily tick, compilation and peak
memory, on SQLite and PostgreSQL, beside a hand-written baseline (one SQL query, one groupby).

    .venv/bin/python bench/run.py                      # SQLite (and PostgreSQL if DVTRACKER_TEST_PG_URL is set)
    scripts/with-postgres .venv/bin/python bench/run.py --db both
    .venv/bin/python bench/run.py --sizes 93,1000 --db sqlite --repeat 1

Every phase of every size runs in a fresh process (its peak memory is its own). Results are
printed as a table and written to bench/results/<date>-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

TARGETS = {"tick": 5.0, "compile": 3.0}  # seconds, for 10 000 units (issue 7)
TARGET_SIZE = 10_000
LINEAR = 1.15  # growth exponent accepted as linear (time ~ units^k)


# --- one phase, in this process ---------------------------------------------------------------
def worker(args: argparse.Namespace) -> None:
    from bench.measure import Workspace, run_phase

    ws = Workspace(Path(args.folder), args.url, args.size)
    result = run_phase(args.worker, ws, args.repeat)
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")


# --- databases ----------------------------------------------------------------------------------
def pg_database(admin_url: str, name: str, *, drop_only: bool = False) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def run_size(db: str, size: int, root: Path, pg_url: str | None, repeat: int, documents: bool) -> dict:
    folder = root / f"{db}-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'var' / 'bench.db'}" if db == "sqlite" else pg_database(pg_url, f"dvtracker_bench_{size}")
    out = {"units": size}
    phases = ["setup", "tick", "compile"] + (["documents"] if documents else [])
    try:
        for phase in phases:
            result_file = folder / f"{phase}.json"
            started = time.perf_counter()
            print(f"  {db} {size:>6} đơn vị: {phase} …", end="", flush=True)
            subprocess.run([sys.executable, __file__, "--worker", phase, "--folder", str(folder), "--url", url,
                            "--size", str(size), "--repeat", str(repeat), "--result", str(result_file)],
                           check=True, cwd=PROJECT_DIR)
            out[phase] = json.loads(result_file.read_text(encoding="utf-8"))
            print(f" {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        if db == "postgresql":
            pg_database(pg_url, f"dvtracker_bench_{size}", drop_only=True)
    return out


# --- the table ----------------------------------------------------------------------------------
def exponent(results: list[dict], phase: str) -> float | None:
    """k in time ~ units^k between the two largest sizes measured."""
    points = [(r["units"], r[phase]["seconds"]) for r in results if phase in r]
    if len(points) < 2:
        return None
    (n1, t1), (n2, t2) = sorted(points)[-2:]
    return math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 and n2 > n1 else None


def print_table(db: str, results: list[dict], meta: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    table = Table(title=f"dvtracker — benchmark, {db}, {meta['date']}, {meta['cpus']} lõi")
    for header in ["đơn vị", "báo cáo", "nhận JSON/s", "nhận Excel/s", "tick s", "chuẩn s", "tỷ lệ",
                   "tổng hợp s", "chuẩn s", "tỷ lệ", "+Word+Excel s", "RAM đỉnh MB"]:
        table.add_column(header, justify="right")
    for r in results:
        s, t, c, d = r["setup"], r["tick"], r["compile"], r.get("documents")
        table.add_row(
            f"{r['units']:,}".replace(",", "."), f"{s['reports']:,}".replace(",", "."),
            f"{s['intake_json']['per_second']:.0f} ({s['intake_json']['files']})",
            f"{s['intake_workbook']['per_second']:.1f} ({s['intake_workbook']['files']})",
            f"{t['seconds']:.2f}", f"{t['baseline_seconds']:.3f}", f"{t['seconds'] / t['baseline_seconds']:.0f}×",
            f"{c['seconds']:.2f}", f"{c['baseline_seconds']:.3f}", f"{c['seconds'] / c['baseline_seconds']:.0f}×",
            f"{d['seconds']:.1f}" if d else "-",
            f"{t['peak_rss_mb']}/{c['peak_rss_mb']}/{d['peak_rss_mb'] if d else '-'}",
        )
    console.print(table)
    console.print(
        "nhận JSON/s, nhận Excel/s: báo cáo mỗi giây qua đường tiếp nhận thật (submit_files: giữ tệp gốc, đọc, kiểm "
        "tra, lưu phiên bản, ghi kết quả), đo trên một mẫu (số tệp trong ngoặc); các báo cáo còn lại được nạp thẳng "
        "vào cơ sở dữ liệu để tick và tổng hợp thấy đủ.\n"
        "tick: trạng thái mọi đơn vị + các nhắc đến hạn (soạn đủ, không gửi) + túc số, cho mỗi kỳ đang mở.\n"
        "tổng hợp: số liệu, so sánh cùng kỳ, kiểm tra, chú thích, mã đầu vào, tóm tắt — không ghi tệp; "
        "+Word+Excel: compile_cycle trọn vẹn, ghi dự thảo Word, phụ lục Excel, Markdown.\n"
        "chuẩn: cùng trạng thái và số đếm theo nhóm (tick) / cùng tổng các chỉ tiêu cộng (tổng hợp), bằng một câu SQL "
        "viết tay và một groupby pandas; tỷ lệ = công cụ / chuẩn. Thời gian: trung vị của các lần chạy.\n"
        "RAM đỉnh: bộ nhớ thường trú lớn nhất của tiến trình tick / tổng hợp / ghi tệp (mỗi phần một tiến trình).")
    for phase, label in (("tick", "Tick"), ("compile", "Tổng hợp")):
        k = exponent(results, phase)
        largest = max(results, key=lambda r: r["units"])
        verdict = []
        if k is not None:
            verdict.append(f"thời gian ~ số đơn vị^{k:.2f} ({'tuyến tính' if k <= LINEAR else 'TĂNG NHANH HƠN TUYẾN TÍNH'})")
        if largest["units"] == TARGET_SIZE:
            sec = largest[phase]["seconds"]
            ok = "đạt" if sec <= TARGETS[phase] else "CHƯA ĐẠT"
            units = f"{TARGET_SIZE:,}".replace(",", ".")
            verdict.append(f"{sec:.2f} s cho {units} đơn vị, mục tiêu ≤ {TARGETS[phase]:.0f} s: {ok}")
        if verdict:
            console.print(f"{label}: " + "; ".join(verdict) + ".")
    console.print(f"Tải máy (load average 1 phút) lúc bắt đầu/kết thúc: {meta['load_start']:.2f} / {meta['load_end']:.2f}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="93,1000,10000", help="numbers of units, comma-separated")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default=None,
                        help="default: both when a PostgreSQL URL is known, else sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("DVTRACKER_TEST_PG_URL"),
                        help="a PostgreSQL server where databases may be created (default: DVTRACKER_TEST_PG_URL)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the tick and of the compilation (median)")
    parser.add_argument("--no-documents", action="store_true", help="skip writing the Word draft and Excel annex")
    parser.add_argument("--out", default=str(PROJECT_DIR / "bench" / "results"), help="folder of the JSON results")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (data, SQLite, files written)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    for hidden in ("--folder", "--url", "--result"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    db_choice = args.db or ("both" if args.pg_url else "sqlite")
    databases = ["sqlite", "postgresql"] if db_choice == "both" else [db_choice]
    if "postgresql" in databases and not args.pg_url:
        parser.error("PostgreSQL needs --pg-url or DVTRACKER_TEST_PG_URL (scripts/with-postgres sets it).")
    if db_choice == "sqlite" and not args.pg_url:
        print("Chỉ đo trên SQLite; để đo cả PostgreSQL: scripts/with-postgres .venv/bin/python bench/run.py --db both")
    root = Path(tempfile.mkdtemp(prefix="dvtracker-bench-"))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        for db in databases:
            meta = dict(date=date.today().isoformat(), database=db, cpus=os.cpu_count(), python=platform.python_version(),
                        platform=platform.platform(), load_start=os.getloadavg()[0], sizes=sizes, repeat=args.repeat)
            results = [run_size(db, n, root, args.pg_url, args.repeat, not args.no_documents) for n in sizes]
            meta["load_end"] = os.getloadavg()[0]
            path = out_dir / f"{meta['date']}-{db}.json"
            path.write_text(json.dumps(dict(meta=meta, results=results), ensure_ascii=False, indent=1), encoding="utf-8")
            print_table(db, results, meta)
            print(f"Kết quả: {path}")
    finally:
        if args.keep:
            print(f"Thư mục làm việc: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"Tổng thời gian: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
