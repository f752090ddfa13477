"""Real cases for the compilation tests: seed 000's cycle (9 + 53 units reported), Văn phòng
Chính phủ's petitions (seed 001), An Giang's indices (seed 003), Quảng Trị's citizen reception
(seed 004), seed 000's exemplary lists; and the builders the compilation tests share."""

from datetime import date

from models.checks import run_checks
from models.compilation import build_compilation
from models.cycles import RequestInput, open_cycle
from models.reports import SectionEntry, ValueEntry
from tests.helpers import submit

V1_DAY, V2_DAY = date(2024, 6, 10), date(2024, 6, 14)


def v(value, raw=None, approximate=False):
    return ValueEntry("reported", float(value), approximate, raw)


ZERO = ValueEntry("zero", 0.0, raw="Không có")
VPCP_III6 = ("Năm 2023, Vụ I đã tiếp nhận, phân loại xử lý 22.153 đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh; "
             "đã chuyển các Bộ, ngành, địa phương 4.244 đơn đủ điều kiện.\nVPCP đã tiếp 103 lượt công dân.")
REPORTS = {
    # Văn phòng Chính phủ, seed 001: 22.153 petitions, 4.244 forwarded, 103 visits, "gần 2000" staff.
    "c2021-vpcp": dict(values={
        "reception_visits": v(103), "petitions_received": v(22153, "22.153"), "petitions_forwarded": v(4244, "4.244"),
        "staff_count": v(2000, "gần 2000", approximate=True)},
        sections={"III.6": SectionEntry("reported", VPCP_III6), "VI": SectionEntry("empty")}),
    "c2021-bnv": dict(values={
        "reception_visits": v(120), "reception_visits_periodic": v(20), "reception_visits_regular": v(100),
        "reception_visits_adhoc": ZERO, "complaint_cases_in_jurisdiction": v(50), "complaint_cases_resolved": v(40)},
        sections={"II.1": SectionEntry("reported", "Bộ Nội vụ ban hành Công văn số 1432/BNV-CTTN.")}),
    # Bộ Tài chính: "Không có" visits; states a 95% resolution rate for 9 of 10 cases.
    "c2021-btc": dict(values={
        "reception_visits": ZERO, "complaint_cases_in_jurisdiction": v(10), "complaint_cases_resolved": v(9),
        "complaint_resolution_rate": v(95)},
        sections={"II.1": SectionEntry("reported", "Bộ Tài chính ban hành Chỉ thị số 01/CT-BTC ngày 01/3/2023.")}),
    # Resolved cases without the cases in jurisdiction: summed, but left out of the rate.
    "c2021-bldtbxh": dict(values={"complaint_cases_resolved": v(7)}),
    "p2004-04": dict(values={"reception_visits": v(250), "par_index_score": v(83, "83"),
                             "par_index_rank": v(50, "50/63")},
                     sections={"II.1": SectionEntry("reported", "Tỉnh Cao Bằng xây dựng mô hình dân vận khéo.")}),
    "p2004-38": dict(values={"reception_persons": v(1000, "hơn 1.000", approximate=True)}),
    "p2004-96": dict(values={"reception_visits": v(330), "complaint_cases_in_jurisdiction": v(40),
                             "complaint_cases_resolved": v(30), "par_index_score": v(85.5, "85,5"),
                             "par_index_rank": v(30, "30/63")}),
}
# Seed 003: An Giang's report 529/BC-UBND of 24/05/2024, counted as missing by seed 000.
AN_GIANG = dict(
    number="529/BC-UBND", doc_date=date(2024, 5, 24), answers_request="2748/BNV-CTTN",
    values={"par_index_score": v(81.32, "81,32"), "par_index_rank": v(63, "63/63"), "papi_score": v(41.85, "41,85"),
            "sipas_score": v(7.97, "7,97/10")},
    sections={"III.4": SectionEntry("reported", "Chỉ số cải cách hành chính năm 2023, tỉnh An Giang đạt 81,32 điểm, "
                                                "xếp thứ hạng 63/63 tỉnh, thành phố."),
              "VI": SectionEntry("empty", "(không có)")})
# Seed 004: Quảng Trị in 2023, "đến tháng 10 năm 2023": 352 lượt / 679 người / 124 vụ việc; 289 + 63 + 0.
QUANG_TRI_2023 = dict(
    number="15/BC-VP", data_until=date(2023, 10, 31),
    values={"reception_visits": v(352), "reception_persons": v(679), "reception_cases": v(124),
            "reception_visits_periodic": v(289), "reception_visits_regular": v(63), "reception_visits_adhoc": ZERO,
            "mass_delegations": v(17)})
# Seed 000's footnotes 2 (section II.1) and 16 (section III.4, Hà Nội twice), as a coordinator keeps them.
EXEMPLARY = {
    "II.1": ["Bộ Tài chính", "Bộ Lao động – Thương binh và Xã hội", "Đài Truyền hình Việt Nam", "Bình Phước", "Cà Mau",
             "Cao Bằng", "Đồng Tháp", "Gia Lai", "Hà Giang", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lào Cai",
             "Nam Định", "Phú Thọ", "Quảng Ngãi", "Tây Ninh", "Thái Bình", "Thanh Hóa", "Trà Vinh", "Tuyên Quang"],
    "III.4": ["Hà Nội", "Bắc Giang", "Yên Bái", "Thanh Hóa", "Bà Rịa - Vũng Tàu", "Bình Phước", "Cao Bằng", "Đắk Nông",
              "Đồng Nai", "Đồng Tháp", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Ninh Bình", "Ninh Thuận", "Quảng Ngãi",
              "Trà Vinh", "Tuyên Quang"],
}
MISSING_CENTRAL_V1 = (
    "Bộ Ngoại giao; Bộ Tư pháp; Bộ Nông nghiệp và Phát triển nông thôn; Bộ Giao thông vận tải; Bộ Xây dựng; "
    "Bộ Tài nguyên và Môi trường; Bộ Thông tin và Truyền thông; Bộ Văn hóa, Thể thao và Du lịch; "
    "Bộ Khoa học và Công nghệ; "
    "Bộ Giáo dục và Đào tạo; Bộ Y tế; Ủy ban Dân tộc; Thanh tra Chính phủ; Ban Quản lý Lăng Chủ tịch Hồ Chí Minh; "
    "Bảo hiểm xã hội Việt Nam; Thông tấn xã Việt Nam; Đài Tiếng nói Việt Nam; Đài Truyền hình Việt Nam; "
    "Viện Hàn lâm Khoa học và Công nghệ Việt Nam; Viện Hàn lâm Khoa học xã hội Việt Nam; "
    "Ủy ban Quản lý vốn nhà nước tại doanh nghiệp")
FOOTNOTE_V1 = "\n".join([
    "09 bộ, ngành và 53/63 địa phương",
    f"- 21 bộ, ngành chưa có báo cáo gồm: {MISSING_CENTRAL_V1}.",
    # Alphabetically, as seed 000 lists them (it puts Hồ Chí Minh, as "TP. Hồ Chí Minh", after Quảng Trị).
    "- 10 địa phương chưa có báo cáo gồm: An Giang, Gia Lai, Hà Nội, Hồ Chí Minh, Khánh Hòa, Lào Cai, Quảng Trị, "
    "Trà Vinh, Vĩnh Phúc, Yên Bái.",
])
FOOTNOTE_V2 = "\n".join([
    "09 bộ, ngành và 55/63 địa phương",
    f"- 21 bộ, ngành chưa có báo cáo gồm: {MISSING_CENTRAL_V1}.",
    "- 08 địa phương chưa có báo cáo gồm: Gia Lai, Hà Nội, Hồ Chí Minh, Khánh Hòa, Lào Cai, Trà Vinh, Vĩnh Phúc, "
    "Yên Bái.",
])


# Seed 004, Quảng Trị in 2022: 419 lượt / 622 người / 136 vụ việc; 342 periodic + 78 regular + no ad hoc = 420.
QUANG_TRI_2022 = dict(number="20/BC-VP", values={
    "reception_visits": v(419), "reception_persons": v(622), "reception_cases": v(136),
    "reception_visits_periodic": v(342, "342 lượt"), "reception_visits_regular": v(78, "78 lượt"),
    "reception_visits_adhoc": ZERO, "mass_delegations": v(18)})


def late_reports(app, cycle):
    submit(app, cycle.id, "An Giang", date(2024, 6, 11), **AN_GIANG)
    submit(app, cycle.id, "Quảng Trị", date(2024, 6, 12), **QUANG_TRI_2023)


def compile_models(app, cycle, as_of, exemplary=None):
    with app.session() as session:
        comp = build_compilation(session, cycle, app.roster, app.calendar, app.config.stream("danvan"),
                                 app.catalogue("danvan"), as_of)
    return comp, run_checks(comp, app.roster, exemplary or {})


def total(comp, indicator, group):
    return comp.totals.set_index(["indicator", "group"]).loc[(indicator, group)]


def open_annual(app, year: int, number: str, issued: date, deadline: str):
    with app.session() as session:
        return open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
                          kind="annual", year=year, request=RequestInput(number, issued, deadline))
