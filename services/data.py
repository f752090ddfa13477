"""The collector's data folder: checking it, and its schema."""

from __future__ import annotations

from pathlib import Path

from models.data_folder import DataProblem, check_data, data_schema
from wiring.app import App


def check(app: App, folder: Path | None = None) -> list[DataProblem]:
    return check_data(folder or app.settings.data_dir)


def schema() -> dict:
    return data_schema()
