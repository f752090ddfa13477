"""The roll-up, two levels in one test: Sở Nội vụ tỉnh Quảng Ninh (data/provinces/quang-ninh, its
own database) collects from its departments and communes and compiles; its compilation goes up
as Quảng Ninh's report to Bộ Nội vụ's cycle (data/, another database), with its number, date,
figures and the link to the province's cycle, version and compiled draft."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from models.tables import SubmissionRow, ValueRow
from tests.conftest import PROJECT_DIR
from wiring.app import open_app
from wiring.settings import Settings, get_settings

LEVELS = {"national": PROJECT_DIR / "data", "province": PROJECT_DIR / "data" / "provinces" / "quang-ninh"}
CYCLE = "danvan-2025-annual"

# Figures of each reporting unit of the province (code or name, as the unit writes it).
REPORTS = {
    "Sở Tư pháp": dict(reception_visits=12, tthc_reviewed=40, tthc_proposed_removed=2, tthc_proposed_amended=3,
                       par_index_score="85,10"),
    "Sở Tài chính": dict(reception_visits=8, tthc_reviewed=60, tthc_proposed_removed=4, tthc_proposed_amended=5),
    "Phường Hà Tu": dict(reception_visits=30, tthc_reviewed=20, tthc_proposed_removed=1, tthc_proposed_amended=0,
                         feedback_received="hơn 100"),
    "Đặc khu Vân Đồn": dict(reception_visits=50, tthc_reviewed=30, tthc_proposed_removed=0, tthc_proposed_amended=2,
                            feedback_received=40),
}


@pytest.fixture
def level(tmp_path, monkeypatch):
    """Run a dvtracker command at one level: its own data folder, database and var folder."""
    runner = CliRunner()

    def settings(name: str) -> Settings:
        return Settings(data_dir=LEVELS[name], database_url=f"sqlite:///{tmp_path / name}.db",
                        var_dir=tmp_path / name / "var")

    def run(name: str, *args: str, ok: bool = True):
        from dvtracker.cli import app as cli_app

        s = settings(name)
        monkeypatch.setenv("DVTRACKER_DATA_DIR", str(s.data_dir))
        monkeypatch.setenv("DVTRACKER_DATABASE_URL", s.database_url)
        monkeypatch.setenv("DVTRACKER_VAR_DIR", str(s.var_dir))
        monkeypatch.setenv("DVTRACKER_ACTOR", "cli:test")
        get_settings.cache_clear()
        result = runner.invoke(cli_app, list(args), catch_exceptions=False, prog_name="dvtracker")
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run.settings = settings
    yield run
    get_settings.cache_clear()


def _open(level, name: str, request: str, issued: str, deadline: str) -> None:
    level(name, "init")
    level(name, "cycle", "open", "--stream", "danvan", "--kind", "annual", "--year", "2025", "--request", request,
          "--issued", issued, "--deadline", deadline)


def test_a_province_compilation_goes_up_as_its_report_to_the_national_cycle(level, tmp_path):
    # The province: its cycle, four of its units report, and nothing to send up before it compiles.
    _open(level, "province", "120/SNV-XDCQ", "20/11/2025", "trước ngày 10/12/2025")
    files = []
    for n, (unit, figures) in enumerate(REPORTS.items(), start=1):
        path = tmp_path / f"unit-{n}.json"
        path.write_text(json.dumps(dict(cycle=CYCLE, unit=unit, number=f"{n}/BC", date="2025-12-05",
                                        indicators=figures), ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    level("province", "submit", *files, "--received-at", "2025-12-05")

    early = level("province", "rollup", "--cycle", CYCLE, "--number", "123/BC-SNV", "--date", "2025-12-15", ok=False)
    assert early.exit_code == 2
    assert early.output.strip() == ("Lỗi: Kỳ 'danvan-2025-annual' chưa có bản tổng hợp nào: hãy tổng hợp trước "
                                    "(dvtracker compile --cycle danvan-2025-annual), rồi mới xuất báo cáo gửi cấp trên.")

    compiled = json.loads(level("province", "compile", "--cycle", CYCLE, "--as-of", "2025-12-10", "--json").stdout)
    assert compiled["version"] == 1
    draft_sha = hashlib.sha256(Path(compiled["files"]["docx"]).read_bytes()).hexdigest()

    before = level("province", "rollup", "--cycle", CYCLE, "--number", "123/BC-SNV", "--date", "2025-12-09", ok=False)
    assert "Lỗi: Ngày văn bản 09/12/2025 trước ngày của bản tổng hợp số 1 (10/12/2025)" in before.output
    draft_number = level("province", "rollup", "--cycle", CYCLE, "--number", "/BC-SNV", "--date", "2025-12-15",
                         ok=False)
    assert draft_number.exit_code == 2 and "số văn bản" in draft_number.output.lower()

    out = tmp_path / "quang-ninh-bao-cao.json"
    exported = json.loads(level("province", "rollup", "--cycle", CYCLE, "--number", "123/BC-SNV", "--date",
                                "2025-12-15", "--answers", "5000/BNV-CTTN", "--set", "par_index_score=82,50",
                                "--to", str(out), "--json").stdout)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report == exported["report"]
    assert (report["unit"], report["cycle"], report["number"], report["date"]) == ("22", CYCLE, "123/BC-SNV",
                                                                                  "2025-12-15")
    assert report["answers_request"] == "5000/BNV-CTTN" and report["data_until"] == "2025-12-31"
    assert report["compiled_from"] == dict(collector="snv-quangninh", cycle=CYCLE, version=1, draft_sha256=draft_sha)
    figures = report["indicators"]
    assert figures["reception_visits"] == 100 and figures["tthc_reviewed"] == 150
    assert figures["tthc_proposed_removed"] == 7 and figures["tthc_proposed_amended"] == 10
    assert figures["tthc_simplified_rate"] == round(100 * 17 / 150, 2)  # recomputed from the summed parts
    assert figures["feedback_received"] == {"value": 140, "approximate": True}  # "hơn 100" stays an estimate
    assert figures["par_index_score"] == "82,50"  # the Sở's own score, never a department's (85,10)
    assert "papi_score" not in figures
    assert "officials_disciplined" not in figures  # no unit gave it: not reported, never 0
    said = level("province", "rollup", "--cycle", CYCLE, "--number", "123/BC-SNV", "--date", "15/12/2025").stdout
    assert " ".join(said.split()).startswith("Đã xuất báo cáo 123/BC-SNV ngày 15/12/2025 của đơn vị '22' gửi kỳ danvan-2025-annual "
                           "của cấp trên, từ bản tổng hợp số 1")
    default = level.settings("province").exports_dir / CYCLE / "v1" / f"{CYCLE}-v1-gui-cap-tren.json"
    plain = json.loads(default.read_text(encoding="utf-8"))
    assert plain["indicators"] == {k: v for k, v in figures.items() if k != "par_index_score"}
    assert plain["compiled_from"] == report["compiled_from"] and "answers_request" not in plain
    unknown_figure = level("province", "rollup", "--cycle", CYCLE, "--number", "123/BC-SNV", "--date", "15/12/2025",
                           "--set", "diem_tu_cham=9", ok=False)
    assert unknown_figure.output.strip() == ("Lỗi: Chỉ tiêu 'diem_tu_cham' không có trong danh mục chỉ tiêu của "
                                             "luồng báo cáo.")
    # The file is an output of the province's cycle, fetched from its database on any machine.
    listed = json.loads(level("province", "outputs", "list", "--cycle", CYCLE, "--kind", "rollup", "--json").stdout)
    assert sorted(o["name"] for o in listed) == ["exports/danvan-2025-annual/v1/danvan-2025-annual-v1-gui-cap-tren.json",
                                                 "quang-ninh-bao-cao.json"]

    # The nation: its cycle for the same year; a report for a unit its roster does not know is refused.
    _open(level, "national", "5000/BNV-CTTN", "10/11/2025", "trước ngày 20/12/2025")
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({**report, "unit": "99"}, ensure_ascii=False), encoding="utf-8")
    refused = json.loads(level("national", "submit", str(unknown), "--received-at", "2025-12-16", "--json",
                               ok=False).stdout)
    assert refused[0]["outcome"] == "rejected"
    message = refused[0]["errors"][0]["message"]
    assert message.startswith("Đơn vị '99' không có trong danh mục vào ngày 31/12/2025.")
    assert "báo cáo tổng hợp của đơn vị thu thập 'snv-quangninh'" in message and "collector.reports_as" in message

    taken = json.loads(level("national", "submit", str(out), "--received-at", "2025-12-16", "--json").stdout)
    assert (taken[0]["outcome"], taken[0]["unit_name"], taken[0]["doc_number"]) == ("accepted", "Tỉnh Quảng Ninh",
                                                                                    "123/BC-SNV")
    status = json.loads(level("national", "status", "--cycle", CYCLE, "--as-of", "2025-12-16", "--json").stdout)
    row = next(u for u in status["units"] if u["name"] == "Tỉnh Quảng Ninh")
    assert (row["status"], row["doc_number"], row["received_on"]) == ("on_time", "123/BC-SNV", "2025-12-16")
    versions = json.loads(level("national", "submissions", "--cycle", CYCLE, "--json").stdout)
    assert [(v["doc_number"], v["doc_date"]) for v in versions] == [("123/BC-SNV", "2025-12-15")]
    assert versions[0]["compiled_from"] == report["compiled_from"]  # the link, kept with the submission

    # The national compilation sums Quảng Ninh's figures (the only province that reported).
    level("national", "compile", "--cycle", CYCLE, "--as-of", "2025-12-16")
    app = open_app(level.settings("national"))
    try:
        from tasks.compile import latest_compilation

        summary = latest_compilation(app, CYCLE).summary
    finally:
        app.close()
    totals = {(t["indicator"], t["group"]): t for t in summary["totals"]}
    assert totals[("reception_visits", "provincial")]["value"] == 100
    assert totals[("reception_visits", "overall")]["reported"] == 1
    assert totals[("tthc_simplified_rate", "provincial")]["value"] == pytest.approx(100 * 17 / 150)
    assert totals[("feedback_received", "provincial")]["approximate"] is True
    assert summary["units"]["p2025-22"]["status"] == "on_time"
    assert summary["footnote"].splitlines()[0] == "00 bộ, ngành và 01/34 địa phương"
    assert "Quảng Ninh" not in summary["footnote"]  # not among those that have not reported
    app = open_app(level.settings("national"))
    try:
        with app.session() as session:
            score = session.exec(select(ValueRow.value).join(SubmissionRow, SubmissionRow.id == ValueRow.submission_id)
                                 .where(SubmissionRow.unit_id == "p2025-22",
                                        ValueRow.indicator_id == "par_index_score")).one()
    finally:
        app.close()
    assert score == 82.5


def test_a_broken_link_is_refused_field_by_field():
    """The link a roll-up report carries is checked as every field of a report is: what is wrong, where."""
    from models.report_form import read_form

    def errors(link) -> list[tuple[str | None, str]]:
        result = read_form(dict(unit="22", number="1/BC", date="2025-12-15", compiled_from=link),
                           sections=[], indicators=[])
        return [(p.field, p.message) for p in result.errors]

    good = dict(collector="snv-quangninh", cycle=CYCLE, version=1, draft_sha256="a" * 64)
    assert errors(good) == []
    assert read_form(dict(unit="22", number="1/BC", date="2025-12-15", compiled_from={**good, "version": "2"}),
                     sections=[], indicators=[]).report.compiled_from["version"] == 2  # YAML reads "2"
    assert errors({**good, "version": 0, "draft_sha256": "abc"}) == [
        ("compiled_from.version", "Nguồn của báo cáo tổng hợp: số bản tổng hợp (số nguyên từ 1) không hợp lệ."),
        ("compiled_from.draft_sha256", "Nguồn của báo cáo tổng hợp: mã SHA-256 của dự thảo (64 ký tự hex) "
                                       "không hợp lệ."),
    ]
    assert errors("snv-quangninh") == [("compiled_from", "mục 'compiled_from' phải là bảng gồm đúng các khoá "
                                        "collector, cycle, version, draft_sha256 (bản tổng hợp được gửi lên).")]
