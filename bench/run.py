"""The benchmark: for 93, 1 000, 10 000 and 30 000 units (and, named ``communes``, the 3 321 real
communes of the country as one collector's units), intake rate, daily tick, compilation and
peak memory, on SQLite and PostgreSQL, each beside its baseline (``bench/baselines.py``: the same
answer written the short way, checked equal), with the targets of issue 20 as ratios.

    .venv/bin/python bench/run.py                      # SQLite (and PostgreSQL if DVTRACKER_TEST_PG_URL is set)
    scripts/with-postgres .venv/bin/python bench/run.py --db both
    .venv/bin/python bench/run.py --quick              # 93 and 1 000 units: a look in a minute
    .venv/bin/python bench/run.py --sizes communes --db sqlite   # the national commune level only

Every phase of every size runs in a fresh process (its peak memory is its own); inside it, the
tool and its baseline run in turns. Results are printed as a table, the targets with PASS/FAIL
and the growth exponent of each phase between sizes, and written to
bench/results/<date>-<database>.json.
"""

from __future__ import annotations

import argparse
import json
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

from bench.generate import COMMUNE_UNITS, COMMUNES, parse_size  # noqa: E402
from bench.targets import TARGET_SIZE, exponents, memory_targets, sig2, targets  # noqa: E402 (after the path is set)

QUICK_SIZES = "93,1000"


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


def run_size(db: str, size: int | str, root: Path, pg_url: str | None, repeat: int, documents: bool) -> dict:
    folder = root / f"{db}-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'var' / 'bench.db'}" if db == "sqlite" else pg_database(pg_url, f"dvtracker_bench_{size}")
    out = {"units": COMMUNE_UNITS if size == COMMUNES else size} | ({"size": size} if size == COMMUNES else {})
    phases = ["setup", "tick", "compile"] + (["documents"] if documents else [])
    try:
        for phase in phases:
            result_file = folder / f"{phase}.json"
            started = time.perf_counter()
            print(f"  {db} {size:>8} đơn vị: {phase} …", end="", flush=True)
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
def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def print_table(db: str, results: list[dict], meta: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 160))
    table = Table(title=f"dvtracker — benchmark, {db}, {meta['date']}, {meta['cpus']} lõi")
    for header in ["đơn vị", "báo cáo", "JSON/s", "sàn/s", "quét/s", "Excel/s", "tick s", "chuẩn s", "tỷ lệ",
                   "hằng ngày s", "tổng hợp s", "chuẩn s", "tỷ lệ", "+Word+Excel s", "RAM đỉnh MB"]:
        table.add_column(header, justify="right")
    for r in results:
        s, t, c, d = r["setup"], r["tick"], r["compile"], r.get("documents")
        table.add_row(
            number(r["units"]) + (" (xã cả nước)" if r.get("size") == COMMUNES else ""), number(s["reports"]),
            f"{sig2(s['intake_json']['per_second'])} ({s['intake_json']['files']})",
            sig2(s["intake_floor"]["per_second"]),
            sig2(s["intake_sweep"]["per_second"]) if "intake_sweep" in s else "-",
            f"{sig2(s['intake_workbook']['per_second'])} ({s['intake_workbook']['files']})",
            sig2(t["seconds"]), sig2(t["baseline_seconds"]), f"{sig2(t['seconds'] / t['baseline_seconds'])}×",
            sig2(t["daily_seconds"]),
            sig2(c["seconds"]), sig2(c["baseline_seconds"]), f"{sig2(c['seconds'] / c['baseline_seconds'])}×",
            sig2(d["seconds"]) if d else "-",
            f"{t['peak_rss_mb']}/{c['peak_rss_mb']}/{d['peak_rss_mb'] if d else '-'}",
        )
    console.print(table)
    console.print(
        "JSON/s, Excel/s: báo cáo mỗi giây qua đường tiếp nhận thật (submit_files: giữ tệp gốc, đọc, kiểm tra, lưu "
        "phiên bản, ghi kết quả), trên một mẫu (số tệp trong ngoặc); sàn/s: cùng các tệp JSON, cùng phần đọc và kiểm "
        "tra của dự án, lưu bằng câu INSERT trực tiếp, mỗi tệp một giao dịch; quét/s: cùng các tệp JSON đặt vào thư mục "
        "inbox rồi quét (sweep_inbox: mỗi nhóm tối đa 50 tệp một giao dịch, mỗi tệp một savepoint, tệp chỉ được chuyển "
        "đi sau khi nhóm đã ghi xong); các báo cáo còn lại được nạp thẳng.\n"
        "tick: trạng thái mọi đơn vị + các nhắc đến hạn (soạn đủ, không gửi) + túc số; chuẩn: cùng trạng thái, số đếm "
        "theo nhóm, cùng danh sách nhắc và cùng nội dung từng thư (một câu SQL, plan_reminders, mẫu của dự án biên "
        "dịch một lần); hằng ngày: run_daily_tick trọn vẹn (thêm bản tổng hợp, tệp xuất Excel/CSV, tóm tắt, sự kiện), "
        "không gửi.\n"
        "tổng hợp: số liệu, so sánh cùng kỳ, kiểm tra, chú thích, mã đầu vào, tóm tắt — không ghi tệp; chuẩn: cùng tổng "
        "và số đơn vị của các chỉ tiêu cộng theo nhóm và toàn bộ, một câu SQL SUM/COUNT … GROUP BY; "
        "+Word+Excel: compile_cycle trọn vẹn.\n"
        "Công cụ và chuẩn chạy xen kẽ trong cùng một tiến trình; thời gian là trung vị; kết quả của chuẩn được so "
        "với công cụ (khác là dừng). RAM đỉnh: tiến trình tick (cả chuẩn và luồng hằng ngày) / tổng hợp / ghi tệp.")
    at = next((r for r in results if r["units"] == TARGET_SIZE), max(results, key=lambda r: r["units"]))
    note = "" if at["units"] == TARGET_SIZE else f" (mục tiêu đặt cho {number(TARGET_SIZE)} đơn vị)"
    console.print(f"Mục tiêu, {number(at['units'])} đơn vị{note}:")
    for target in targets(at, db):
        console.print(f"  {target.line()}")
    for r in results:
        for target in memory_targets(r):
            console.print(f"  {number(r['units'])} đơn vị, {target.line()}")
    growth = exponents(results)
    if len(results) > 1:
        console.print("Số mũ tăng trưởng k (thời gian ~ số đơn vị^k) giữa các cỡ liên tiếp:")
        for name, pairs in growth.items():
            cells = [f"{number(a)}→{number(b)}: {f'{k:.2f}' if k is not None else '-'}" for a, b, k in pairs]
            console.print(f"  {name}: " + "; ".join(cells))
    console.print(f"Tải máy (load average 1/5/15 phút) lúc bắt đầu: {meta['load_start']}; lúc kết thúc: "
                  f"{meta['load_end']}.")


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="93,1000,10000,30000",
                        help=f"numbers of units, comma-separated; '{COMMUNES}': the {COMMUNE_UNITS} communes of the country")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES} only, two runs each")
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
    parser.add_argument("--size", type=parse_size, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    if args.quick:
        args.sizes, args.repeat = QUICK_SIZES, min(args.repeat, 2)
    sizes = [parse_size(x) for x in args.sizes.split(",") if x.strip()]
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
                        platform=platform.platform(), load_start=load(), sizes=sizes, repeat=args.repeat)
            results = [run_size(db, n, root, args.pg_url, args.repeat, not args.no_documents) for n in sizes]
            meta["load_end"] = load()
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
