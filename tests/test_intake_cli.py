import json
from datetime import date

import pandas as pd
import pytest

from tests.helpers import fill_template, open_2023_danvan
from tests.test_roster import SEED_000_MISSING_CENTRAL, SEED_000_MISSING_PROVINCES

CYCLE = "danvan-2023-annual"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Tables and summary lines on one line each, whatever the terminal of the test run."""
    from dvtracker.cli.common import console

    monkeypatch.setattr(console, "width", 250)


@pytest.fixture
def seed_files(app, tmp_path):
    """Seed 000's cycle as files: 9 central units and 53 provinces send a report, the others do not.
    Most come as JSON or YAML, three as workbooks made by the template."""
    cycle = open_2023_danvan(app)
    ref = cycle.reference_date
    named = {app.roster.find(n, ref).id for n in SEED_000_MISSING_CENTRAL + SEED_000_MISSING_PROVINCES}
    central = [u for u in app.roster.on(ref, group="central") if u.id not in named][:9]
    provinces = [u for u in app.roster.on(ref, group="provincial") if u.id not in named]
    files = []
    for i, u in enumerate(central + provinces):
        number = f"{i + 1}/BC"
        if i < 3:
            files.append(fill_template(app, CYCLE, tmp_path / f"{u.id}.xlsx", unit=u.id,
                                       meta={"number": number, "date": date(2024, 5, 20)},
                                       values={"reception_visits": "1.000"}))
        elif i % 2:
            path = tmp_path / f"{u.id}.yaml"
            path.write_text(f"cycle: {CYCLE}\nunit: {u.name_on(ref)}\nnumber: {number}\ndate: 20/05/2024\n",
                            encoding="utf-8")
            files.append(path)
        else:
            path = tmp_path / f"{u.id}.json"
            path.write_text(json.dumps({"cycle": CYCLE, "unit": u.code or u.slug, "number": number,
                                        "date": "2024-05-20"}), encoding="utf-8")
            files.append(path)
    missing = {u.id for u in app.roster.on(ref, group="central") if u.id not in {c.id for c in central}}
    missing |= {u.id for u in app.roster.on(ref, group="provincial") if u.id in named}
    return files, missing


def test_seed_000_through_the_command_line_shows_exactly_21_plus_10_missing(cli, seed_files, tmp_path):
    files, missing = seed_files
    result = cli("submit", *map(str, files), "--received-at", "2024-05-27", "--json")
    assert result.exit_code == 0, result.output
    assert [o["outcome"] for o in json.loads(result.stdout)] == ["accepted"] * 62

    data = json.loads(cli("status", "--cycle", CYCLE, "--as-of", "2024-06-10", "--json").stdout)
    summary = {g["group"]: g for g in data["summary"]}
    assert [summary["central"][k] for k in ("expected", "actual", "on_time", "missing")] == [30, 9, 9, 21]
    assert [summary["provincial"][k] for k in ("expected", "actual", "on_time", "missing")] == [63, 53, 53, 10]
    assert summary["overall"]["reporting_rate"] == round(62 / 93, 4)
    assert {u["unit_id"] for u in data["units"] if u["status"] == "missing"} == missing
    assert data["deadline"] == "2024-05-31" and data["deadline_request"] == "2748/BNV-CTTN"

    human = cli("status", "--cycle", CYCLE, "--as-of", "2024-06-10", "--only", "missing").stdout
    assert "Bộ, ngành: phải báo cáo 30; đã báo cáo 9 (30,0%); đúng hạn 9 (30,0%); muộn 0; quá hạn chưa báo cáo 21" in human
    assert "Tổng cộng: phải báo cáo 93; đã báo cáo 62 (66,7%)" in human
    assert "Chưa báo cáo" in human and "Đúng hạn" not in human

    # --as-of: the answer that was true that day.
    before = json.loads(cli("status", "--cycle", CYCLE, "--as-of", "2024-05-26", "--json").stdout)
    assert before["summary"][-1]["not_due"] == 93 and before["summary"][-1]["actual"] == 0
    on_deadline = json.loads(cli("status", "--cycle", CYCLE, "--as-of", "2024-05-31", "--json").stdout)
    assert [on_deadline["summary"][-1][k] for k in ("on_time", "not_due", "missing")] == [62, 31, 0]

    # Exports, read back.
    xlsx, csv = tmp_path / "tinh-hinh.xlsx", tmp_path / "tinh-hinh.csv"
    assert cli("status", "--cycle", CYCLE, "--as-of", "2024-06-10", "--export", str(xlsx)).exit_code == 0
    cli("status", "--cycle", CYCLE, "--as-of", "2024-06-10", "--export", str(csv), "--json")
    units = pd.read_excel(xlsx, sheet_name="Đơn vị", dtype={"Mã": str})
    groups = pd.read_excel(xlsx, sheet_name="Tổng hợp").set_index("Nhóm")
    assert len(units) == 93 and (units["Tình trạng"] == "Chưa báo cáo").sum() == 31
    assert groups.loc["Bộ, ngành", ["Phải báo cáo", "Đã báo cáo", "Chưa báo cáo"]].tolist() == [30, 9, 21]
    assert groups.loc["Tổng cộng", "Tỷ lệ báo cáo"] == pytest.approx(62 / 93, abs=1e-4)
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    from_csv = pd.read_csv(csv, encoding="utf-8-sig", dtype={"Mã": str})
    assert from_csv.columns[:4].tolist() == ["Mã", "Đơn vị", "Nhóm", "Tình trạng"]
    assert from_csv.set_index("Mã").loc["89", "Tình trạng"] == "Chưa báo cáo"
    assert (from_csv["Số ngày trễ"].dropna() == 10).all() and from_csv["Số ngày trễ"].count() == 31


def test_an_giang_529_recorded_from_paper_is_on_time(cli, app):
    open_2023_danvan(app)
    out = cli("record", "--cycle", CYCLE, "--unit", "An Giang", "--number", "529/BC-UBND", "--date", "24/05/2024",
              "--received-at", "2024-05-24T15:00", "--json")
    assert out.exit_code == 0, out.output
    [recorded] = json.loads(out.stdout)
    assert (recorded["outcome"], recorded["unit_id"], recorded["received_on"]) == ("accepted", "p2004-89", "2024-05-24")
    again = cli("record", "--cycle", CYCLE, "--unit", "89", "--number", "529/BC-UBND", "--date", "2024-05-24",
                "--received-at", "2024-05-25", "--json")
    assert json.loads(again.stdout)[0]["outcome"] == "duplicate"
    status = json.loads(cli("status", "--cycle", CYCLE, "--as-of", "2024-06-05", "--json").stdout)
    an_giang = next(u for u in status["units"] if u["code"] == "89")
    assert (an_giang["status"], an_giang["received_on"], an_giang["doc_number"]) == (
        "on_time", "2024-05-24", "529/BC-UBND")
    bad = cli("record", "--cycle", CYCLE, "--unit", "Atlantis", "--number", "1/BC", "--date", "2024-05-24")
    assert (bad.exit_code, bad.stderr) == (2, "Lỗi: Đơn vị 'Atlantis' không có trong danh mục vào ngày 31/12/2023.\n")
    bad_date = cli("record", "--cycle", CYCLE, "--unit", "89", "--number", "1/BC", "--date", "31/02/2024")
    assert bad_date.exit_code == 2 and "--date không hợp lệ" in bad_date.stderr


def test_template_submit_and_version_history_from_the_command_line(cli, app, tmp_path):
    open_2023_danvan(app)
    form = tmp_path / "mau.xlsx"
    out = cli("template", "--cycle", CYCLE, "--unit", "89", "--output", str(form))
    assert out.exit_code == 0 and form.exists() and str(form) in out.stdout
    wrong = cli("template", "--cycle", CYCLE, "--unit", "Học viện Chính trị quốc gia Hồ Chí Minh")
    assert (wrong.exit_code, wrong.stderr) == (
        2, "Lỗi: Học viện Chính trị quốc gia Hồ Chí Minh không thuộc danh sách phải báo cáo của kỳ "
           "'danvan-2023-annual'.\n")
    first = fill_template(app, CYCLE, tmp_path / "v1.xlsx", unit="89",
                          meta={"number": "529/BC-UBND", "date": "24/05/2024"}, values={"reception_visits": "22.153"})
    second = fill_template(app, CYCLE, tmp_path / "v2.xlsx", unit="89",
                           meta={"number": "529/BC-UBND", "date": "24/05/2024"}, values={"reception_visits": "22.160"})
    broken = tmp_path / "hong.xlsx"
    broken.write_text("không phải bảng tính", encoding="utf-8")
    assert cli("submit", str(first), "--received-at", "2024-05-24").exit_code == 0
    mixed = cli("submit", str(second), str(broken), "--received-at", "2024-06-03")
    assert mixed.exit_code == 1  # one file rejected
    assert "Lỗi tệp hong.xlsx: không phải tệp Excel .xlsx hợp lệ" in mixed.stdout
    assert "đã nhận: 1; bị từ chối: 1" in mixed.stdout

    versions = json.loads(cli("submissions", "--cycle", CYCLE, "--unit", "An Giang", "--json").stdout)
    assert [(v["version"], v["received_on"], v["counts_for_date"], v["current"]) for v in versions] == [
        (1, "2024-05-24", True, False), (2, "2024-06-03", False, True)]
    assert "tính hạn nộp" in cli("submissions", "--cycle", CYCLE).stdout
    status = json.loads(cli("status", "--cycle", CYCLE, "--as-of", "2024-06-05", "--json").stdout)
    an_giang = next(u for u in status["units"] if u["code"] == "89")
    assert (an_giang["status"], an_giang["received_on"], an_giang["version"]) == ("on_time", "2024-05-24", 2)


def test_inbox_from_the_command_line(cli, app):
    open_2023_danvan(app)
    inbox = app.settings.inbox_dir
    inbox.mkdir(parents=True)
    (inbox / "ha-noi.json").write_text(json.dumps({"cycle": CYCLE, "unit": "01", "number": "1/BC",
                                                   "date": "2024-05-20"}), encoding="utf-8")
    (inbox / "loi.json").write_text("{", encoding="utf-8")
    out = cli("inbox", "--received-at", "2024-05-21", "--json")
    assert out.exit_code == 1
    assert [(o["source_ref"], o["outcome"]) for o in json.loads(out.stdout)] == [
        ("ha-noi.json", "accepted"), ("loi.json", "rejected")]
    assert (inbox / "rejected" / "loi.json.reason.txt").exists()
    assert "không có tệp mới" in cli("inbox").stdout


def test_unit_history_follows_predecessors_across_the_merger(cli, app):
    open_2023_danvan(app)
    opened = cli("cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2025", "--request",
                 "120/BNV-CTTN&BĐG", "--issued", "2025-11-20", "--deadline", "chậm nhất ngày 10/12/2025")
    assert opened.exit_code == 0, opened.output
    cli("record", "--cycle", CYCLE, "--unit", "89", "--number", "529/BC-UBND", "--date", "2024-05-24",
        "--received-at", "2024-05-24")
    cli("record", "--cycle", CYCLE, "--unit", "Kiên Giang", "--sender", "Tỉnh An Giang", "--number", "7/BC-UBND",
        "--date", "2026-01-05", "--received-at", "2026-01-05")
    cli("record", "--cycle", "danvan-2025-annual", "--unit", "91", "--number", "3/BC-UBND", "--date",
        "2025-12-12", "--received-at", "2025-12-12")
    out = cli("unit", "history", "91", "--on", "2026-01-01", "--as-of", "2026-01-10", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["unit_id"], data["lineage"]) == ("p2025-91", ["p2025-91", "p2004-89", "p2004-91"])
    rows = [(c["cycle_id"], c["name"], c["status"], c["received_on"], c["days_late"], c["sender_name"])
            for c in data["cycles"]]
    assert rows == [
        (CYCLE, "Tỉnh An Giang", "on_time", "2024-05-24", None, None),
        (CYCLE, "Tỉnh Kiên Giang", "late", "2026-01-05", 584, "Tỉnh An Giang"),
        ("danvan-2025-annual", "Tỉnh An Giang", "late", "2025-12-12", 2, None),
    ]
    earlier = json.loads(cli("unit", "history", "91", "--on", "2026-01-01", "--as-of", "2024-06-01", "--json").stdout)
    assert [c["status"] for c in earlier["cycles"]] == ["on_time", "missing", "not_due"]
    human = cli("unit", "history", "91", "--on", "2026-01-01", "--as-of", "2026-01-10").stdout
    assert "gồm đơn vị tiền thân: Tỉnh An Giang (89), Tỉnh Kiên Giang (91)" in human
    assert "đúng hạn: 1; muộn: 2" in human
    single = json.loads(cli("unit", "history", "Bộ Nội vụ", "--on", "2024-01-01", "--json").stdout)
    assert [c["cycle_id"] for c in single["cycles"]] == [CYCLE]


def test_status_errors_are_one_line(cli, app):
    open_2023_danvan(app)
    assert cli("status", "--cycle", "danvan-2099-annual").stderr.startswith("Lỗi: Không có kỳ báo cáo 'danvan-2099")
    bad = cli("status", "--cycle", CYCLE, "--only", "gone")
    assert (bad.exit_code, bad.stderr) == (2, "Lỗi: --only 'gone' không hợp lệ (cần: on_time, late, draft_only, "
                                             "missing, not_due, exempted).\n")
    assert "cần tệp .xlsx hoặc .csv" in cli("status", "--cycle", CYCLE, "--export", "x.pdf").stderr
