"""Helpers shared by the CLI modules: opening the app, reading dates, printing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer._click.globals import get_current_context  # typer 0.29 carries its own click

from models import vnformat
from models.audit import acting_as
from models.deadlines import parse_date
from models.limits import without_controls
from wiring.app import App, open_app
from wiring.settings import get_settings


class _Console(Console):
    """The terminal never receives a control sequence from data: a document number or a file name
    carrying ESC [2J would clear the coordinator's screen. Rich's own styling is added after this."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(without_controls(o) if isinstance(o, str) else o for o in objects), **kwargs)


console = _Console()
JSON_OPTION = typer.Option(False, "--json", help="In kết quả dạng JSON.")
fmt_date = vnformat.day


def get_app() -> App:
    """The application of this command (its database is reached when first used, and released
    when the command ends)."""
    app = open_app(get_settings())
    context = get_current_context(silent=True)
    if context is not None:
        context.call_on_close(app.close)
    return app


def actor():
    return acting_as(get_settings().actor)


def to_date(text: str | None, field: str, default: date | None = None) -> date | None:
    if text is None or text == "":
        return default
    return parse_date(text, field=field)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title, show_lines=False, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:  # cells are data (names, file names, texts sent by units): never read as markup
        t.add_row(*[Text("" if v is None else without_controls(str(v))) for v in r])
    console.print(t)
