"""The inputs of the coordinators' actions, as pydantic models: what a command-line option, a flow
parameter or the demo gives is checked here, once, and a bad value becomes one Vietnamese
sentence naming the field (``UserError``), whichever door it came through."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from models.errors import UserError

M = TypeVar("M", bound="Input")

# pydantic's error types, said in Vietnamese; ``{…}`` are filled from the error's context.
_MESSAGES = {
    "missing": "thiếu giá trị",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là có/không (true/false)",
    "date_parsing": "phải là một ngày (2024-05-31)",
    "date_from_datetime_parsing": "phải là một ngày (2024-05-31)",
    "date_type": "phải là một ngày (2024-05-31)",
    "string_type": "phải là văn bản",
    "string_too_long": "dài quá {max_length} ký tự",
    "string_too_short": "không được để trống",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải không quá {le}",
    "literal_error": "phải là một trong: {expected}",
    "dict_type": "phải là một bảng khoá - giá trị",
    "list_type": "phải là một danh sách",
    "extra_forbidden": "không phải tham số được nhận",
    "too_long": "có quá {max_length} mục",
}


class Input(BaseModel):
    """Base of every action's input: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @classmethod
    def of(cls: type[M], **values: Any) -> M:
        """The input, or a UserError saying in Vietnamese what is wrong with which field."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise UserError(describe(cls, exc)) from None


def describe(model: type[BaseModel], exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False):
        message = _message(error)
        if error["loc"]:
            label, value = _field_label(model, error["loc"]), error.get("input")
            shown = f" '{value}'" if isinstance(value, (int, float, str)) and len(str(value)) <= 40 else ""
            message = f"{label}{shown}: {message}"
        parts.append(message[:1].upper() + message[1:])
    return "; ".join(parts) + "."


def _field_label(model: type[BaseModel], loc: tuple) -> str:
    name = str(loc[0])
    info = model.model_fields.get(name)
    label = (info.title if info and info.title else None) or name
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    return label + rest


def _message(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":  # our own validators say it in Vietnamese already
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return f"không hợp lệ ({error['msg']})"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template
