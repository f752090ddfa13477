"""Importing and listing the units' contacts."""

import json
from datetime import date

from sqlmodel import select

from models.tables import ContactRow
from tasks.contacts import import_contacts
from tests.conftest import PROJECT_DIR

HEADER = "unit,role,channel,address,name,valid_from,valid_to\n"


def contacts(app) -> list[tuple]:
    with app.session() as session:
        found = session.exec(select(ContactRow).order_by(ContactRow.unit_id, ContactRow.address)).all()
    return [(c.unit_id, c.role, c.channel, c.address, c.name, c.valid_from, c.valid_to) for c in found]


def test_csv_import_resolves_units_on_the_right_date_and_is_idempotent(app, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + (
        "91,focal,email,SNV@KiengGiang.example.invalid,Sở Nội vụ Kiên Giang,2024-01-01,2025-06-30\n"
        "91,focal,email,snv@angiang.example.invalid,Sở Nội vụ An Giang,2025-07-01,\n"
        "Bộ Tư pháp,leadership,chat,json://127.0.0.1:9/btp,,,\n"
        "\n"), encoding="utf-8")
    first = import_contacts(app, path, date(2026, 1, 5))
    assert (first.rows, first.created, first.errors) == (3, 3, [])
    assert contacts(app) == [
        ("c2025-btp", "leadership", "chat", "json://127.0.0.1:9/btp", None, None, None),
        ("p2004-91", "focal", "email", "snv@kienggiang.example.invalid", "Sở Nội vụ Kiên Giang", date(2024, 1, 1),
         date(2025, 6, 30)),
        ("p2025-91", "focal", "email", "snv@angiang.example.invalid", "Sở Nội vụ An Giang", date(2025, 7, 1), None),
    ]
    again = import_contacts(app, path, date(2026, 1, 5))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    path.write_text(HEADER + "Bộ Tư pháp,focal,chat,json://127.0.0.1:9/btp,Văn phòng,,\n", encoding="utf-8")
    changed = import_contacts(app, path, date(2026, 1, 5))
    assert (changed.created, changed.updated) == (0, 1)
    assert contacts(app)[0][:5] == ("c2025-btp", "focal", "chat", "json://127.0.0.1:9/btp", "Văn phòng")


def test_yaml_import(app, tmp_path):
    path = tmp_path / "contacts.yaml"
    path.write_text("""contacts:
  - {unit: "89", channel: email, address: a@angiang.example.invalid, valid_from: 2024-01-01}
  - {unit: bnv, role: leadership, channel: chat, address: "tgram://${BOT_TOKEN}/-100123456"}
""", encoding="utf-8")
    result = import_contacts(app, path, date(2024, 5, 1))
    assert result.created == 2 and result.errors == []
    assert [c[:4] for c in contacts(app)] == [("c2021-bnv", "leadership", "chat", "tgram://${BOT_TOKEN}/-100123456"),
                                             ("p2004-89", "focal", "email", "a@angiang.example.invalid")]


def test_bad_rows_are_named_and_the_good_ones_imported(app, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + (
        "Tỉnh Không Có,focal,email,x@example.invalid,,,\n"
        "01,boss,email,y@example.invalid,,,\n"
        "01,focal,fax,y@example.invalid,,,\n"
        "01,focal,email,not-an-address,,,\n"
        "01,focal,chat,nonsense://whatever,,,\n"
        "01,focal,email,ok@hanoi.example.invalid,,31/12/2024,01/01/2024\n"
        "01,focal,email,ok@hanoi.example.invalid,,,\n"
        "01,focal,email,ok@hanoi.example.invalid,,,\n"), encoding="utf-8")
    result = import_contacts(app, path, date(2024, 5, 1))
    assert [(e["row"], e["field"]) for e in result.errors] == [
        (2, "unit"), (3, "role"), (4, "channel"), (5, "address"), (6, "address"), (7, "valid_to"), (9, "address")]
    assert result.errors[0]["message"].startswith("contacts.csv, dòng 2, cột unit: Không tìm thấy đơn vị 'Tỉnh Không Có'")
    assert "không phải địa chỉ thư điện tử hợp lệ" in result.errors[3]["message"]
    assert "Apprise không dùng được" in result.errors[4]["message"]
    assert result.created == 1 and [c[3] for c in contacts(app)] == ["ok@hanoi.example.invalid"]


def test_the_example_file_imports_cleanly_and_holds_no_real_address(app):
    result = import_contacts(app, PROJECT_DIR / "data" / "contacts.example.csv", date(2026, 1, 5))
    assert result.errors == [] and result.created == result.rows
    assert all(c[3].endswith("@example.invalid") for c in contacts(app))


def test_cli_import_and_list(cli, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + "89,focal,email,a@angiang.example.invalid,Đầu mối,2024-01-01,2025-06-30\n"
                    "01,focal,email,b@hanoi.example.invalid,,2024-01-01,\n", encoding="utf-8")
    out = cli("contacts", "import", str(path), "--json")
    assert out.exit_code == 0 and json.loads(out.output)["created"] == 2
    listed = json.loads(cli("contacts", "list", "--unit", "89", "--on", "2024-06-01", "--json").output)
    assert listed == [dict(unit_id="p2004-89", unit_name="Tỉnh An Giang", role="focal", channel="email",
                           address="a@angiang.example.invalid", name="Đầu mối", valid_from="2024-01-01",
                           valid_to="2025-06-30")]
    assert json.loads(cli("contacts", "list", "--on", "2026-01-05", "--json").output)[0]["unit_id"] == "p2004-01"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "XX,focal,email,c@example.invalid,,,\n", encoding="utf-8")
    out = cli("contacts", "import", str(bad))
    assert out.exit_code == 2 and "Lỗi: bad.csv, dòng 2, cột unit" in out.output
    assert cli("contacts", "import", str(tmp_path / "none.csv")).exit_code == 2
