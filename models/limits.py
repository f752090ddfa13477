"""How long and what a stored text may be, from one place: the lengths come from the table
definitions (``models/tables.py``), so that SQLite, which would store anything, and PostgreSQL,
which would fail the whole transaction, refuse the same values the same way, before the database
sees them.

Two doors use these rules:
- the readers of what arrives (report forms, commands, contacts, the document service) check
  each field and say which one is wrong, in Vietnamese;
- as a second defence, every flush checks every text of every row (``guard_session``): a value
  that slipped past a reader becomes a ``TextRefused`` naming the table and column, which the
  intake turns into a rejected file, instead of a database error that would stop a sweep.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import JSON, event
from sqlmodel import Session, SQLModel

from models import vnformat
from models.errors import UserError

# A section's text (unbounded in the table): longer than any real report's whole text (seed 003,
# a full provincial report, is 44 000 characters); a cell of Excel holds at most 32 767.
MAX_TEXT = 100_000
MAX_CELL = 32_767
# Control characters other than tab and new line, and the invisible marks that reorder or hide
# text (bidirectional overrides): Word tables leave BEL (U+0007) in copied text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
FORMULA_START = ("=", "+", "@")  # a value starting so would run as a formula in Excel


class TextRefused(UserError):
    """A text that cannot be stored as it is (too long, or with control characters)."""


def column_limit(table: type[SQLModel], column: str) -> int | None:
    """The length of ``table.column`` as the table defines it (None: unbounded)."""
    col = table.__table__.c[column]  # type: ignore[attr-defined]
    return getattr(col.type, "length", None)


def control_character(text: str) -> str | None:
    """The first forbidden control character of ``text``, written as U+XXXX, or None."""
    m = _CONTROL.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def without_controls(text: str) -> str:
    """``text`` as a person would have typed it: control characters removed, CR LF as LF."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_problem(text: str, limit: int | None) -> str | None:
    """Why ``text`` cannot be stored under ``limit`` characters (Vietnamese), or None."""
    if limit is not None and len(text) > limit:
        return f"quá dài ({vnformat.number(len(text))} ký tự, tối đa {vnformat.number(limit)})"
    bad = control_character(text)
    if bad:
        return f"chứa ký tự điều khiển {bad} ở vị trí {_CONTROL.search(text).start() + 1}"  # type: ignore[union-attr]
    if _SURROGATE.search(text):  # Unicode's category Cs: exactly U+D800..U+DFFF
        return "chứa mã ký tự không hợp lệ (nửa cặp UTF-16)"
    return None


def checked(text: str | None, limit: int | None, label: str) -> str | None:
    """``text`` unchanged, or a TextRefused saying what is wrong with ``label``."""
    if text is None:
        return None
    problem = text_problem(text, limit)
    if problem:
        raise TextRefused(f"{label} {problem}.")
    return text


def csv_text(value: object) -> object:
    """A value as a CSV file should hold it, the second defence behind the inputs'
    refusal of formulas: a text that Excel would run (starting with =, +, -, @, a tab or a carriage
    return, as OWASP lists them) gets a leading apostrophe, which Excel shows as text; control
    characters a cell cannot hold are removed. Other values are unchanged."""
    if not isinstance(value, str):
        return value
    text = without_controls(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(text) else text


_NUMBER = re.compile(r"[-+]?\d+([.,]\d+)*")  # "-5" or "+84" is a number to show, not a formula


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
# What makes markdown_text change a text: markup, a control character, any space but a single
# one between words, a leading character that would start a list or a heading.
_MARKDOWN_ATTENTION = re.compile(r"[\\`*_\[\]<>|~]|[^\S ]|  |^ | $|^[-=+#]|" + _CONTROL.pattern)


def markdown_text(value: object) -> str:
    """A value placed into Markdown (the Prefect artifacts) as the text it is: on one line, every
    character Markdown would read as markup escaped, so that a unit's name or a reason with ``|``,
    ``*`` or ``[x](y)`` neither breaks a table nor becomes a link; a leading ``-``, ``=``,
    ``+`` or ``#`` that would start a list or a heading is escaped too; parentheses stay."""
    if value is None:
        return ""
    if type(value) is str and not _MARKDOWN_ATTENTION.search(value):
        return value  # most names and lines: nothing to escape (a summary writes 10^4 of them)
    text = " ".join(without_controls(str(value)).split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[:1] in ("-", "=", "+", "#") else text


def runs_as_formula(text: str | None) -> bool:
    return bool(text) and text.lstrip().startswith(FORMULA_START)  # type: ignore[union-attr]


# --- the second defence: every flush ---------------------------------------------------------------
def _check_row(row: object) -> None:
    table = getattr(row, "__table__", None)
    if table is None:
        return
    columns = _text_columns(table)
    _check_texts(table, [{key: getattr(row, key, None) for key, _ in columns}], columns)


@lru_cache(maxsize=64)
def _text_columns(table, keys: tuple[str, ...] | None = None) -> list[tuple[str, int | None]]:
    """(column, length limit) of the text columns of ``table`` (of ``keys`` only, if given)."""
    columns = table.columns if keys is None else [table.c[key] for key in keys]
    # String, or SQLModel's AutoString: a length or none; JSON columns hold no text of their own.
    return [(c.key, getattr(c.type, "length", None)) for c in columns if not isinstance(c.type, JSON)]


def _check_texts(table, rows: list[dict], columns: list[tuple[str, int | None]]) -> None:
    for row in rows:
        for key, limit in columns:
            value = row[key]
            if isinstance(value, str):
                problem = text_problem(value, limit)
                if problem:
                    raise TextRefused(f"giá trị {table.name}.{key} {problem}: không lưu được.")


def check_values(table: type[SQLModel], rows: list[dict]) -> None:
    """The same check as every flush's, for rows written by a Core INSERT (which no flush sees)."""
    if rows:
        t = table.__table__  # type: ignore[attr-defined]
        _check_texts(t, rows, _text_columns(t, tuple(rows[0])))


def _before_flush(session: Session, _context, _instances) -> None:
    for row in (*session.new, *session.dirty):
        _check_row(row)


def guard_session() -> None:
    """Check every text of every row written by any session, before it reaches the database."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)

