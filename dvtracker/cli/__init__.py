"""The ``dvtracker`` command: everything a coordinator does by hand.

Each area has its own module; a command parses its options, calls the same domain or task
function that the flows call, and prints a table (or JSON with --json).
"""

from __future__ import annotations

import re
import sys

import click
import typer
from typer._click import exceptions as errors  # typer 0.29 carries its own click: its errors are these
from typer.core import TyperGroup

from models.db import DB_ERRORS, unavailable
from models.errors import UserError
from models.limits import without_controls
from wiring.settings import get_settings


class _Group(TyperGroup):
    """Every error a user can fix is one Vietnamese line ``Lỗi: …`` and exit code 2: a UserError
    anywhere below, a database that cannot be reached (at the start or in the middle of a
    command), a setting that cannot be read, and the command line's own usage errors."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            _say(exc.message)
            ctx.exit(2)
        except DB_ERRORS as exc:
            try:
                message = unavailable(get_settings().database_url, exc, started=True).message
            except UserError as bad_settings:
                message = bad_settings.message
            _say(message)
            ctx.exit(2)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except errors.NoArgsIsHelpError as exc:  # a bare `dvtracker` or `dvtracker cycle`: the help
            exc.show()
            code = 0
        except errors.ClickException as exc:
            _say(usage_message(exc, prog_name or "dvtracker"))
            code = 2
        except typer.Abort:
            _say("đã dừng theo yêu cầu.")
            code = 1
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _say(message: str) -> None:
    click.echo(f"Lỗi: {without_controls(message)}", err=True)


_CLICK_TYPES = {
    "is not a valid integer": "không phải số nguyên", "is not a valid float": "không phải số",
    "is not a valid boolean": "không phải có/không", "does not exist": "không tồn tại",
    "is not one of": "không phải một trong các giá trị", "is a directory": "là một thư mục",
    "is not a valid integer range": "không phải số nguyên hợp lệ",
    "Input should be a valid integer, unable to parse string as an integer": "phải là số nguyên",
    "Input should be a valid number, unable to parse string as a number": "phải là số",
    "Input should be a valid boolean": "phải là có/không",
}


def usage_message(exc: errors.ClickException, prog: str) -> str:
    """Click's usage errors, said in Vietnamese, with where to find the usage."""
    ctx = getattr(exc, "ctx", None)
    hint = f" (xem: {ctx.command_path if ctx else prog} --help)"
    text = exc.format_message()
    if isinstance(exc, errors.NoSuchOption):
        maybe = f"; có phải ý là {', '.join(sorted(exc.possibilities))}?" if exc.possibilities else ""
        return f"không có tùy chọn {exc.option_name}{maybe}{hint}"
    if isinstance(exc, errors.MissingParameter):
        names = "/".join(exc.param.opts) if exc.param is not None else "một tham số"
        return f"thiếu {names}{hint}"
    if isinstance(exc, errors.BadParameter):
        param = exc.param
        where = (param.opts[0] if param.opts[0].startswith("-") else param.opts[0].upper()) \
            if param is not None and param.opts else (exc.param_hint or "tham số")
        detail = exc.message
        for english, vietnamese in _CLICK_TYPES.items():
            detail = detail.replace(english, vietnamese)
        return f"giá trị không hợp lệ cho {where}: {detail.rstrip('.')}{hint}"
    for pattern, vietnamese in (
        (r"No such command '(.+?)'\. Did you mean '(.+?)'", "không có lệnh '{}'; có phải ý là '{}'?"),
        (r"No such command '(.+?)'", "không có lệnh '{}'"),
        (r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)", "thừa đối số: {}"),
        (r"Option '(.+)' requires an argument", "tùy chọn {} cần một giá trị"),
        (r"Option '(.+)' does not take a value", "tùy chọn {} không nhận giá trị"),
    ):
        m = re.search(pattern, text)
        if m:
            return vietnamese.format(*m.groups()) + hint
    return f"dòng lệnh không hợp lệ ({text}){hint}"


app = typer.Typer(
    cls=_Group,
    help="dvtracker: theo dõi kỳ báo cáo công tác dân vận — lịch, tiếp nhận, đôn đốc, tổng hợp.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

from dvtracker.cli import (  # noqa: E402
    calendar,
    compile,
    cycles,
    data,
    intake,
    orchestration,
    outputs,
    reminders,
    review,
    rollup,
    roster,
)

for module in (roster, cycles, calendar, data, intake, review, reminders, compile, rollup, outputs, orchestration):
    module.register(app)


def main() -> None:
    app(prog_name="dvtracker")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
