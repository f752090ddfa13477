"""`make demo`: a whole reporting cycle on the embedded defaults, through the real flows.

The 2023 annual dân vận cycle is opened from request 2748/BNV-CTTN of 17/05/2024 with the
deadline the demo states ("chậm nhất ngày 31/5/2024"). Sample reports (marked "[DỮ LIỆU MẪU]";
An Giang's and Quảng Trị's carry the real figures of seeds 003 and 004) arrive in the inbox day
by day from 20/05 to 14/06/2024; the daily-tick flow takes them in, writes the reminders to
the outbox and checks the quorum; the quorum event starts compile-cycle through the
deployment trigger, and late reports start new versions. Everything lives in var/demo/,
wiped at the start, so the demo can be run again; the Prefect server keeps the runs.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from dvtracker.prefect_local import apply_prefect_env, ensure_server
from models import vnformat
from models.errors import UserError
from wiring.app import App, open_app
from wiring.settings import Settings, get_settings

CYCLE_ID = "danvan-2023-annual"
AN_GIANG = "p2004-89"
REVIEW_DAY = date(2024, 5, 27)  # the coordinator reviews An Giang's figures (a working day)
REQUEST, ISSUED, DEADLINE = "2748/BNV-CTTN", date(2024, 5, 17), "chậm nhất ngày 31/5/2024"
# The công văn đôn đốc drafted on 07/06/2024 (+5 working days) is signed and numbered on Monday 10/06.
LETTER, LETTER_ISSUED = "2901/BNV-CTTN", date(2024, 6, 10)
FIRST_DAY, LAST_DAY = date(2024, 5, 20), date(2024, 6, 14)
ROSTER_DAY = date(2023, 12, 31)  # the cycle's reference date: the end of its data window, the calendar year
SAMPLE = "[DỮ LIỆU MẪU]"
# Units that send nothing in the demo (most are among the non-reporters of seed 000's footnote).
SILENT = ["bng", "btp", "bgtvt", "bxd", "btttt", "bgddt", "bnnptnt", "byt", "bkhcn", "bvhttdl", "btnmt", "ttcp",
          "ubdt", "vov", "vtv", "bqll", "ttxvn", "vass", "vast", "cmsc", "bqp",
          "64", "01", "56", "10", "79", "84", "26", "15", "11", "96"]


@dataclass
class Arrival:
    day: date
    name: str  # file name in the inbox
    content: bytes
    note: str  # what this file shows in the demo


@dataclass(frozen=True)
class DemoCycle:
    """What differs between the collectors' demos: the cycle, its days and its sample files."""

    cycle_id: str
    year: int
    request: str
    issued: date
    deadline: str  # as the request states it
    first_day: date
    last_day: date
    roster_day: date
    plan: Callable[[App, Path], list[Arrival]]
    letter: tuple[str, date] | None = None  # the công văn đôn đốc's number and the day it is signed
    review: tuple[date, Callable[[Console, Settings, date], None]] | None = None


def collector_data(base: Settings, collector: str | None) -> Path:
    """The data folder of ``collector`` (a folder of data/provinces/); None: the national one."""
    if not collector:
        return base.data_dir
    folder = base.data_dir / "provinces" / collector
    if not (folder / "calendar.yaml").is_file():
        known = ", ".join(sorted(d.name for d in (base.data_dir / "provinces").iterdir() if d.is_dir()))
        raise UserError(f"Không có đơn vị thu thập '{collector}' trong {base.data_dir / 'provinces'} "
                        f"(hiện có: {known}).")
    return folder


def demo_settings(base: Settings, collector: str | None = None) -> Settings:
    """var/demo for the national collector, var/demo-<collector> for a province's: a database
    belongs to one collector."""
    return Settings(data_dir=collector_data(base, collector),
                    var_dir=base.var_dir / ("demo" + (f"-{collector}" if collector else "")),
                    prefect_home=base.prefect_home, prefect_port=base.prefect_port,
                    prefect_api_url=base.prefect_api_url)


# --- sample reports ------------------------------------------------------------------------------
def _n(value: float) -> str:
    return vnformat.number(value, 3)


def sample_report(app: App, unit_id: str, number: str, doc_date: date, rng: random.Random,
                  cycle: tuple[str, str, date] = (CYCLE_ID, REQUEST, ROSTER_DAY)) -> dict:
    """A plausible, clearly marked sample report of ``unit_id`` in the JSON form; ``cycle``: its id,
    the request it answers and the roster's day."""
    cycle_id, request, roster_day = cycle
    unit = app.roster.get(unit_id)
    name = unit.name_on(roster_day)
    scale = 4 if unit.group == "provincial" else 1
    periodic, regular, adhoc = (rng.randint(10, 120) * scale for _ in range(3))
    received = rng.randint(40, 400) * scale
    in_jurisdiction = rng.randint(5, 60) * scale
    reviewed = rng.randint(20, 300)
    registered = rng.randint(3, 40) * scale
    figures = {
        "plans_and_directives_issued": rng.randint(1, 12), "training_events_held": rng.randint(1, 20),
        "staff_trained": _n(rng.randint(100, 9000)), "dvk_models_registered": registered,
        "dvk_models_recognised": rng.randint(0, registered), "tthc_reviewed": reviewed,
        "tthc_proposed_removed": rng.randint(0, reviewed // 5), "tthc_proposed_amended": rng.randint(0, reviewed // 3),
        "reception_visits": _n(periodic + regular + adhoc), "reception_visits_periodic": periodic,
        "reception_visits_regular": regular, "reception_visits_adhoc": adhoc or "Không có",
        "reception_persons": _n((periodic + regular + adhoc) * rng.randint(11, 16) // 10),
        "reception_cases": rng.randint(10, 200) * scale, "mass_delegations": rng.choice(["Không có", 2, 5, 11]),
        "petitions_received": _n(received), "petitions_forwarded": rng.randint(0, received // 2),
        "complaint_cases_in_jurisdiction": in_jurisdiction,
        "complaint_cases_resolved": rng.randint(in_jurisdiction // 2, in_jurisdiction),
        "officials_disciplined": rng.choice(["Không có", 1, 3, 7]),
    }
    if unit.group == "provincial":
        figures |= {"par_index_score": _n(round(rng.uniform(80, 92), 2)), "papi_score": _n(round(rng.uniform(40, 46), 2)),
                    "sipas_score": _n(round(rng.uniform(7.8, 9.4), 2)) + "/10"}
    sections = {s.id: f"{SAMPLE} {name}: kết quả về {s.heading[:1].lower() + s.heading[1:]}."
                for s in app.config.stream("danvan").sections}
    sections["VI"] = {"status": "empty", "text": "Không có"} if rng.random() < 0.5 else sections["VI"]
    return {"schema": "dvtracker-report/1", "cycle": cycle_id, "unit": unit.code or unit.slug, "number": number,
            "date": doc_date.isoformat(), "signer": f"{SAMPLE} Người ký", "state": "signed",
            "answers_request": request, "sections": sections, "indicators": figures}


def plan_arrivals(app: App, work_dir: Path) -> list[Arrival]:
    """Which file lands in the inbox on which day. Deterministic (seeded)."""
    rng = random.Random(20240517)
    ref = ROSTER_DAY
    silent = {app.roster.find(code, ref).id for code in SILENT}
    senders = [u.id for u in app.roster.on(ref) if u.id not in silent | {AN_GIANG, "p2004-45"}]
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    working = [d for d in days if app.calendar.is_working_day(d)]
    on_time = [d for d in working if d <= date(2024, 5, 31)]
    late = [date(2024, 6, 3), date(2024, 6, 4), date(2024, 6, 5)]
    rng.shuffle(senders)
    # The last two (after the first compilation) are provinces: the quorum needs every central one.
    last_two = [u for u in senders if u.startswith("p")][-2:]
    senders = [u for u in senders if u not in last_two] + last_two
    arrivals: list[Arrival] = []

    def add(day: date, unit_id: str, report: dict, note: str, fmt: str = "json") -> None:
        arrivals.append(sample_arrival(app, work_dir, day, unit_id, report, note, fmt))

    for i, uid in enumerate(senders):
        if i < len(senders) - 2 - 20:  # most arrive by the deadline
            day = on_time[i % len(on_time)]
        elif i < len(senders) - 2:  # twenty late ones, up to the quorum
            day = late[i % len(late)]
        else:  # two after the first compilation: they make new versions
            day = date(2024, 6, 10) if i == len(senders) - 2 else date(2024, 6, 12)
        doc_day = day - timedelta(days=rng.randint(0, 3))
        add(day, uid, sample_report(app, uid, f"{100 + i}/BC", doc_day, rng), "mẫu", "xlsx" if i % 4 == 0 else "json")

    demo_data = app.settings.data_dir / "demo"
    an_giang = an_giang_package(app, work_dir / "an-giang-529-BC-UBND.edxml")
    arrivals.append(Arrival(date(2024, 5, 24), an_giang.name, an_giang.read_bytes(),
                            "báo cáo thật 529/BC-UBND của An Giang (Word trong gói edXML)"))
    quang_tri = json.loads((demo_data / "quang_tri.json").read_text(encoding="utf-8"))
    draft = dict(quang_tri, number="/BC-UBND", date=None, state="draft")
    arrivals.append(Arrival(date(2024, 5, 30), "quang-tri-du-thao.json", json.dumps(draft, ensure_ascii=False).encode(),
                            "dự thảo chưa có số"))
    arrivals.append(Arrival(date(2024, 6, 4), "quang-tri-612-BC-UBND.json", json.dumps(quang_tri, ensure_ascii=False).encode(),
                            "số liệu 342 + 78 ≠ 419"))
    arrivals.append(Arrival(date(2024, 5, 27), "bao-cao-hong.xlsx", b"PK\x03\x04 not really a workbook",
                            "tệp hỏng: bị từ chối"))
    first = next(a for a in arrivals if a.day == on_time[0] and a.name.endswith(".json"))
    arrivals.append(Arrival(on_time[2], f"gui-lai-{first.name}", first.content, "gửi lại trùng: không tạo phiên bản mới"))
    return sorted(arrivals, key=lambda a: (a.day, a.name))


def sample_arrival(app: App, work_dir: Path, day: date, unit_id: str, report: dict, note: str,
                   fmt: str = "json") -> Arrival:
    """``report`` as the file a unit sends: its JSON form, or the cycle's Excel form filled in."""
    unit = app.roster.get(unit_id)
    stem = f"bao-cao-{unit.code or unit.slug}-{day:%m%d}"
    if fmt == "xlsx":
        from services.intake import fill_form

        path = fill_form(app, report["cycle"], work_dir / f"{stem}.xlsx", unit=unit_id,
                         meta={k: report[k] for k in ("number", "signer", "answers_request")} |
                         {"date": f"{vnformat.day(day)}"},
                         values=dict(report["indicators"].items()))
        return Arrival(day, path.name, path.read_bytes(), note)
    return Arrival(day, f"{stem}.json", json.dumps(report, ensure_ascii=False, indent=1).encode(), note)


def an_giang_package(app: App, path: Path) -> Path:
    """An Giang's real report 529/BC-UBND (seed 003) as it travels: a Word document in an edXML
    package from the exchange system (the OrganId is the roster's sample id)."""
    from services.intake import sample_package

    text = (app.settings.data_dir / "demo" / "an_giang_529_bao_cao.txt").read_text(encoding="utf-8")
    return sample_package(
        path, text, organ_id=app.roster.get(AN_GIANG).organ_id or "", organ_name="Ủy ban nhân dân tỉnh An Giang",
        number="529/BC-UBND", place="An Giang", issued=date(2024, 5, 24),
        subject="Báo cáo kết quả thực hiện công tác dân vận của cơ quan hành chính nhà nước và chính quyền các cấp "
                "năm 2023", signer=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Phước"),
        header=(["ỦY BAN NHÂN DÂN", "TỈNH AN GIANG"], ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]))


def review_an_giang(console: Console, settings: Settings, day: date) -> None:
    """A coordinator looks at the figures read in An Giang's prose and accepts them (on ``day``)."""
    from models.audit import acting_as
    from models.clock import Clock, vn_moment
    from services.review import ReviewRequest, list_reviews, review

    app = open_app(settings, clock=Clock(at=vn_moment(day, 10)))
    try:
        [report] = list_reviews(app, CYCLE_ID, "89")
        console.print(f"  Số liệu đọc được trong báo cáo {report['doc_number']} của {report['unit_name']} "
                      "(chờ cán bộ xác nhận):", highlight=False)
        for p in report["proposals"]:
            sentence = p["sentence"] if len(p["sentence"]) <= 100 else p["sentence"][:99] + "…"
            console.print(f"    {p['number']}. {p['label']}: [bold]{escape(p['shown'])}[/bold] — «{escape(sentence)}» "
                          f"({p['location']})", highlight=False)
        with acting_as("demo:Cán bộ theo dõi (mẫu)"):
            [done] = review(app, ReviewRequest.of(cycle=CYCLE_ID, unit="89", accept_all=True))
        console.print(f"  Cán bộ chấp nhận cả {len(done['figures'])} số liệu (dvtracker review --cycle {CYCLE_ID} "
                      f"--unit 89 --accept-all): lưu thành phiên bản {done['current_version']} của báo cáo; ngày nhận "
                      "vẫn là 24/05/2024.", highlight=False)
    finally:
        app.close()


def write_contacts(app: App, path: Path, roster_day: date = ROSTER_DAY) -> Path:
    """Sample contacts for every expected unit (focal point and leadership), example.invalid."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit", "role", "channel", "address", "name"])
        for unit in app.roster.on(roster_day):
            code = unit.code or unit.slug
            writer.writerow([unit.id, "focal", "email", f"daumoi.{code}@example.invalid", f"Đầu mối {unit.name} (mẫu)"])
            writer.writerow([unit.id, "leadership", "email", f"lanhdao.{code}@example.invalid",
                             f"Lãnh đạo {unit.name} (mẫu)"])
    return path


# --- the run ------------------------------------------------------------------------------------
def _compile_runs(collector: str, cycle_id: str) -> list:
    """The runs of ``collector``'s compile-cycle deployment ("compile-cycle/<collector>") for ``cycle_id``."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName, FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["compile-cycle"])),
                                     deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[collector])))
    return [r for r in runs if r.parameters.get("cycle_id") == cycle_id and r.created is not None]


def _wait_for_compilations(console: Console, app: App, cycle_id: str, since, expected: int,
                           timeout: float = 240) -> list:
    """Wait until ``expected`` compile-cycle runs created after ``since`` have finished."""
    deadline = time.monotonic() + timeout
    with console.status("Chờ flow compile-cycle (do sự kiện kích hoạt) chạy xong…"):
        while time.monotonic() < deadline:
            runs = [r for r in _compile_runs(app.config.collector.id, cycle_id) if r.created >= since]
            if len(runs) >= expected and all(r.state and r.state.is_final() for r in runs):
                return runs
            time.sleep(2)
    raise UserError("Sau 4 phút vẫn chưa thấy flow compile-cycle chạy xong; "
                    f"xem {app.settings.var_dir / 'serve.log'}.")


def run_demo(console: Console, collector: str | None = None) -> None:
    """The whole demo cycle of the national collector, or of ``collector`` (a folder of data/provinces/)."""
    settings = demo_settings(get_settings(), collector)
    cycle = NATIONAL_CYCLE
    if collector:
        from dvtracker.demo_province import PROVINCE_CYCLES

        if collector not in PROVINCE_CYCLES:
            raise UserError(f"Chưa có kỳ chạy thử cho '{collector}' (có: {', '.join(PROVINCE_CYCLES)}).")
        cycle = PROVINCE_CYCLES[collector]
    if settings.var_dir.exists():
        shutil.rmtree(settings.var_dir)
    settings.var_dir.mkdir(parents=True)
    os.environ.update(DVTRACKER_DATA_DIR=str(settings.data_dir), DVTRACKER_VAR_DIR=str(settings.var_dir),
                      DVTRACKER_PREFECT_HOME=str(settings.prefect_home),
                      # the runs' logs go to the Prefect UI; the terminal shows the demo's own lines
                      PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="WARNING")
    get_settings.cache_clear()
    apply_prefect_env(settings)
    console.rule("[bold]dvtracker: chạy thử một kỳ báo cáo (dữ liệu mẫu)")
    console.print(f"Dữ liệu của bản chạy thử: {settings.var_dir} (xoá và tạo lại mỗi lần chạy).")
    with console.status("Khởi động máy chủ Prefect cục bộ (lần đầu mất khoảng 15 giây)…"):
        ui = ensure_server(settings).removesuffix("/api")
    console.print(f"Máy chủ Prefect: {ui} (dữ liệu riêng trong {settings.prefect_home}).")

    log = (settings.var_dir / "serve.log").open("ab")
    server = subprocess.Popen([sys.executable, "-m", "dvtracker", "serve", "--only", "compile-cycle"],
                              env={**os.environ, "PREFECT_RUNNER_POLL_FREQUENCY": "2"}, stdout=log, stderr=log)
    try:
        _run_cycle(console, settings, ui, cycle)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _run_cycle(console: Console, settings: Settings, ui: str, demo: DemoCycle) -> None:
    from prefect.types._datetime import now as prefect_now

    from flows.daily_tick import daily_tick
    from flows.open_cycle import open_cycle
    from services.cycles import NewRequest, add_request
    from services.reminders import import_contacts

    cycle_id = demo.cycle_id
    cycle = open_cycle(stream="danvan", kind="annual", year=demo.year, request_number=demo.request,
                       issued_on=demo.issued, deadline=demo.deadline)
    console.print(f"Đã mở kỳ [bold]{cycle['id']}[/bold] từ Công văn {demo.request} ngày {vnformat.day(demo.issued)}: "
                  f"{cycle['expected_count']} đơn vị phải báo cáo, hạn nộp \"{demo.deadline}\" → "
                  f"{vnformat.day(date.fromisoformat(cycle['deadline']))}.")
    app = open_app(settings)
    samples = settings.var_dir / "samples"
    samples.mkdir()
    imported = import_contacts(app, write_contacts(app, settings.var_dir / "contacts.csv", demo.roster_day),
                               demo.issued)
    console.print(f"Đã nạp {imported.created} đầu mối liên hệ mẫu (địa chỉ @example.invalid).")
    arrivals = demo.plan(app, samples)
    console.print(f"{len(arrivals)} tệp báo cáo mẫu sẽ đến hộp thư {settings.inbox_dir} từ {demo.first_day:%d/%m} "
                  f"đến {vnformat.day(demo.last_day)}.\n")

    compilations, last_tick = 0, None
    day = demo.first_day
    while day <= demo.last_day:
        settings.inbox_dir.mkdir(parents=True, exist_ok=True)
        for a in (a for a in arrivals if a.day == day):
            (settings.inbox_dir / a.name).write_bytes(a.content)
        if demo.letter and day == demo.letter[1]:
            linked = add_request(app, cycle_id, NewRequest.of(number=demo.letter[0], issued=day, kind="reminder"))
            if linked["letter"]:
                console.print(f"{vnformat.day(day)}: văn thư cho số Công văn {demo.letter[0]} (dự thảo đôn đốc "
                              f"{linked['letter']['units']} đơn vị): gửi lãnh đạo các đơn vị trong lần chạy hôm nay.")
        started = prefect_now("UTC")
        state = daily_tick(as_of=day, cycle_id=cycle_id, return_state=True)
        result, last_tick = state.result(), state.state_details.flow_run_id
        if "skipped" in result:
            console.print(f"{vnformat.day(day)}: ngày nghỉ ({result['skipped']}).", style="dim")
            day += timedelta(days=1)
            continue
        r = result["cycles"][cycle_id]
        notes = "; ".join(sorted({a.note for a in arrivals if a.day == day and a.note != "mẫu"}))
        console.print(f"{vnformat.day(day)}: nhận {result['files']} tệp, {r['actual']}/{r['expected']} đã báo cáo, "
                      f"gửi {r['reminders_sent']} nhắc nhở" + (f" — {notes}" if notes else ""))
        if demo.review and day == demo.review[0]:
            demo.review[1](console, settings, day)
        if r["quorum_newly_reached"] or (compilations and r["accepted"]):
            if r["quorum_newly_reached"]:
                console.print("  [bold green]Đủ điều kiện tổng hợp[/bold green]: đã phát sự kiện "
                              "dvtracker.cycle.quorum-reached.")
            runs = _wait_for_compilations(console, app, cycle_id, started, 1)
            compilations += 1
            console.print(f"  compile-cycle chạy xong ({runs[-1].state_name}): bản tổng hợp mới của kỳ.")
        day += timedelta(days=1)
    _report(console, app, settings, ui, last_tick, demo)


def _report(console: Console, app: App, settings: Settings, ui: str, last_tick, demo: DemoCycle) -> None:
    from sqlmodel import select

    from models.events import artifact_keys
    from models.tables import CompilationRow
    from services.tracking import status

    cycle_id = demo.cycle_id
    report = status(app, cycle_id, demo.last_day)
    with app.session() as session:
        versions = session.exec(select(CompilationRow).where(CompilationRow.cycle_id == cycle_id)
                                .order_by(CompilationRow.version)).all()
    console.rule("[bold]Kết quả")
    for g in report.groups.itertuples():
        console.print(f"{g.group_label.capitalize()}: {g.actual}/{g.expected} đã báo cáo "
                      f"({g.on_time} đúng hạn, {g.late} muộn), chưa báo cáo {g.missing}.")
    outbox = list(settings.outbox_dir.rglob("*.eml"))
    keys = artifact_keys(app.config.collector.id, cycle_id)
    console.print("\n[bold]Tệp đã tạo[/bold]")
    console.print(f"- Thư nhắc và bản tổng hợp gửi cán bộ theo dõi ({len(outbox)} tệp .eml): {settings.outbox_dir}")
    why = {"quorum": "khi đủ điều kiện tổng hợp", "late_report": "sau báo cáo muộn", "manual": "chạy tay"}
    for v in versions:
        files = v.summary.get("files", {})
        console.print(f"- Bản tổng hợp v{v.version} ({why.get(v.trigger, v.trigger)}, số liệu đến {vnformat.day(v.as_of)}): "
                      f"{v.out_dir}"
                      + (f" ({', '.join(Path(f).name for f in files.values())})" if files else ""))
    console.print(f"- Tình hình báo cáo từng ngày (Excel, CSV, biểu đồ PNG, tóm tắt): {settings.exports_dir / cycle_id}")
    console.print(f"- Mở các tệp trên từ trình duyệt (liên kết trong bản tóm tắt): `DVTRACKER_VAR_DIR={settings.var_dir} "
                  f"dvtracker files serve`, rồi {settings.files_url}/{cycle_id}/", markup=False)
    console.print(f"- Dự thảo công văn đôn đốc (Word): {settings.exports_dir / cycle_id / 'cong-van-don-doc'}")
    console.print(f"- Tệp đã nhận: {settings.inbox_dir / 'processed'}; bị từ chối (kèm lý do): "
                  f"{settings.inbox_dir / 'rejected'}")
    console.print("\n[bold]Xem trên giao diện Prefect[/bold] (máy chủ vẫn chạy; dừng bằng `dvtracker server stop`)")
    console.print(f"- Các lần chạy: {ui}/runs")
    if last_tick:
        console.print(f"- Lần chạy daily-tick cuối và các artifact của nó: {ui}/runs/flow-run/{last_tick}")
    console.print(f"- Bảng tình hình từng đơn vị: {ui}/artifacts/key/{keys['status']}")
    console.print(f"- Tóm tắt cho cán bộ theo dõi: {ui}/artifacts/key/{keys['summary']}")
    console.print(f"- Tỷ lệ báo cáo: {ui}/artifacts/key/{keys['rate']}; bản tổng hợp: {ui}/artifacts/key/{keys['compilation']}")
    console.print(f"- Dòng sự kiện của kỳ (báo cáo nhận, đơn vị muộn, nhắc nhở, tổng hợp): {ui}/events")
    console.print(f"- Deployment và lịch chạy: {ui}/deployments; tự động hoá (sự kiện → tổng hợp): {ui}/automations. "
                  "Chạy thử xong, các deployment ở trạng thái Not Ready (không còn tiến trình phục vụ); để tất cả Ready "
                  f"với lịch chạy: `DVTRACKER_DATA_DIR={settings.data_dir} DVTRACKER_VAR_DIR={settings.var_dir} "
                  ".venv/bin/dvtracker serve` (dừng bằng Ctrl+C).", markup=False)


NATIONAL_CYCLE = DemoCycle(CYCLE_ID, 2023, REQUEST, ISSUED, DEADLINE, FIRST_DAY, LAST_DAY, ROSTER_DAY, plan_arrivals,
                           letter=(LETTER, LETTER_ISSUED), review=(REVIEW_DAY, review_an_giang))
