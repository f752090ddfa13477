"""The ``dvtracker`` command: everything a coordinator does by hand.

Each area has its own module; a command parses its options, calls the same domain or task
function that the flows call, and prints a table (or JSON with --json).
"""

from __future__ import annotations

import sys

import click
import typer
from typer.core import TyperGroup

from models.db import DB_ERRORS, unavailable
from models.errors import UserError
from wiring.settings import get_settings


class _Group(TyperGroup):
    """Turns a UserError anywhere below into a one-line Vietnamese message and exit code 2; so too
    a database that cannot be reached (at the start or in the middle of a command)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"Lỗi: {exc.message}", err=True)
            ctx.exit(2)
        except DB_ERRORS as exc:
            click.echo(f"Lỗi: {unavailable(get_settings().database_url, exc, started=True).message}", err=True)
            ctx.exit(2)


app = typer.Typer(
    cls=_Group,
    help="dvtracker: theo dõi kỳ báo cáo công tác dân vận — lịch, tiếp nhận, đôn đốc, tổng hợp.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

from dvtracker.cli import calendar, compile, cycles, intake, orchestration, reminders, review, roster  # noqa: E402

for module in (roster, cycles, calendar, intake, review, reminders, compile, orchestration):
    module.register(app)


def main() -> None:
    app(prog_name="dvtracker")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
