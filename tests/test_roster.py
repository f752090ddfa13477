from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.errors import UserError
from models.roster import Roster, Unit, load_roster
from models.roster_store import load_roster_from_db, sync_roster
from models.streams import load_calendar
from models.tables import AuditRow
from tests.conftest import PROJECT_DIR

GROUPS = load_calendar(PROJECT_DIR / "data" / "calendar.yaml").groups
ROSTER = load_roster(PROJECT_DIR / "data" / "roster", GROUPS)


def counts(day: date) -> tuple[int, int]:
    units = ROSTER.on(day)
    return sum(u.group == "central" for u in units), sum(u.group == "provincial" for u in units)


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2024, 1, 1), (30, 63)),
        (date(2025, 2, 28), (30, 63)),  # last day of the 30 central units
        (date(2025, 3, 1), (22, 63)),  # central merger in force, provinces not yet
        (date(2025, 6, 30), (22, 63)),
        (date(2025, 7, 1), (22, 34)),  # provincial merger in force
        (date(2026, 11, 22), (22, 34)),
    ],
)
def test_units_in_force_on_cutover_dates(day, expected):
    assert counts(day) == expected


def test_extra_unit_is_listed_only_on_request():
    assert "x-hvctqg" not in {u.id for u in ROSTER.on(date(2024, 1, 1))}
    assert "x-hvctqg" in {u.id for u in ROSTER.on(date(2024, 1, 1), official_only=False)}


@pytest.mark.parametrize(
    "code, old_name, new_name",
    [
        ("15", "Tỉnh Yên Bái", "Tỉnh Lào Cai"),
        ("24", "Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"),
        ("44", "Tỉnh Quảng Bình", "Tỉnh Quảng Trị"),
        ("52", "Tỉnh Bình Định", "Tỉnh Gia Lai"),
        ("80", "Tỉnh Long An", "Tỉnh Tây Ninh"),
        ("82", "Tỉnh Tiền Giang", "Tỉnh Đồng Tháp"),
        ("91", "Tỉnh Kiên Giang", "Tỉnh An Giang"),
    ],
)
def test_reused_codes_resolve_by_date(code, old_name, new_name):
    assert ROSTER.find(code, date(2024, 6, 1)).name_on(date(2024, 6, 1)) == old_name
    assert ROSTER.find(code, date(2026, 1, 1)).name_on(date(2026, 1, 1)) == new_name
    assert ROSTER.find(code, date(2024, 6, 1)).id != ROSTER.find(code, date(2026, 1, 1)).id


@pytest.mark.parametrize(
    "name, old_code, new_code",
    [("Lào Cai", "10", "15"), ("Bắc Ninh", "27", "24"), ("Quảng Trị", "45", "44"), ("Gia Lai", "64", "52"),
     ("Tây Ninh", "72", "80"), ("Đồng Tháp", "87", "82"), ("An Giang", "89", "91")],
)
def test_names_that_move_to_a_new_code(name, old_code, new_code):
    assert ROSTER.find(name, date(2024, 6, 1)).code == old_code
    assert ROSTER.find(name, date(2026, 1, 1)).code == new_code


@pytest.mark.parametrize("variant", ["Hoà Bình", "Hòa Bình", "tỉnh hòa bình", "Tỉnh Hoà Bình", "TỈNH HÒA BÌNH", "17"])
def test_name_variants_are_one_unit(variant):
    assert ROSTER.find(variant, date(2024, 1, 1)).id == "p2004-17"


def test_hoa_binh_does_not_exist_after_the_merger():
    with pytest.raises(UserError, match="Không tìm thấy đơn vị 'Hòa Bình' vào ngày 01/07/2025"):
        ROSTER.find("Hòa Bình", date(2025, 7, 1))


def test_hue_and_dong_nai_renames():
    hue = ROSTER.get("p2004-46")
    assert (hue.name_on(date(2024, 12, 31)), hue.kind_on(date(2024, 12, 31))) == ("Tỉnh Thừa Thiên Huế", "TINH")
    assert (hue.name_on(date(2025, 1, 1)), hue.kind_on(date(2025, 1, 1))) == ("Thành phố Huế", "TP")
    assert ROSTER.find("Thành phố Huế", date(2025, 3, 1)).id == "p2004-46"
    assert ROSTER.find("Huế", date(2025, 8, 1)).id == "p2025-46"
    dong_nai = ROSTER.find("Đồng Nai", date(2026, 5, 1))
    assert dong_nai.name_on(date(2026, 4, 29)) == "Tỉnh Đồng Nai"
    assert dong_nai.name_on(date(2026, 4, 30)) == "Thành phố Đồng Nai"
    assert ROSTER.find("Thành phố Đồng Nai", date(2026, 5, 1)).id == "p2025-75"


def test_successions():
    assert ROSTER.successors("p2004-89") == ["p2025-91"]  # An Giang
    assert ROSTER.successors("p2004-91") == ["p2025-91"]  # Kiên Giang
    assert sorted(ROSTER.predecessors("p2025-91")) == ["p2004-89", "p2004-91"]
    assert ROSTER.successor_on("p2004-15", date(2026, 1, 1)) == "p2025-15"  # Yên Bái -> Lào Cai
    assert ROSTER.successor_on("p2004-15", date(2025, 6, 30)) == "p2004-15"
    assert ROSTER.successor_on("c2021-bldtbxh", date(2025, 3, 1)) == "c2025-bnv"
    assert ROSTER.successor_on("c2021-bqll", date(2025, 3, 1)) == "c2025-bqp"
    assert set(ROSTER.lineage("c2025-btc")) == {"c2025-btc", "c2021-btc", "c2021-bkhdt", "c2021-bhxh", "c2021-cmsc"}


def test_every_unit_of_2024_has_a_successor_in_force_in_2026():
    for unit in ROSTER.on(date(2024, 6, 1)):
        successor = ROSTER.get(ROSTER.successor_on(unit.id, date(2026, 1, 1)))
        assert successor.valid_on(date(2026, 1, 1)), unit.id


SEED_000_MISSING_CENTRAL = ["Bộ Ngoại giao", "Bộ Tư pháp", "Bộ Giao thông vận tải", "Bộ xây dựng", "Bộ Thông tin và Truyền thông", "Bộ Giáo dục và Đào tạo", "Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Y tế", "Bộ Khoa học và Công nghệ", "Bộ Văn hóa Thể thao và Du lịch", "Bộ Tài nguyên và Môi trường", "Thanh tra Chính phủ", "Ủy ban dân tộc", "Đài Tiếng nói Việt Nam", "Đài Truyền hình Việt Nam", "Ban Quản lý lăng Chủ tịch Hồ Chí Minh", "Thông tấn xã Việt Nam", "Học viện Chính trị quốc gia Hồ Chí Minh", "Viện Hàn Lâm Khoa học xã hội Việt Nam", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"]
SEED_000_MISSING_PROVINCES = ["An Giang", "Gia Lai", "Hà Nội", "Khánh Hòa", "Lào Cai", "Quảng Trị", "Hồ Chí Minh", "Trà Vinh", "Vĩnh Phúc", "Yên Bái"]


def test_the_names_of_seed_000s_footnote_resolve_to_distinct_units():
    day = date(2023, 12, 14)
    central = {ROSTER.find(n, day).id for n in SEED_000_MISSING_CENTRAL}
    provinces = {ROSTER.find(n, day).id for n in SEED_000_MISSING_PROVINCES}
    assert len(central) == 20 and "x-hvctqg" in central  # 20 names, one not on the official list
    assert len(provinces) == 10 and all(p.startswith("p2004-") for p in provinces)


def test_ambiguous_and_unknown_names_are_clear_errors():
    roster = Roster(
        [Unit(id="a", group="provincial", kind="TINH", name="Tỉnh Bình An", aliases=["Bình"]),
         Unit(id="b", group="provincial", kind="TINH", name="Tỉnh Bình Hòa", aliases=["Bình"])], [])
    with pytest.raises(UserError, match=r"không rõ ràng.*Tỉnh Bình An, Tỉnh Bình Hòa"):
        roster.find("bình", date(2024, 1, 1))
    with pytest.raises(UserError, match="Không tìm thấy đơn vị 'Tỉnh Atlantis'"):
        ROSTER.find("Tỉnh Atlantis", date(2024, 1, 1))


def test_database_copy_of_the_roster_is_the_files_and_is_audited(app):
    with app.session() as session:
        db_roster = load_roster_from_db(session)
        assert sync_roster(session, ROSTER) is False  # already in sync: nothing to do
        audited = session.exec(select(func.count()).select_from(AuditRow).where(AuditRow.entity == "unit")).one()
        assert audited == len(ROSTER.units)
    assert {u.id: (u.name, u.code, u.valid_from, u.valid_to, u.renames) for u in db_roster.units.values()} == {
        u.id: (u.name, u.code, u.valid_from, u.valid_to, u.renames) for u in ROSTER.units.values()}
    assert sorted(db_roster.successions, key=str) == sorted(ROSTER.successions, key=str)
