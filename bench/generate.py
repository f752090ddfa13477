"""A synthetic collector for the benchmark: a Sở Nội vụ with ``n`` reporting units (departments in
group ``central``, communes in group ``provincial``), or, for the named size ``communes``, the
3 321 real communes of the country (official names and codes, one group ``commune``); its data folder in the project's formats
(roster CSVs, calendar.yaml, a 45-indicator catalogue, day overrides, contacts) and, for two
yearly cycles, every unit's filled report as the form dict that JSON files and workbooks carry.

Deterministic: the same size and seed give the same files and reports, byte for byte.
Nothing here touches a database; ``bench/load.py`` puts the data in one.
"""

from __future__ import annotations

import csv
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

from models.clock import vn_moment

PROJECT_DIR = Path(__file__).resolve().parents[1]
STREAM = "bench"
SEED = 20241216


@dataclass(frozen=True)
class CycleSpec:
    year: int
    request: str
    issued_on: date
    deadline_text: str
    deadline: date  # the last allowed day the wording gives (a working day)
    tick_day: date  # the day the benchmark's daily tick replays
    compile_day: date  # the as-of day of the benchmark's compilation

    @property
    def cycle_id(self) -> str:
        return f"{STREAM}-{self.year}-annual"


PREVIOUS = CycleSpec(2023, "1875/SNV-XDCQ", date(2023, 11, 20), "chậm nhất ngày 15/12/2023", date(2023, 12, 15),
                     date(2023, 12, 15), date(2023, 12, 29))
CURRENT = CycleSpec(2024, "2011/SNV-XDCQ", date(2024, 11, 20), "chậm nhất ngày 16/12/2024", date(2024, 12, 16),
                    date(2024, 12, 16), date(2024, 12, 31))
MERGED_ON = date(2024, 7, 1)  # some communes merged into a neighbour between the two cycles
COMMUNES = "communes"  # the named size: every xã, phường and đặc khu since 01/07/2025, one collector's units
COMMUNE_KINDS = {"XA": 2621, "PHUONG": 687, "DACKHU": 13}  # Nghị quyết 202/2025/QH15 and the provinces' resolutions
COMMUNE_UNITS = sum(COMMUNE_KINDS.values())  # 3 321


# --- the roster ------------------------------------------------------------------------------------
_AGENCIES = ["Sở Tài chính", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Công Thương",
             "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ", "Sở Văn hóa, Thể thao và Du lịch",
             "Sở Dân tộc và Tôn giáo", "Thanh tra tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "Ban Quản lý các khu công nghiệp",
             "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Văn hóa - Xã hội", "Phòng Kinh tế",
             "Phòng Tư pháp", "Trung tâm Phục vụ hành chính công", "Ban Tiếp công dân"]
_FIRST = ["An", "Bình", "Cẩm", "Đông", "Gia", "Hòa", "Hưng", "Khánh", "Long", "Mỹ", "Nghĩa", "Ninh", "Phú", "Phước",
          "Quang", "Sơn", "Tân", "Thạnh", "Thuận", "Tiên", "Trung", "Vĩnh", "Xuân", "Yên", "Đức", "Hải", "Lạc",
          "Minh", "Ngọc", "Thái", "Thượng", "Hạ", "Kim", "Lộc", "Phong", "Quảng", "Thọ", "Thanh", "Vạn", "Hồng"]
_SECOND = ["An", "Bình", "Châu", "Điền", "Đông", "Giang", "Hà", "Hải", "Hiệp", "Hòa", "Hưng", "Lâm", "Lợi", "Lộc",
           "Lương", "Minh", "Mỹ", "Nam", "Nghĩa", "Ninh", "Phong", "Phú", "Phúc", "Quý", "Sơn", "Tây", "Thành",
           "Thịnh", "Thủy", "Tiến", "Trạch", "Trung", "Tường", "Vinh", "Xá", "Yên", "Khê", "Lạc", "Thuận", "Định"]
_PREFIXES = ["Xã", "Phường", "Thị trấn", "Đặc khu"]


@dataclass
class Roster:
    central: list[str]  # unit ids, official order
    provincial: list[str]
    merged: dict[str, str]  # predecessor id -> successor id (the predecessor ended on MERGED_ON - 1)
    codes: dict[str, str]  # unit id -> code or slug, as a report names its unit
    names: dict[str, str]
    group: str = "provincial"  # the group of the units of ``provincial``
    kinds: dict[str, str] = field(default_factory=dict)  # unit id -> kind, when not the synthetic one

    @property
    def current(self) -> list[str]:
        return self.central + self.provincial

    @property
    def previous(self) -> list[str]:
        return self.central + self.provincial + list(self.merged)


def _place_names(count: int, rng: random.Random) -> list[str]:
    names = [f"{p} {a} {b}" for p in _PREFIXES for a in _FIRST for b in _SECOND if a != b]
    if count > len(names):
        names += [f"{n} {k}" for k in range(2, 2 + count // len(names)) for n in names]
    rng.shuffle(names)
    return names[:count]


def make_roster(n: int, rng: random.Random) -> Roster:
    """``n`` units in force today: about a tenth departments, the rest communes; plus one
    commune in fifty of last year, merged since into a neighbour."""
    n_central = max(1, round(n * 0.1))
    n_provincial = n - n_central
    n_merged = n_provincial // 50
    districts = [f"khu vực {a} {b}" for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(districts)
    central_names = [a if k == 0 else f"{a} {districts[k - 1]}"
                     for k in range(n_central // len(_AGENCIES) + 1) for a in _AGENCIES][:n_central]
    places = _place_names(n_provincial + n_merged, rng)
    central = [f"b-{i:05d}" for i in range(1, n_central + 1)]
    provincial = [f"x-{i:05d}" for i in range(1, n_provincial + 1)]
    old = [f"x-{i:05d}" for i in range(n_provincial + 1, n_provincial + n_merged + 1)]
    codes = {u: f"sb{i:05d}" for i, u in enumerate(central, 1)}
    codes.update({u: f"{i:05d}" for i, u in enumerate(provincial + old, 1)})
    names = dict(zip(central, central_names, strict=True)) | dict(zip(provincial + old, places, strict=True))
    merged = {o: rng.choice(provincial) for o in old}
    return Roster(central, provincial, merged, codes, names)


def commune_roster() -> Roster:
    """The 3 321 communes of the country as one collector's units, no departments, no mergers.

    The names and codes come from the ``vietnam-provinces`` package (GPL-3.0-or-later) through
    ``tasks.communes``, the module behind ``dvtracker data communes``: the benchmark is no part of
    the tool's run time, so it may import the package, which the tool itself never does (it only
    reads the units.csv that command writes). A change of the package's data fails here, loudly.
    """
    from tasks.communes import province_codes, province_communes

    rows = [row for code in province_codes() for row in province_communes(code, COMMUNES)[1]]
    kinds = Counter(r["kind"] for r in rows)
    if len(rows) != COMMUNE_UNITS or dict(kinds) != COMMUNE_KINDS or len({r["code"] for r in rows}) != COMMUNE_UNITS:
        raise RuntimeError(f"vietnam-provinces gives {len(rows)} communes ({dict(kinds)}), not the {COMMUNE_UNITS} "
                           f"({COMMUNE_KINDS}) in force since 01/07/2025: the benchmark's commune size needs checking.")
    ids = [r["id"] for r in rows]
    return Roster(central=[], provincial=ids, merged={}, codes={r["id"]: r["code"] for r in rows},
                  names={r["id"]: r["name"] for r in rows}, group="commune",
                  kinds={r["id"]: r["kind"] for r in rows})


# --- the indicator catalogue: 45 figures -------------------------------------------------------------
# id, section, label, unit, aggregation, numerator, denominator, part_of, checks
CATALOGUE = [
    ("plans_issued", "II.1", "Số chương trình, kế hoạch, văn bản chỉ đạo về công tác dân vận ban hành", "văn bản",
     "sum", "", "", "", ""),
    ("training_events", "II.2", "Số hội nghị, lớp tập huấn, bồi dưỡng về công tác dân vận", "hội nghị", "sum", "", "",
     "", ""),
    ("staff_trained", "II.2", "Số lượt cán bộ, công chức được tập huấn, bồi dưỡng", "lượt người", "sum", "", "", "", ""),
    ("propaganda_sessions", "III.2", "Số buổi tuyên truyền, vận động ở vùng đồng bào dân tộc thiểu số, tôn giáo",
     "buổi", "sum", "", "", "", ""),
    ("propaganda_participants", "III.2", "Số lượt người dự tuyên truyền, vận động", "lượt người", "sum", "", "", "", ""),
    ("dvk_registered", "III.3", "Số mô hình \"Dân vận khéo\" đăng ký", "mô hình", "sum", "", "", "", ""),
    ("dvk_recognised", "III.3", "Số mô hình \"Dân vận khéo\" được công nhận", "mô hình", "sum", "", "", "dvk_registered",
     ""),
    ("dvk_rate", "III.3", "Tỷ lệ mô hình \"Dân vận khéo\" được công nhận", "%", "rate", "dvk_recognised",
     "dvk_registered", "", ""),
    ("dvk_commended", "III.3", "Số mô hình, điển hình \"Dân vận khéo\" được khen thưởng", "mô hình", "sum", "", "", "",
     ""),
    ("tthc_reviewed", "III.4", "Số thủ tục hành chính được rà soát", "thủ tục", "sum", "", "", "", ""),
    ("tthc_removed", "III.4", "Số thủ tục hành chính đề nghị bãi bỏ", "thủ tục", "sum", "", "", "", ""),
    ("tthc_amended", "III.4", "Số thủ tục hành chính đề nghị sửa đổi, bổ sung", "thủ tục", "sum", "", "", "", ""),
    ("tthc_rate", "III.4", "Tỷ lệ thủ tục hành chính đề nghị cắt giảm, sửa đổi", "%", "rate",
     "tthc_removed+tthc_amended", "tthc_reviewed", "", ""),
    ("online_services", "III.4", "Số dịch vụ công trực tuyến", "dịch vụ", "sum", "", "", "", "sum_of_parts"),
    ("online_services_full", "III.4", "Dịch vụ công trực tuyến toàn trình", "dịch vụ", "sum", "", "", "online_services",
     ""),
    ("online_services_partial", "III.4", "Dịch vụ công trực tuyến một phần", "dịch vụ", "sum", "", "",
     "online_services", ""),
    ("records_online", "III.4", "Số hồ sơ trực tuyến tiếp nhận", "hồ sơ", "sum", "", "", "", ""),
    ("records_on_time", "III.4", "Số hồ sơ trực tuyến giải quyết đúng hạn", "hồ sơ", "sum", "", "", "records_online",
     ""),
    ("records_on_time_rate", "III.4", "Tỷ lệ hồ sơ trực tuyến giải quyết đúng hạn", "%", "rate", "records_on_time",
     "records_online", "", ""),
    ("feedback_received", "III.4", "Số phản ánh, kiến nghị của người dân, doanh nghiệp tiếp nhận", "phản ánh", "sum",
     "", "", "", ""),
    ("par_inspections", "III.4", "Số cơ quan, đơn vị được kiểm tra cải cách hành chính", "cơ quan", "sum", "", "", "",
     ""),
    ("par_index_score", "III.4", "Chỉ số cải cách hành chính (PAR INDEX): điểm", "điểm", "score", "", "", "", ""),
    ("par_index_rank", "III.4", "Chỉ số cải cách hành chính (PAR INDEX): xếp hạng", "hạng", "rank", "", "", "", ""),
    ("sipas_score", "III.4", "Chỉ số hài lòng SIPAS: điểm", "điểm", "score", "", "", "", ""),
    ("civil_service_inspections", "III.5", "Số cơ quan, đơn vị được kiểm tra công vụ", "cơ quan", "sum", "", "", "", ""),
    ("officials_disciplined", "III.5", "Số cán bộ, công chức, viên chức bị xử lý kỷ luật", "người", "sum", "", "", "",
     ""),
    ("reception_visits", "III.6", "Số lượt tiếp công dân", "lượt", "sum", "", "", "", "sum_of_parts"),
    ("reception_visits_periodic", "III.6", "Tiếp định kỳ của người đứng đầu (lượt)", "lượt", "sum", "", "",
     "reception_visits", ""),
    ("reception_visits_regular", "III.6", "Tiếp thường xuyên (lượt)", "lượt", "sum", "", "", "reception_visits", ""),
    ("reception_visits_adhoc", "III.6", "Tiếp đột xuất (lượt)", "lượt", "sum", "", "", "reception_visits", ""),
    ("reception_persons", "III.6", "Số người được tiếp", "người", "sum", "", "", "", ""),
    ("reception_cases", "III.6", "Số vụ việc (đã lọc trùng)", "vụ việc", "sum", "", "", "", ""),
    ("mass_delegations", "III.6", "Số đoàn đông người", "đoàn", "sum", "", "", "", ""),
    ("dialogues_held", "III.6", "Số cuộc đối thoại của người đứng đầu với Nhân dân", "cuộc", "sum", "", "", "", ""),
    ("petitions_received", "III.6", "Số đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh tiếp nhận", "đơn", "sum", "",
     "", "", ""),
    ("petitions_forwarded", "III.6", "Số đơn chuyển cơ quan có thẩm quyền", "đơn", "sum", "", "", "petitions_received",
     ""),
    ("complaint_cases", "III.6", "Số vụ việc khiếu nại, tố cáo thuộc thẩm quyền", "vụ việc", "sum", "", "", "", ""),
    ("complaint_resolved", "III.6", "Số vụ việc khiếu nại, tố cáo đã giải quyết", "vụ việc", "sum", "", "",
     "complaint_cases", ""),
    ("complaint_rate", "III.6", "Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền", "%", "rate",
     "complaint_resolved", "complaint_cases", "", ""),
    ("conciliation_cases", "III.6", "Số vụ việc hòa giải ở cơ sở", "vụ việc", "sum", "", "", "", ""),
    ("mttq_supervisions", "III.7", "Số cuộc giám sát, phản biện xã hội của Mặt trận và các đoàn thể", "cuộc", "sum",
     "", "", "", ""),
    ("mttq_recommendations", "III.7", "Số kiến nghị sau giám sát được tiếp thu", "kiến nghị", "sum", "", "", "", ""),
    ("staff_count", "I", "Số cán bộ, công chức, viên chức, người lao động", "người", "context", "", "", "", ""),
    ("population", "I", "Dân số trên địa bàn", "người", "context", "", "", "", ""),
    ("villages", "I", "Số thôn, tổ dân phố", "thôn", "context", "", "", "", ""),
]
CATALOGUE_COLUMNS = ["id", "section", "label", "unit", "aggregation", "numerator", "denominator", "part_of", "checks"]

SECTIONS = [
    ("I", "Khái quát chung"),
    ("II.1", "Lãnh đạo, chỉ đạo triển khai công tác dân vận"),
    ("II.2", "Quán triệt, tuyên truyền, tập huấn cán bộ về công tác dân vận"),
    ("III.1", "Thể chế; thực hiện dân chủ ở cơ sở; phối hợp thực hiện công tác dân vận"),
    ("III.2", "Tuyên truyền, vận động vùng đồng bào dân tộc thiểu số, vùng tôn giáo"),
    ("III.3", "Phong trào thi đua \"Dân vận khéo\""),
    ("III.4", "Cải cách hành chính, thủ tục hành chính, chuyển đổi số"),
    ("III.5", "Đạo đức công vụ; kiểm tra, thanh tra công vụ, xử lý vi phạm"),
    ("III.6", "Tiếp công dân, đối thoại, giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh"),
    ("III.7", "Phối hợp với Mặt trận Tổ quốc và các tổ chức chính trị - xã hội"),
    ("IV.1", "Ưu điểm"),
    ("IV.2", "Khó khăn, hạn chế và nguyên nhân"),
    ("V", "Phương hướng, nhiệm vụ, giải pháp kỳ tới"),
    ("VI", "Kiến nghị, đề xuất"),
]
_SENTENCES = [
    "Cấp ủy, chính quyền tiếp tục quan tâm lãnh đạo, chỉ đạo thực hiện công tác dân vận.",
    "Đã tổ chức quán triệt, triển khai đầy đủ các văn bản của cấp trên đến cán bộ, công chức.",
    "Việc tiếp công dân, đối thoại với Nhân dân được duy trì thường xuyên, đúng quy định.",
    "Phong trào thi đua \"Dân vận khéo\" được triển khai sâu rộng, có nhiều mô hình hiệu quả.",
    "Công tác cải cách hành chính, chuyển đổi số có chuyển biến tích cực.",
    "Một số nơi việc phối hợp giữa chính quyền với Mặt trận và các đoàn thể chưa chặt chẽ.",
    "Tiếp tục nâng cao chất lượng giải quyết khiếu nại, tố cáo ngay từ cơ sở.",
]


# --- the data folder ---------------------------------------------------------------------------------
def _csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def calendar_config(n_central: int, group: str = "provincial") -> dict:
    """calendar.yaml of a provincial collector with one stream expecting every unit; with
    ``group="commune"`` and no departments, the communes' collector, its group as Quảng Ninh's."""
    groups = dict(central=dict(label="sở, ban, ngành"),
                  provincial=dict(label="xã, phường", out_of=True, generic=["Xã ", "Phường "],
                                  addressed_via="Ủy ban nhân dân"))
    shares = {"central": 0.3 if n_central else 0.0, "provincial": 0.8}
    if group == "commune":
        groups = dict(commune=dict(label="xã, phường, đặc khu", out_of=True, generic=["Xã ", "Phường ", "Đặc khu "],
                                   addressed_via="Ủy ban nhân dân"))
        shares = {"commune": 0.8}
    return dict(
        collector=dict(name="Sở Nội vụ tỉnh Mẫu", parent="Ủy ban nhân dân tỉnh Mẫu", department="Phòng Xây dựng chính quyền",
                       symbol="SNV-XDCQ", report_symbol="BC-SNV", place="Thành phố Mẫu",
                       report_to="Ủy ban nhân dân tỉnh"),
        groups=groups,
        data_windows=dict(nd09=dict(annual=dict(start=[-1, 12, 15], end=[0, 12, 14]))),
        reminder_policies=dict(standard=dict(hour=8, stages=[
            dict(id="truoc-5", offset=-5), dict(id="truoc-2", offset=-2), dict(id="dung-han", offset=0),
            dict(id="sau-2", offset=2), dict(id="sau-5", offset=5, escalate=True)])),
        streams={STREAM: dict(
            name="Công tác dân vận của chính quyền các cấp (số liệu tổng hợp)", short_name="dân vận chính quyền",
            report_title="Kết quả thực hiện công tác dân vận của chính quyền các cấp",
            basis=["Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ"],
            expected=dict(groups=list(groups), include=[], exclude=[]),
            cycle_kinds=["annual"], data_window="nd09", indicators=f"indicators/{STREAM}.csv",
            quorum=dict(shares=shares, required=[]),
            reminders="standard",
            sections=[dict(id=i, heading=h) for i, h in SECTIONS],
            parts={"I": "KHÁI QUÁT CHUNG", "II": "CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", "III": "KẾT QUẢ THỰC HIỆN",
                   "IV": "ĐÁNH GIÁ CHUNG", "V": "NHIỆM VỤ, GIẢI PHÁP", "VI": "KIẾN NGHỊ, ĐỀ XUẤT"},
        )},
    )


def write_data_dir(folder: Path, roster: Roster) -> None:
    """The collector's data folder, in the formats of the project's ``data/``."""
    units = [[u, "central", "OTHER", "", roster.codes[u], roster.names[u], 1, "2020-01-01", ""] for u in roster.central]
    # The communes of 2025 too are in force from 2020 here: every size replays the same two cycles
    # (2023, 2024), and what is measured is the size of the roster, not its history.
    units += [[u, roster.group, roster.kinds.get(u, "TINH"), roster.codes[u], "", roster.names[u], 1, "2020-01-01",
               (MERGED_ON - timedelta(days=1)).isoformat() if u in roster.merged else ""]
              for u in roster.provincial + list(roster.merged)]
    _csv(folder / "roster" / "units.csv", ["id", "group", "kind", "code", "slug", "name", "official", "valid_from",
                                           "valid_to"], units)
    _csv(folder / "roster" / "renames.csv", ["unit_id", "name", "kind", "valid_from", "basis"], [])
    _csv(folder / "roster" / "aliases.csv", ["unit_id", "alias"], [])
    _csv(folder / "roster" / "successions.csv", ["predecessor_id", "successor_id", "effective"],
         [[p, s, MERGED_ON.isoformat()] for p, s in roster.merged.items()])
    _csv(folder / "indicators" / f"{STREAM}.csv", CATALOGUE_COLUMNS, [list(r) for r in CATALOGUE])
    (folder / "calendar").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_DIR / "data" / "calendar" / "day_overrides.csv", folder / "calendar" / "day_overrides.csv")
    (folder / "calendar.yaml").write_text(
        yaml.safe_dump(calendar_config(len(roster.central), roster.group), allow_unicode=True, sort_keys=False), encoding="utf-8")
    contacts = []
    for u in roster.current:
        contacts.append([roster.codes[u], "focal", "email", f"daumoi.{roster.codes[u]}@example.invalid",
                         f"Đầu mối {roster.names[u]}", "2020-01-01", ""])
        contacts.append([roster.codes[u], "leadership", "email", f"lanhdao.{roster.codes[u]}@example.invalid",
                         f"Lãnh đạo {roster.names[u]}", "2020-01-01", ""])
    _csv(folder / "contacts.csv", ["unit", "role", "channel", "address", "name", "valid_from", "valid_to"], contacts)


# --- the reports -------------------------------------------------------------------------------------
@dataclass
class Submission:
    unit_id: str
    received_at: datetime
    form: dict  # the report form, as a JSON file or a workbook carries it

    @property
    def is_draft(self) -> bool:
        return self.form.get("state") == "draft"


@dataclass
class CyclePlan:
    spec: CycleSpec
    expected: list[str]
    submissions: list[Submission] = field(default_factory=list)  # in order of receipt
    exempt: dict[str, str] = field(default_factory=dict)  # unit id -> reason


def _int(n: float) -> str:
    """22153 -> "22.153", as a Vietnamese report writes it."""
    return f"{int(n):,}".replace(",", ".")


def _dec(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _figures(rng: random.Random, size: float, n_units: int) -> dict[str, str]:
    """Every figure of one report, consistent but for the rare slip the checks must find."""
    r = rng.randint

    def scaled(lo: int, hi: int) -> int:
        return int(r(lo, hi) * size)

    f: dict[str, float] = {}
    f["plans_issued"] = scaled(1, 30)
    f["training_events"] = scaled(1, 12)
    f["staff_trained"] = scaled(20, 900)
    f["propaganda_sessions"] = scaled(0, 40)
    f["propaganda_participants"] = scaled(0, 4000)
    f["dvk_registered"] = scaled(1, 25)
    f["dvk_recognised"] = r(0, int(f["dvk_registered"]))
    f["dvk_commended"] = r(0, int(f["dvk_recognised"]))
    f["tthc_reviewed"] = scaled(5, 200)
    f["tthc_removed"] = r(0, int(f["tthc_reviewed"]) // 4)
    f["tthc_amended"] = r(0, int(f["tthc_reviewed"]) // 3)
    f["online_services_full"] = scaled(0, 150)
    f["online_services_partial"] = scaled(0, 120)
    f["online_services"] = f["online_services_full"] + f["online_services_partial"]
    f["records_online"] = scaled(10, 20000)
    f["records_on_time"] = int(f["records_online"] * rng.uniform(0.85, 1.0))
    f["feedback_received"] = scaled(0, 300)
    f["par_inspections"] = scaled(0, 15)
    f["civil_service_inspections"] = scaled(0, 15)
    f["officials_disciplined"] = r(0, 4)
    f["reception_visits_periodic"] = scaled(0, 24)
    f["reception_visits_regular"] = scaled(0, 400)
    f["reception_visits_adhoc"] = scaled(0, 30)
    f["reception_visits"] = f["reception_visits_periodic"] + f["reception_visits_regular"] + f["reception_visits_adhoc"]
    f["reception_persons"] = int(f["reception_visits"] * rng.uniform(1.0, 1.6))
    f["reception_cases"] = int(f["reception_visits"] * rng.uniform(0.3, 0.9))
    f["mass_delegations"] = r(0, 3)
    f["dialogues_held"] = scaled(0, 8)
    f["petitions_received"] = scaled(0, 500)
    f["petitions_forwarded"] = r(0, int(f["petitions_received"]) // 2)
    f["complaint_cases"] = scaled(0, 60)
    f["complaint_resolved"] = r(0, int(f["complaint_cases"]))
    f["conciliation_cases"] = scaled(0, 80)
    f["mttq_supervisions"] = scaled(0, 20)
    f["mttq_recommendations"] = scaled(0, 60)
    f["staff_count"] = scaled(20, 400)
    f["population"] = scaled(3000, 60000)
    f["villages"] = r(3, 40)

    # The slips a hand-made report carries (seed 004: 342 + 78 ≠ 419), one report in fifty.
    if rng.random() < 0.02:
        f["reception_visits"] += r(1, 9)
    if rng.random() < 0.01:
        f["complaint_resolved"] = f["complaint_cases"] + r(1, 3)

    out = {}
    for key, value in f.items():
        roll = rng.random()
        if roll < 0.06:
            continue  # not reported: left blank
        if value == 0 or roll < 0.09:
            out[key] = "Không có" if value == 0 else _int(value)
        elif roll < 0.10:
            out[key] = f"khoảng {_int(value)}"
        else:
            out[key] = _int(value)
    for rate, num, den in (("dvk_rate", ["dvk_recognised"], "dvk_registered"),
                           ("tthc_rate", ["tthc_removed", "tthc_amended"], "tthc_reviewed"),
                           ("records_on_time_rate", ["records_on_time"], "records_online"),
                           ("complaint_rate", ["complaint_resolved"], "complaint_cases")):
        if f[den] and rng.random() < 0.7:
            stated = 100 * sum(f[x] for x in num) / f[den]
            if rng.random() < 0.01:
                stated = min(100.0, stated + 7)  # a rate that does not match its parts
            out[rate] = _dec(stated)
    if rng.random() < 0.8:
        out["par_index_score"] = _dec(rng.uniform(70, 95))
        out["par_index_rank"] = f"{r(1, n_units)}/{n_units}"
    if rng.random() < 0.6:
        out["sipas_score"] = f"{_dec(rng.uniform(6, 9.5))}/10"
    return out


def _sections(rng: random.Random, name: str) -> dict:
    out = {}
    for sid, _heading in SECTIONS:
        roll = rng.random()
        if roll < 0.25:
            continue  # not reported
        if roll < 0.32 or (sid == "VI" and roll < 0.6):
            out[sid] = {"status": "empty", "text": "Không có"}
        else:
            text = " ".join(rng.sample(_SENTENCES, 2))
            out[sid] = f"{name}: {text}" if sid == "I" else text
    return out


def _received(rng: random.Random, day: date) -> datetime:
    return vn_moment(day, rng.randint(7, 17), rng.randint(0, 59))


def plan_cycle(spec: CycleSpec, roster: Roster, expected: list[str], seed: int) -> CyclePlan:
    """Who reports when in one cycle: most units on time, some late, some never; drafts first,
    resubmissions, draft-only units and a few exemptions, as coordinators see them."""
    rng = random.Random(f"{seed}-{spec.cycle_id}")
    plan = CyclePlan(spec, expected)
    first_day = spec.issued_on + timedelta(days=3)
    central = set(roster.central)
    on_time_days = (spec.deadline - first_day).days
    for n, unit_id in enumerate(expected):
        code, name = roster.codes[unit_id], roster.names[unit_id]
        roll = rng.random()
        if roll < 0.005:
            plan.exempt[unit_id] = "Đơn vị đang sắp xếp, kiện toàn tổ chức bộ máy"
            continue
        if roll < 0.08:
            continue  # never reports
        if roll < 0.75:
            day = first_day + timedelta(days=rng.randint(0, on_time_days))
        else:
            day = spec.deadline + timedelta(days=rng.randint(1, (spec.compile_day - spec.deadline).days - 2))
        size = 3.0 if unit_id in central else 1.0
        signer = "GIÁM ĐỐC" if unit_id in central else "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
        form = {
            "schema": "dvtracker-report/1", "cycle": spec.cycle_id, "unit": code,
            "number": f"{100 + n}/BC-{'S' if unit_id in central else 'UBND'}",
            "date": (day - timedelta(days=rng.randint(0, 2))).isoformat(), "signer": signer, "state": "signed",
            "answers_request": spec.request, "sections": _sections(rng, name),
            "indicators": _figures(rng, size, len(expected)),
        }
        if roll < 0.095:  # a draft only: blank number
            plan.submissions.append(Submission(unit_id, _received(rng, day), dict(form, number="/BC", state="draft")))
            continue
        if rng.random() < 0.04:  # a draft sent first
            draft = dict(form, number="/BC", state="draft")
            plan.submissions.append(Submission(unit_id, _received(rng, day - timedelta(days=rng.randint(2, 6))), draft))
        plan.submissions.append(Submission(unit_id, _received(rng, day), form))
        if rng.random() < 0.05:  # a corrected version a few days later
            corrected = dict(form, number=f"{100 + n}a/BC", indicators=dict(form["indicators"]))
            corrected["indicators"]["staff_trained"] = _int(rng.randint(20, 900))
            later = min(day + timedelta(days=rng.randint(1, 5)), spec.compile_day)
            plan.submissions.append(Submission(unit_id, _received(rng, later), corrected))
    plan.submissions.sort(key=lambda s: (s.received_at, s.unit_id))
    return plan


@dataclass
class Collector:
    folder: Path
    n_units: int
    roster: Roster
    previous: CyclePlan
    current: CyclePlan


def parse_size(text: str) -> int | str:
    """A size as ``--sizes`` names it: a number of units, or ``communes``."""
    text = text.strip()
    return text if text == COMMUNES else int(text)


def generate(folder: Path, size: int | str, seed: int = SEED) -> Collector:
    """Write the data folder of a collector with ``size`` units (or the communes of the country,
    ``size="communes"``) into ``folder`` and plan the reports of its two cycles (last year's, then
    this year's)."""
    roster = commune_roster() if size == COMMUNES else make_roster(int(size), random.Random(f"{seed}-{size}"))
    write_data_dir(folder, roster)
    previous = plan_cycle(PREVIOUS, roster, roster.previous, seed)
    current = plan_cycle(CURRENT, roster, roster.current, seed)
    return Collector(folder, len(roster.current), roster, previous, current)
