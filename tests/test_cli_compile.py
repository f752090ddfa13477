import json
from datetime import date

import yaml

from tests.compilation_cases import QUANG_TRI_2023, v
from tests.helpers import open_2023_danvan, submit


def test_compile_command_writes_the_files_and_prints_the_footnote(app, cli, tmp_path):
    cycle = open_2023_danvan(app)
    submit(app, cycle.id, "Cà Mau", date(2024, 5, 30), values={"reception_visits": v(330)})
    result = cli("compile", "--cycle", cycle.id, "--as-of", "10/06/2024")
    assert result.exit_code == 0, result.output
    assert "Đã tạo bản tổng hợp số 1 của kỳ danvan-2023-annual" in result.output
    assert "00 bộ, ngành và 01/63 địa phương" in result.output
    assert "Cần kiểm tra: 0 điểm." in result.output
    assert (app.settings.exports_dir / cycle.id / "v1" / f"{cycle.id}-v1.docx").exists()

    again = cli("compile", "--cycle", cycle.id, "--as-of", "11/06/2024")
    assert "Dữ liệu không thay đổi từ bản số 1" in again.output

    submit(app, cycle.id, "Quảng Trị", date(2024, 6, 12), **QUANG_TRI_2023)
    exemplary = tmp_path / "tieu-bieu.yaml"
    exemplary.write_text(yaml.safe_dump({"exemplary": {"III.6": ["Quảng Trị", "Hà Nội"]}}, allow_unicode=True),
                         encoding="utf-8")
    out = tmp_path / "ban-2"
    data = json.loads(cli("compile", "--cycle", cycle.id, "--as-of", "14/06/2024", "--out", str(out),
                          "--exemplary", str(exemplary), "--json").output)
    assert (data["version"], data["created"]) == (2, True)
    assert data["files"]["xlsx"] == str(out / f"{cycle.id}-v2.xlsx") and (out / f"{cycle.id}-v2.xlsx").exists()
    assert data["footnote"].startswith("00 bộ, ngành và 02/63 địa phương\n")
    assert {f["kind"] for f in data["findings"]} == {"partial_period", "exemplary_not_reported"}
    assert data["changes"]["units_added"] == ["Tỉnh Quảng Trị"]


def test_compile_command_errors_are_one_line(app, cli):
    result = cli("compile", "--cycle", "danvan-1999-annual")
    assert result.exit_code == 2 and result.output.startswith("Lỗi: Không có kỳ báo cáo 'danvan-1999-annual'")
    cycle = open_2023_danvan(app)
    missing = cli("compile", "--cycle", cycle.id, "--exemplary", "/nonexistent/x.yaml")
    assert missing.exit_code == 2 and "Không có tệp đơn vị tiêu biểu /nonexistent/x.yaml" in missing.output
