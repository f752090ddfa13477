"""One level down: Sở Nội vụ tỉnh Quảng Ninh collecting from its departments and its 54 communes
(data/provinces/quang-ninh), with its own groups and their words, end to end."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import uuid
from datetime import date

import pytest
from docx import Document
from sqlalchemy import text

from models.cycles import RequestInput, open_cycle
from notifications.messages import addressee, in_text
from tasks.compile import compile_cycle
from tasks.tracking import check_quorum, cycle_status
from tests.conftest import PG_URL, PROJECT_DIR, _admin_engine, _pg_db_url
from tests.helpers import submit
from tests.prose_documents import to_pdf
from wiring.app import init_database, open_app
from wiring.settings import Settings

PROVINCE = PROJECT_DIR / "data" / "provinces" / "quang-ninh"
DEADLINE = date(2025, 12, 10)


@pytest.fixture
def province(tmp_path):
    if PG_URL:
        name = f"dvt_qn_{uuid.uuid4().hex[:10]}"
        admin = _admin_engine()
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = _pg_db_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'qn.db'}"
    settings = Settings(var_dir=tmp_path / "var", database_url=url, data_dir=PROVINCE)
    init_database(settings)
    app = open_app(settings)
    yield app
    app.close()
    if PG_URL:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_communes_are_those_of_the_generating_command(cli):
    """The roster's communes are exactly what `dvtracker data communes --province 22` prints."""
    result = cli("data", "communes", "--province", "22", "--json")
    data = json.loads(result.stdout)
    with (PROVINCE / "roster" / "units.csv").open(encoding="utf-8") as fh:
        shipped = [r for r in csv.DictReader(fh) if r["group"] == "commune"]
    assert data["province"] == "Tỉnh Quảng Ninh"
    assert shipped == data["communes"] and len(shipped) == 54
    kinds = {r["kind"] for r in shipped}
    assert kinds == {"XA", "PHUONG", "DACKHU"}
    assert {"Phường Hà Tu", "Đặc khu Vân Đồn", "Đặc khu Cô Tô"} <= {r["name"] for r in shipped}
    assert all(len(r["code"]) == 5 and r["id"] == f"w2025-{r['code']}" for r in shipped)


def test_an_unknown_province_code_is_refused_with_the_known_codes(cli):
    result = cli("data", "communes", "--province", "99")
    assert result.exit_code != 0 and "mã 99" in result.output and "22 Quảng Ninh" in result.output


def test_a_province_cycle_end_to_end_in_its_own_words(province, tmp_path):
    app = province
    assert list(app.roster.groups) == ["department", "commune"]
    with app.session() as session:
        cycle = open_cycle(session, config=app.config, roster=app.roster, calendar=app.calendar, stream_id="danvan",
                           kind="annual", year=2025,
                           request=RequestInput("120/SNV-XDCQ", date(2025, 11, 20), "trước ngày 10/12/2025"))
    departments = [u for u in app.roster.on(DEADLINE) if u.group == "department"]
    communes = [u for u in app.roster.on(DEADLINE) if u.group == "commune"]
    assert (len(departments), len(communes)) == (14, 54)

    # 5 departments and 44 of 54 communes report (80 % of the communes: the quorum's share).
    for unit in departments[:5]:
        submit(app, cycle.id, unit.name, date(2025, 12, 5), number="10/BC")
    for unit in communes[:44]:
        submit(app, cycle.id, unit.name, date(2025, 12, 8), number="5/BC-UBND")

    status = cycle_status(app, cycle.id, DEADLINE)
    rows = status.groups.set_index("group")
    assert rows.loc["department", "group_label"] == "sở, ban, ngành"
    assert rows.loc["commune", "group_label"] == "xã, phường, đặc khu"
    assert (rows.loc["department", "expected"], rows.loc["department", "actual"]) == (14, 5)
    assert (rows.loc["commune", "expected"], rows.loc["commune", "actual"]) == (54, 44)
    assert list(status.units["group"]) == ["department"] * 14 + ["commune"] * 54  # departments first

    quorum = check_quorum(app, cycle.id, DEADLINE, status)
    assert quorum.reached
    assert quorum.reasons[0].startswith("sở, ban, ngành: 5/14 đã báo cáo")
    assert quorum.reasons[1].startswith("xã, phường, đặc khu: 44/54 đã báo cáo")

    result = compile_cycle(app, cycle.id, as_of=DEADLINE, out_dir=tmp_path / "out")
    head = result.footnote.splitlines()[0]
    assert head == "05 sở, ban, ngành và 44/54 xã, phường, đặc khu"
    assert "bộ, ngành" not in result.footnote.replace("sở, ban, ngành", "") and "địa phương" not in result.footnote
    doc = Document(str(result.files["docx"]))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "các sở, ban, ngành và xã, phường, đặc khu" in body
    assert "bộ, ngành" not in body.replace("sở, ban, ngành", "")
    header = [c.text for c in doc.tables[0].rows[0].cells] if doc.tables else []
    assert any("SỞ NỘI VỤ" in c for c in header)
    closing = [c.text for c in doc.tables[-1].rows[0].cells]
    assert "- Ban Dân vận Tỉnh ủy (để phối hợp);" in closing[0] and closing[0].endswith("- Lưu: VT, XDCQ.")
    assert closing[1].startswith("GIÁM ĐỐC") and "BỘ TRƯỞNG" not in closing[1]
    if shutil.which("soffice") and shutil.which("pdftotext"):  # as printed: the parent body split evenly
        source = tmp_path / "snv.docx"
        shutil.copy(result.files["docx"], source)
        page1 = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(to_pdf(source)), "-"],
                               check=True, capture_output=True, text=True).stdout.splitlines()
        assert re.fullmatch(r"\s*ỦY BAN NHÂN DÂN\s+CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", page1[0]), page1[:3]
        assert re.fullmatch(r"\s*TỈNH QUẢNG NINH\s+Độc lập - Tự do - Hạnh phúc", page1[1]), page1[:3]
        assert page1[2].strip() == "SỞ NỘI VỤ", page1[:3]

    # A commune inside a sentence and on a letter, by the group's words.
    ha_tu = app.roster.find("Phường Hà Tu", DEADLINE)
    assert in_text(ha_tu, DEADLINE) == "phường Hà Tu"
    assert addressee(ha_tu, DEADLINE) == "Ủy ban nhân dân phường Hà Tu"
    assert addressee(departments[6], DEADLINE) == "Sở Xây dựng"


def test_a_unit_of_a_group_the_calendar_does_not_name_is_refused(tmp_path):
    import shutil

    from models.data_folder import check_data

    folder = tmp_path / "qn"
    shutil.copytree(PROVINCE, folder)
    units = folder / "roster" / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("s-sxd,department,", "s-sxd,central,"), encoding="utf-8")
    problems = [str(p) for p in check_data(folder)]
    assert problems == ["roster/units.csv, dòng 8, group: nhóm 'central' không có trong calendar.yaml "
                        "(các nhóm: department, commune)."]
