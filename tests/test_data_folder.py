"""The data folder is a documented, validated format: every problem is listed with its file,
line and field; init refuses a folder that has any; a database belongs to one collector."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from models.data_folder import check_data, data_schema
from models.errors import UserError
from tests.conftest import PROJECT_DIR
from wiring.app import init_database, open_app
from wiring.settings import Settings


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(PROJECT_DIR / "data", folder)
    return folder


def edit_calendar(folder, change) -> None:
    path = folder / "calendar.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(config)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_project_data_folder_is_valid():
    assert check_data(PROJECT_DIR / "data") == []


def test_every_problem_of_a_broken_folder_is_listed_with_file_line_and_field(data):
    def break_it(config):
        config["streams"]["danvan"]["expected"]["groups"] = ["central", "commune"]
        config["streams"]["danvan"]["quorum"]["shares"] = {"central": 0.3, "provincial": 80}

    edit_calendar(data, break_it)
    units = (data / "roster" / "units.csv").read_text(encoding="utf-8").splitlines()
    units.append("p-moi,provincial,TINH,99,,Tỉnh Mới,1,,,")  # no valid_from
    units.append(units[1])  # the same id twice
    (data / "roster" / "units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    with (data / "roster" / "successions.csv").open("a", encoding="utf-8") as f:
        f.write("p2004-89,p-khong-co,2025-07-01\n")
    (data / "indicators" / "qcdc.csv").unlink()

    found = {(p.file, p.line, p.field, p.message) for p in check_data(data)}
    lines = len(units)
    assert ("roster/units.csv", lines - 1, "valid_from", "Valid_from '': phải là một ngày (2024-05-31).") in found
    assert ("roster/units.csv", lines, "id", f"mã '{units[1].split(',')[0]}' đã có ở dòng 2.") in found
    assert any(f[0] == "roster/successions.csv" and f[2] == "successor_id" and "p-khong-co" in f[3] for f in found)
    assert any(f[0] == "calendar.yaml" and f[2] == "streams.danvan.expected.groups" and "'commune'" in f[3]
               and f[1] is not None for f in found)
    assert any(f[2] == "streams.danvan.quorum.shares.provincial" and "tỷ lệ 80 không hợp lệ" in f[3] for f in found)
    assert ("indicators/qcdc.csv", None, None, "thiếu danh mục chỉ tiêu của luồng 'qcdc'.") in found


def test_a_missing_roster_is_an_error_not_zero_units(data):
    (data / "roster" / "units.csv").unlink()
    assert [str(p) for p in check_data(data)][:1] == ["roster/units.csv: thiếu tệp."]


def test_the_data_check_command_lists_and_exits_2(cli, data):
    (data / "calendar.yaml").write_text("collector: [\n", encoding="utf-8")
    result = cli("data", "check", str(data), "--json")
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert problems[0]["file"] == "calendar.yaml" and problems[0]["message"].startswith("không đọc được YAML")
    assert cli("data", "check", str(PROJECT_DIR / "data")).stdout.startswith("Thư mục dữ liệu")


def test_init_refuses_an_invalid_folder(data, tmp_path):
    edit_calendar(data, lambda c: c["streams"]["danvan"]["quorum"]["shares"].update(central=3))
    settings = Settings(var_dir=tmp_path / "var", data_dir=data)
    with pytest.raises(UserError, match=r"có 1 lỗi \(xem 'dvtracker data check'\): calendar.yaml, dòng \d+, "
                                        r"streams.danvan.quorum.shares.central: tỷ lệ 3 không hợp lệ"):
        init_database(settings)


def test_a_database_belongs_to_one_collector(data, settings):
    edit_calendar(data, lambda c: c["collector"].update(id="snv-hue", name="Sở Nội vụ"))
    other = Settings(var_dir=settings.var_dir, database_url=settings.database_url, data_dir=data)
    with pytest.raises(UserError, match="thuộc đơn vị thu thập 'bnv', không phải 'snv-hue'"):
        init_database(other)
    with pytest.raises(UserError, match="thuộc đơn vị thu thập 'bnv', không phải 'snv-hue'"):
        _ = open_app(other).roster


def test_the_published_schema_is_the_models_schema():
    published = json.loads((PROJECT_DIR / "docs" / "data-schema.json").read_text(encoding="utf-8"))
    assert published == data_schema(), "run: dvtracker data schema -o docs/data-schema.json"
