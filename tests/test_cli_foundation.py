import json

from sqlmodel import select

from models.tables import CycleRow


def test_units_on_dates(cli):
    before = json.loads(cli("units", "--on", "2024-01-01", "--json").stdout)
    after = json.loads(cli("units", "--on", "2026-11-22", "--json").stdout)
    assert [sum(u["group"] == g for u in before) for g in ("central", "provincial")] == [30, 63]
    assert [sum(u["group"] == g for u in after) for g in ("central", "provincial")] == [22, 34]
    yen_bai = next(u for u in before if u["code"] == "15")
    assert yen_bai == {
        "id": "p2004-15", "code": "15", "official_code": "15", "slug": None, "name": "Tỉnh Yên Bái", "kind": "TINH",
        "group": "provincial", "official": True, "valid_from": "2008-08-01", "valid_to": "2025-06-30",
        "successors": ["p2025-15"], "predecessors": [],
    }
    table = cli("units", "--on", "2024-01-01").stdout
    assert "30 bộ, ngành + 63 địa phương" in table


def test_unit_show_by_code_on_a_date(cli):
    assert json.loads(cli("unit", "show", "15", "--on", "2026-01-01", "--json").stdout)["name"] == "Tỉnh Lào Cai"


def test_cycle_open_show_and_list(cli):
    out = cli("cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2023", "--request",
              "2748/BNV-CTTN", "--issued", "17/05/2024", "--deadline", "chậm nhất ngày 31/5/2024", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["id"], data["deadline"], data["expected_count"]) == ("danvan-2023-annual", "2024-05-31", 93)
    assert cli("cycle", "request", "danvan-2023-annual", "--number", "3001/BNV-CTTN", "--issued", "2024-06-03",
               "--deadline", "trước ngày 15/6/2024").exit_code == 0
    shown = json.loads(cli("cycle", "show", "danvan-2023-annual", "--json").stdout)
    assert shown["deadline"] == "2024-06-14" and [r["number"] for r in shown["requests"]] == [
        "2748/BNV-CTTN", "3001/BNV-CTTN"]
    assert cli("cycle", "exempt", "danvan-2023-annual", "--unit", "Bộ Quốc phòng", "--reason", "kênh riêng").exit_code == 0
    listed = json.loads(cli("cycles", "--json").stdout)
    assert [(c["id"], c["expected_count"]) for c in listed] == [("danvan-2023-annual", 92)]
    human = cli("cycle", "show", "danvan-2023-annual").stdout
    assert "Hạn nộp: 14/06/2024" in human and "miễn: Bộ Quốc phòng" in human


def test_errors_are_one_vietnamese_line_with_exit_code_2_and_write_nothing(cli, app):
    cases = [
        (["cycle", "open", "--stream", "dansu", "--kind", "annual", "--year", "2023", "--request", "1/BNV-CTTN",
          "--issued", "2024-05-17"], "Lỗi: Không có luồng báo cáo 'dansu' (các luồng hiện có: danvan, qcdc).\n"),
        (["cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2023", "--request", "1/BNV-CTTN",
          "--issued", "2024-13-17"], "Lỗi: --issued không hợp lệ: '2024-13-17' (cần dạng 2024-05-31 hoặc 31/5/2024).\n"),
        (["cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2023", "--request", "1/BNV-CTTN",
          "--issued", "2024-05-17", "--deadline", "khi nào xong"],
         "Lỗi: Không đọc được thời hạn 'khi nào xong': cần một ngày (31/5/2024 hoặc 2024-05-31) hoặc cách viết như "
         "'chậm nhất ngày 31/5/2024', 'trước ngày 15/6/2024', 'trong 10 ngày làm việc kể từ ngày ký'.\n"),
        (["unit", "show", "Hòa Bình", "--on", "2026-01-01"],
         "Lỗi: Không tìm thấy đơn vị 'Hòa Bình' vào ngày 01/01/2026 (cần mã tỉnh, mã bộ/ngành hoặc tên đơn vị còn "
         "hiệu lực vào ngày đó).\n"),
        (["cycle", "show", "danvan-2099-annual"], "Lỗi: Không có kỳ báo cáo 'danvan-2099-annual' (các kỳ hiện có: chưa có kỳ nào).\n"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert (result.exit_code, result.stderr) == (2, message)
    with app.session() as session:
        assert session.exec(select(CycleRow)).all() == []


def test_calendar_commands(cli):
    assert "ngày nghỉ (Ngày Văn hóa Việt Nam)" in cli("calendar", "day", "2026-11-24").stdout
    assert json.loads(cli("calendar", "day", "2026-08-22", "--json").stdout)["working_day"] is True
    out = json.loads(cli("calendar", "deadline", "trong 10 ngày làm việc kể từ ngày ký", "--issued", "2024-05-17",
                         "--json").stdout)
    assert out["last_day"] == "2024-05-31"
