"""Import the units' contacts from a data file (CSV or YAML) that the coordinators keep.

CSV: one contact a row, header ``unit,role,channel,address,name,valid_from,valid_to``.
YAML: a list of mappings with the same keys (or ``{contacts: [...]}``).
A bad row is reported with its row number, column and reason; the good rows are imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from models.contacts import ContactError, ContactInput, read_contact, upsert_contacts
from models.errors import UserError
from notifications.channels import check_chat_url
from wiring.app import App


@dataclass
class ContactImport:
    path: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)  # row, field, message

    def to_dict(self) -> dict:
        return dict(path=self.path, rows=self.rows, created=self.created, updated=self.updated,
                    unchanged=self.unchanged, errors=self.errors)


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    """(row number as the user sees it, raw mapping)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UserError(f"Không đọc được tệp đầu mối {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise UserError(f"Tệp đầu mối {path} không phải văn bản UTF-8 (hãy lưu lại với mã hóa UTF-8).") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "unit" not in reader.fieldnames:
            raise UserError(f"Tệp {path.name}: dòng tiêu đề cần các cột unit,role,channel,address,name,valid_from,valid_to.")
        return [(i + 2, {k: v for k, v in row.items() if k is not None}) for i, row in enumerate(reader)
                if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    if suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UserError(f"Tệp {path.name} không phải YAML hợp lệ: {exc}") from exc
        if isinstance(data, dict):
            data = data.get("contacts")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise UserError(f"Tệp {path.name}: cần một danh sách đầu mối (mỗi mục có unit, role, channel, address…).")
        return [(i + 1, r) for i, r in enumerate(data)]
    raise UserError(f"Tệp đầu mối {path.name}: chỉ nhận .csv, .yaml hoặc .yml.")


def import_contacts(app: App, path: Path, on: date) -> ContactImport:
    """Import (create or update) the contacts of ``path``; units are resolved on each row's
    ``valid_from``, or on ``on``. Re-importing the same file changes nothing."""
    rows = _read_rows(path)
    result = ContactImport(str(path), len(rows))
    good: dict[tuple[str, str, str], ContactInput] = {}
    where = "dòng" if path.suffix.lower() == ".csv" else "mục"
    for number, raw in rows:
        try:
            contact = read_contact(raw, app.roster, on, check_chat_url)
        except ContactError as exc:
            result.errors.append(dict(row=number, field=exc.field, message=f"{path.name}, {where} {number}, {exc.message}"))
            continue
        key = (contact.unit_id, contact.channel, contact.address)
        if key in good:
            result.errors.append(dict(row=number, field="address", message=(
                f"{path.name}, {where} {number}, cột address: {contact.address} đã có ở một {where} trước "
                "cho cùng đơn vị và kênh; bỏ qua.")))
            continue
        good[key] = contact
    with app.session() as session:
        counts = upsert_contacts(session, list(good.values()))
    result.created, result.updated, result.unchanged = counts["created"], counts["updated"], counts["unchanged"]
    return result
