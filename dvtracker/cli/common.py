"""Helpers shared by the CLI modules: opening the app, reading dates, printing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dvtracker.app import App, open_app
from dvtracker.settings import get_settings
from models.audit import acting_as
from models.deadlines import parse_date

console = Console()
JSON_OPTION = typer.Option(False, "--json", help="In kết quả dạng JSON.")


def get_app() -> App:
    app = open_app(get_settings())
    return app


def actor():
    return acting_as(get_settings().actor)


def to_date(text: str | None, field: str, default: date | None = None) -> date | None:
    if text is None or text == "":
        return default
    return parse_date(text, field=field)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fmt_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title, show_lines=False, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:  # cells are data (names, file names, texts sent by units): never read as markup
        t.add_row(*[Text("" if v is None else str(v)) for v in r])
    console.print(t)
