"""Vietnamese message templates, rendered in a sandbox.

The templates live in ``notifications/templates/``; a folder configured by the coordinators
(``settings.templates_dir``) overrides any of them by file name. Rendering is sandboxed and
strict (an unknown variable is an error, not an empty string). Data (unit names, contact
names) is only ever passed as variables, never compiled as template source.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from models.errors import UserError

BUILTIN_DIR = Path(__file__).resolve().parent / "templates"
REMINDER_TEMPLATES = ("reminder_subject.txt.j2", "reminder_email.txt.j2", "reminder_chat.txt.j2")
LETTER_TEMPLATES = ("letter_subject.txt.j2", "letter_email.txt.j2", "letter_chat.txt.j2")
LETTER_DOCUMENT = ("letter_summary.txt.j2", "letter_body.txt.j2")
DIGEST_TEMPLATES = ("digest_subject.txt.j2", "digest.txt.j2")


class TemplateProblem(UserError):
    """A template that cannot be rendered; raised before anything is sent."""


@dataclass(frozen=True)
class ReminderMessage:
    subject: str
    email: str
    chat: str


def one_line(text: str) -> str:
    return " ".join(text.split())


class _Sandbox(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``unit.name`` on a plain dict: the sandbox tries the attribute, fails, then reads the
        # key. A key that is no attribute of dict gives the same value read directly, without
        # raising and catching an AttributeError for each of the thousands of messages of a run.
        if type(obj) is dict and attribute in obj and not hasattr(dict, attribute):
            return obj[attribute]
        return super().getattr(obj, attribute)


class Renderer:
    """The templates of one run (a reminder run, a digest, a summary): each is read and compiled
    once, when first used, and not looked for on disk again while the renderer lives; a
    template edited on disk is taken by the next run."""

    def __init__(self, override_dir: Path | None = None):
        self.override_dir = override_dir
        loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
        loaders.append(FileSystemLoader(str(BUILTIN_DIR)))
        self.env = _Sandbox(
            loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False,
            trim_blocks=True, lstrip_blocks=True, auto_reload=False,
        )

    def render(self, name: str, context: dict) -> str:
        filename = name
        try:
            template = self.env.get_template(name)
            filename = template.filename or name
            return template.render(context).strip()
        except TemplateSyntaxError as exc:
            raise self._problem(exc.filename or name, exc.lineno, exc.message or str(exc)) from exc
        except TemplateError as exc:
            lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
            raise self._problem(filename, lines[-1] if lines else None, exc.message or str(exc)) from exc

    def reminder(self, context: dict) -> ReminderMessage:
        subject, email, chat = (self.render(n, context) for n in REMINDER_TEMPLATES)
        return ReminderMessage(one_line(subject), email + "\n", one_line(chat))

    def letter(self, context: dict) -> ReminderMessage:
        """The messages that carry a numbered công văn đôn đốc to one unit."""
        subject, email, chat = (self.render(n, context) for n in LETTER_TEMPLATES)
        return ReminderMessage(one_line(subject), email + "\n", one_line(chat))

    def letter_document(self, context: dict) -> tuple[str, list[str]]:
        """The trích yếu ("V/v đôn đốc gửi báo cáo …") and the body paragraphs of the letter."""
        summary, body = (self.render(n, context) for n in LETTER_DOCUMENT)
        return one_line(summary), [one_line(p) for p in body.split("\n\n") if p.strip()]

    def digest(self, context: dict) -> tuple[str, str]:
        subject, body = (self.render(n, context) for n in DIGEST_TEMPLATES)
        return one_line(subject), body + "\n"

    @staticmethod
    def _problem(filename: str, line: int | None, message: str) -> TemplateProblem:
        where = f" dòng {line}" if line else ""
        return TemplateProblem(
            f"mẫu thông báo {filename}{where} bị lỗi: {message}. Chưa gửi thông báo nào; hãy sửa mẫu rồi chạy lại."
        )
