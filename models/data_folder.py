"""A collector's data folder as a documented, validated format.

    data/
      calendar.yaml            the collector, its report streams and the defaults of their cycles
      calendar/day_overrides.csv   days worked or off that the holidays package does not know
      roster/units.csv         every reporting unit with its group and validity dates
      roster/renames.csv, aliases.csv, successions.csv   its other names and who took over whom
      indicators/<stream>.csv  the figures each stream asks for (the file the stream names)

``check_data`` lists every problem with the file, line and field it is on, so that a coordinator
setting up a collector fixes them all at once; ``dvtracker data check`` prints them and
``dvtracker init`` refuses a folder that has any. The schema of each file is the pydantic model
that reads it (``calendar.yaml``: ``models.streams.CalendarConfig``; a roster row: ``UnitRecord``);
``docs/data-schema.json`` is generated from them (``data_schema()``).
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from models.catalogue import load_catalogue
from models.errors import UserError
from models.streams import CalendarConfig
from models.validation import describe_errors

UNIT_COLUMNS = ("id", "group", "kind", "code", "slug", "name", "official", "valid_from", "valid_to", "organ_id")
REQUIRED_UNIT_COLUMNS = ("id", "group", "kind", "name", "valid_from")


@dataclass(frozen=True)
class DataProblem:
    file: str  # relative to the data folder
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f", dòng {self.line}" if self.line else "") + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"

    def to_dict(self) -> dict:
        return dict(file=self.file, line=self.line, field=self.field, message=self.message)


class UnitRecord(BaseModel):
    """One row of ``roster/units.csv``."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$", title="id")
    group: str = Field(min_length=1, max_length=32, title="group")
    kind: str = Field(min_length=1, max_length=16, title="kind")
    code: str | None = Field(None, max_length=16, title="code")
    slug: str | None = Field(None, max_length=64, title="slug")
    name: str = Field(min_length=1, max_length=255, title="name")
    official: bool = Field(True, title="official")
    valid_from: date = Field(title="valid_from")
    valid_to: date | None = Field(None, title="valid_to")
    organ_id: str | None = Field(None, max_length=64, title="organ_id")

    @field_validator("code", "slug", "valid_to", "organ_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if value == "" else value

    @field_validator("official", mode="before")
    @classmethod
    def _official(cls, value):
        return value not in ("0", "false", "False", "") if isinstance(value, str) else value

    @model_validator(mode="after")
    def _dates(self) -> UnitRecord:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} trước valid_from {self.valid_from}")
        return self


def check_data(folder: Path) -> list[DataProblem]:
    """Every problem of the data folder; [] when it can be used."""
    problems: list[DataProblem] = []
    config = _check_calendar(folder, problems)
    units = _check_units(folder, problems, list(config.groups) if config is not None else None)
    ids = {u.id for u in units}
    _check_references(folder, "roster/renames.csv", ("unit_id", "name", "kind", "valid_from"), "unit_id", ids, problems)
    _check_references(folder, "roster/aliases.csv", ("unit_id", "alias"), "unit_id", ids, problems)
    _check_references(folder, "roster/successions.csv", ("predecessor_id", "successor_id", "effective"),
                      "predecessor_id", ids, problems, also="successor_id")
    _check_overrides(folder, problems)
    if config is not None:
        _check_streams(folder, config, {u.group for u in units}, ids, problems)
    return problems


def require_valid(folder: Path) -> None:
    """A UserError listing the folder's problems, if it has any."""
    problems = check_data(folder)
    if problems:
        shown = "; ".join(str(p) for p in problems[:10]) + (f"; và {len(problems) - 10} lỗi khác" if len(problems) > 10 else "")
        raise UserError(f"Thư mục dữ liệu {folder} có {len(problems)} lỗi (xem 'dvtracker data check'): {shown}.")


# --- the files ------------------------------------------------------------------------------------
def _check_calendar(folder: Path, problems: list[DataProblem]) -> CalendarConfig | None:
    path = folder / "calendar.yaml"
    if not path.is_file():
        problems.append(DataProblem("calendar.yaml", None, None, "thiếu tệp lịch báo cáo."))
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(DataProblem("calendar.yaml", mark.line + 1 if mark else None, None,
                                    f"không đọc được YAML: {getattr(exc, 'problem', None) or exc}."))
        return None
    try:
        return CalendarConfig.model_validate(raw)
    except ValidationError as exc:
        lines = _yaml_lines(path)
        for error in exc.errors(include_url=False):
            loc = tuple(str(p) for p in error["loc"])
            where = ".".join(loc)
            problems.append(DataProblem("calendar.yaml", lines.get(loc), where, describe_errors(
                CalendarConfig, [error], label=_constant(where))))
        return None


def _constant(text: str) -> Callable[[str], str]:
    return lambda _name: text


def _yaml_lines(path: Path) -> dict[tuple[str, ...], int]:
    """The line of every key path of a YAML file, for pointing at a problem."""
    out: dict[tuple[str, ...], int] = {}

    def walk(node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*prefix, str(key.value))
                out[here] = key.start_mark.line + 1
                walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                here = (*prefix, str(i))
                out[here] = item.start_mark.line + 1
                walk(item, here)

    with contextlib.suppress(yaml.YAMLError):  # the calendar's own problem is reported apart
        walk(yaml.compose(path.read_text(encoding="utf-8")), ())
    return out


def _rows(folder: Path, name: str, problems: list[DataProblem], required: tuple[str, ...],
          optional_file: bool = True) -> list[tuple[int, dict]]:
    path = folder / name
    if not path.is_file():
        if not optional_file:
            problems.append(DataProblem(name, None, None, "thiếu tệp."))
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                problems.append(DataProblem(name, 1, None, f"thiếu cột {', '.join(missing)}."))
                return []
            return [(n, row) for n, row in enumerate(reader, start=2)]
    except UnicodeDecodeError:
        problems.append(DataProblem(name, None, None, "không phải văn bản UTF-8."))
        return []


def _check_units(folder: Path, problems: list[DataProblem], groups: list[str] | None) -> list[UnitRecord]:
    name = "roster/units.csv"
    units: list[UnitRecord] = []
    seen: dict[str, int] = {}
    rows = _rows(folder, name, problems, REQUIRED_UNIT_COLUMNS, optional_file=False)
    if not rows and (folder / name).is_file() and not any(p.file == name for p in problems):
        problems.append(DataProblem(name, None, None, "danh mục không có đơn vị nào."))
    for line, row in rows:
        extra = sorted(k for k in row if k not in UNIT_COLUMNS and k is not None)
        if extra:
            problems.append(DataProblem(name, line, extra[0],
                                        f"cột không có trong định dạng (các cột: {', '.join(UNIT_COLUMNS)})."))
        try:
            unit = UnitRecord.model_validate({k: v for k, v in row.items() if k in UNIT_COLUMNS})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                field = str(error["loc"][0]) if error["loc"] else None
                problems.append(DataProblem(name, line, field, describe_errors(UnitRecord, [error])))
            continue
        if unit.id in seen:
            problems.append(DataProblem(name, line, "id", f"mã '{unit.id}' đã có ở dòng {seen[unit.id]}."))
            continue
        seen[unit.id] = line
        if groups is not None and unit.group not in groups:
            problems.append(DataProblem(name, line, "group", f"nhóm '{unit.group}' không có trong calendar.yaml "
                                        f"(các nhóm: {', '.join(groups)})."))
        units.append(unit)
    return units


def _check_references(folder: Path, name: str, required: tuple[str, ...], key: str, ids: set[str],
                      problems: list[DataProblem], also: str | None = None) -> None:
    for line, row in _rows(folder, name, problems, required):
        for column in (key, also) if also else (key,):
            if row.get(column) not in ids:
                problems.append(DataProblem(name, line, column, f"đơn vị '{row.get(column)}' không có trong units.csv."))
        for column in ("valid_from", "effective"):
            if column in required and not _is_date(row.get(column)):
                problems.append(DataProblem(name, line, column, f"'{row.get(column)}' không phải ngày (cần 2025-07-01)."))


def _check_overrides(folder: Path, problems: list[DataProblem]) -> None:
    name = "calendar/day_overrides.csv"
    for line, row in _rows(folder, name, problems, ("date", "kind", "name")):
        if not _is_date(row.get("date")):
            problems.append(DataProblem(name, line, "date", f"'{row.get('date')}' không phải ngày (cần 2026-08-22)."))
        if row.get("kind") not in ("worked", "off"):
            problems.append(DataProblem(name, line, "kind", f"'{row.get('kind')}' không hợp lệ (cần worked hoặc off)."))


def _check_streams(folder: Path, config: CalendarConfig, groups: set[str], ids: set[str],
                   problems: list[DataProblem]) -> None:
    lines = _yaml_lines(folder / "calendar.yaml")
    for sid, stream in config.streams.items():
        def at(*path: str) -> int | None:
            return lines.get(("streams", sid, *path))  # noqa: B023  (used within this iteration)

        for group in stream.expected.groups:
            if group not in groups:
                problems.append(DataProblem("calendar.yaml", at("expected", "groups"), f"streams.{sid}.expected.groups",
                                            f"nhóm '{group}' không có đơn vị nào trong units.csv "
                                            f"(các nhóm: {', '.join(sorted(groups)) or 'không có'})."))
        for group, share in stream.quorum.shares.items():
            where = f"streams.{sid}.quorum.shares.{group}"
            if group not in stream.expected.groups:
                problems.append(DataProblem("calendar.yaml", at("quorum", "shares", group), where,
                                            f"nhóm '{group}' không thuộc nhóm phải báo cáo của luồng."))
            if not 0 < share <= 1:
                problems.append(DataProblem("calendar.yaml", at("quorum", "shares", group), where,
                                            f"tỷ lệ {share:g} không hợp lệ (cần lớn hơn 0 và không quá 1, ví dụ 0.8)."))
        for uid in [*stream.expected.include, *stream.expected.exclude, *stream.quorum.required]:
            if uid not in ids:
                problems.append(DataProblem("calendar.yaml", at("expected"), f"streams.{sid}",
                                            f"đơn vị '{uid}' không có trong units.csv."))
        if stream.reminders not in config.reminder_policies:
            problems.append(DataProblem("calendar.yaml", at("reminders"), f"streams.{sid}.reminders",
                                        f"chính sách nhắc '{stream.reminders}' không có trong reminder_policies."))
        if stream.data_window not in config.data_windows:
            problems.append(DataProblem("calendar.yaml", at("data_window"), f"streams.{sid}.data_window",
                                        f"cách chốt số liệu '{stream.data_window}' không có trong data_windows."))
        catalogue = folder / stream.indicators
        if not catalogue.is_file():
            problems.append(DataProblem(stream.indicators, None, None, f"thiếu danh mục chỉ tiêu của luồng '{sid}'."))
            continue
        try:
            load_catalogue(catalogue)
        except UserError as exc:
            problems.append(DataProblem(stream.indicators, None, None, exc.message))


def _is_date(text: str | None) -> bool:
    try:
        date.fromisoformat(text or "")
    except ValueError:
        return False
    return True


def data_schema() -> dict:
    """The JSON Schema of the data folder's structured files (docs/data-schema.json)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dvtracker data folder",
        "description": "calendar.yaml and one row of roster/units.csv; see docs/data.md.",
        "$defs": {"calendar.yaml": CalendarConfig.model_json_schema(), "roster/units.csv row": UnitRecord.model_json_schema()},
    }
