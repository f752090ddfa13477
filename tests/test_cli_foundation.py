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


def test_calendar_add_takes_a_negative_count_as_the_readme_writes_it(cli):
    back = cli("calendar", "add", "2026-11-27", "-5")
    assert (back.exit_code, back.stdout) == (0, "5 ngày làm việc trước 27/11/2026: Thứ Năm 19/11/2026\n")  # 24/11 off
    assert json.loads(cli("calendar", "add", "2026-11-27", "-5", "--json").stdout)["result"] == "2026-11-19"
    assert json.loads(cli("calendar", "add", "--json", "2026-11-20", "3").stdout)["result"] == "2026-11-26"
    for typo in (["2026-11-27", "-5", "--jsno"], ["2026-11-27", "--jsno"], ["2026-11-27", "-x"]):
        assert cli("calendar", "add", *typo).exit_code == 2


def _deadline(cli, *args):
    out = cli("calendar", "deadline", *args, "--json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_calendar_deadline_reads_the_guidance_wordings(cli):
    two_kinds = ("Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng; "
                 "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm")
    annual = _deadline(cli, two_kinds, "--issued", "15/10/2026", "--kind", "annual")
    assert (annual["last_day"], annual["kind"], annual["clause_kinds"]) == ("2026-11-25", "annual", ["annual"])
    assert annual["clause"] == "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm"
    assert [c["kinds"] for c in annual["clauses"]] == [["half_year"], ["annual"]]
    assert annual["basis"][0].startswith("Nghị định 09/2019/NĐ-CP, Điều 13")
    brackets = _deadline(cli, "trước ngày 18 tháng 6 (báo cáo sáu tháng) và trước ngày 18 tháng 12 (báo cáo năm)",
                         "--issued", "15/10/2026", "--kind", "annual")
    assert (brackets["last_day"], brackets["rule_code"]) == ("2026-12-17", "before")
    addition = _deadline(cli, "gửi báo cáo trước ngày 15/6/2024; trường hợp chưa đủ số liệu, gửi bổ sung trong 05 "
                              "ngày làm việc", "--issued", "17/05/2024")
    assert (addition["last_day"], addition["addition"]["last_day"]) == ("2024-06-14", "2024-06-21")
    receipt = "trong 10 ngày làm việc kể từ ngày nhận được văn bản"
    given = _deadline(cli, receipt, "--issued", "2024-05-17", "--received", "2024-05-21")
    assert (given["last_day"], given["received_on"], given["assumptions"]) == ("2024-06-04", "2024-05-21", [])
    assert given["basis"][0].startswith("Bộ luật Dân sự 2015, Điều 147")
    assumed = _deadline(cli, receipt, "--issued", "2024-05-17", "--stream", "danvan")
    assert (assumed["last_day"], assumed["received_on"]) == ("2024-06-03", "2024-05-20")
    assert "cộng 1 ngày làm việc chuyển văn bản" in assumed["assumptions"][0]
    human = cli("calendar", "deadline", two_kinds, "--issued", "15/10/2026", "--kind", "half_year").stdout
    assert "Thứ Hai 07/06/2027" in human and "Theo vế: \"Chậm nhất ngày 06 tháng 06" in human


def test_calendar_deadline_refuses_what_it_cannot_attribute_or_read(cli):
    cases = [
        (["Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng; Chậm nhất ngày 25 tháng 11 đối với báo cáo "
          "định kỳ hằng năm", "--issued", "15/10/2026"],
         "Lỗi: Câu thời hạn 'Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng; Chậm nhất ngày 25 tháng 11 "
         "đối với báo cáo định kỳ hằng năm' có 2 thời hạn khác nhau, không rõ vế nào áp dụng: (1) 'Chậm nhất ngày 06 "
         "tháng 06 đối với báo cáo định kỳ 06 tháng' (báo cáo 6 tháng): 07/06/2027; (2) 'Chậm nhất ngày 25 tháng 11 "
         "đối với báo cáo định kỳ hằng năm' (báo cáo năm): 25/11/2026. Hãy ghi rõ ngày áp dụng (--deadline \"chậm "
         "nhất ngày …\") hoặc cho biết loại kỳ (--kind).\n"),
        (["trong 10 ngày làm việc kể từ ngày nhận được văn bản", "--issued", "2024-05-17"],
         "Lỗi: Thời hạn 'trong 10 ngày làm việc kể từ ngày nhận được văn bản' tính từ ngày nhận được văn bản: cần ngày "
         "đơn vị nhận công văn (--received) hoặc số ngày làm việc chuyển văn bản của luồng (delivery_days trong "
         "data/calendar.yaml).\n"),
        (["chậm nhất ngày 31/5/99999", "--issued", "2024-05-17"],
         "Lỗi: Thời hạn 'chậm nhất ngày 31/5/99999' có ngày '31/5/99999' với năm 99999 ngoài khoảng 2000–2100: cần "
         "một ngày (31/5/2024 hoặc 2024-05-31) hoặc cách viết như 'chậm nhất ngày 31/5/2024', 'trước ngày 15/6/2024', "
         "'trong 10 ngày làm việc kể từ ngày ký'.\n"),
        (["trước ngày 15/6/2024", "--issued", "2024-05-17", "--kind", "quy"],
         "Lỗi: --kind 'quy' không hợp lệ (cần: half_year, annual, adhoc).\n"),
    ]
    for args, message in cases:
        result = cli("calendar", "deadline", *args)
        assert (result.exit_code, result.stderr) == (2, message)


def test_calendar_commands_need_no_database(cli, monkeypatch):
    monkeypatch.setenv("DVTRACKER_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/nothing")
    from wiring.settings import get_settings

    get_settings.cache_clear()
    out = _deadline(cli, "trong 10 ngày làm việc kể từ ngày nhận được văn bản", "--issued", "2024-05-17",
                    "--stream", "qcdc")
    assert out["last_day"] == "2024-06-03"


def test_cycle_open_and_request_with_clauses_additions_and_receipt(cli):
    two_kinds = ("Chậm nhất ngày 06 tháng 06 đối với báo cáo định kỳ 06 tháng; "
                 "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm")
    out = cli("cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2026", "--request",
              "2001/BNV-CTTN", "--issued", "15/10/2026", "--deadline", two_kinds, "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["deadline"], data["deadline_clause"], data["window_start"], data["window_end"]) == (
        "2026-11-25", "Chậm nhất ngày 25 tháng 11 đối với báo cáo định kỳ hằng năm", "2026-01-01", "2026-12-31")
    assert "Bộ luật Dân sự 2015, Điều 148" in data["deadline_basis"]
    out = cli("cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2023", "--request",
              "2748/BNV-CTTN", "--issued", "17/05/2024", "--deadline",
              "gửi báo cáo trước ngày 15/6/2024; trường hợp chưa đủ số liệu, gửi bổ sung trong 05 ngày làm việc",
              "--json")
    data = json.loads(out.stdout)
    assert (data["deadline"], data["addition_deadline"]) == ("2024-06-14", "2024-06-21")
    human = cli("cycle", "show", "danvan-2023-annual").stdout
    assert "Hạn nộp: 14/06/2024 (theo 2748/BNV-CTTN: \"gửi báo cáo trước ngày 15/6/2024\"" in human
    assert "Hạn gửi bổ sung: 21/06/2024" in human and "Căn cứ: Nghị định 09/2019/NĐ-CP, Điều 13" in human
    assert "01/01/2023 – 31/12/2023 (năm dương lịch" in human
    moved = cli("cycle", "request", "danvan-2023-annual", "--number", "3001/BNV-CTTN", "--issued", "2024-06-03",
                "--deadline", "trong 10 ngày làm việc kể từ ngày nhận được văn bản", "--received", "05/06/2024",
                "--json")
    assert moved.exit_code == 0, moved.output
    shown = json.loads(cli("cycle", "show", "danvan-2023-annual", "--json").stdout)
    assert (shown["deadline"], shown["deadline_request"], shown["addition_deadline"]) == (
        "2024-06-19", "3001/BNV-CTTN", None)
    assert [r["received_on"] for r in shown["requests"]] == [None, "2024-06-05"]
    refused = cli("cycle", "open", "--stream", "danvan", "--kind", "half_year", "--year", "2027", "--request",
                  "1/BNV-CTTN", "--issued", "15/10/2026", "--deadline", two_kinds.replace("06 tháng;", "quý II;"))
    assert refused.exit_code == 2 and "không có thời hạn nào cho báo cáo 6 tháng" in refused.stderr
