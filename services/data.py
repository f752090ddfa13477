"""The collector's data folder: checking it, and its schema."""

from __future__ import annotations

from pathlib import Path

from models.data_folder import UNIT_COLUMNS, DataProblem, check_data, data_schema
from tasks.communes import province_communes
from wiring.app import App


def check(app: App, folder: Path | None = None) -> list[DataProblem]:
    return check_data(folder or app.settings.data_dir)


def schema() -> dict:
    return data_schema()


def communes(province_code: int, group: str = "commune") -> tuple[str, list[dict]]:
    """A province's communes as rows of ``roster/units.csv`` (columns ``UNIT_COLUMNS``)."""
    name, rows = province_communes(province_code, group)
    return name, [{c: r[c] for c in UNIT_COLUMNS} for r in rows]
