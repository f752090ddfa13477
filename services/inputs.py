"""The inputs of the coordinators' actions, as pydantic models: what a command-line option, a flow
parameter or the demo gives is checked here, once, and a bad value becomes one Vietnamese
sentence naming the field (``UserError``), whichever door it came through."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, field_validator

from models.errors import UserError
from models.limits import control_character, runs_as_formula
from models.validation import describe

M = TypeVar("M", bound="Input")

class Input(BaseModel):
    """Base of every action's input: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        """No control character in any text given (an ANSI escape, a NUL, a BEL)."""
        for text in value if isinstance(value, (list, tuple)) else [value]:
            bad = isinstance(text, str) and control_character(text)
            if bad:
                raise ValueError(f"chứa ký tự điều khiển {bad}")
        return value

    @classmethod
    def of(cls: type[M], **values: Any) -> M:
        """The input, or a UserError saying in Vietnamese what is wrong with which field."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise UserError(describe(cls, exc)) from None


def _no_formula(text: str | None) -> str | None:
    if runs_as_formula(text):
        raise ValueError("không được bắt đầu bằng =, + hoặc @ (sẽ thành công thức trong Excel)")
    return text


# A text that goes into spreadsheets: never what Excel would run as a formula.
FormulaFree = Annotated[str, AfterValidator(_no_formula)]
