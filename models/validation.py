"""pydantic's validation errors said in Vietnamese, one sentence naming each field: the inputs of
the services and the settings both speak through here."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from models.text import printable

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


def describe(model: type[BaseModel], exc: ValidationError, label: Callable[[str], str] | None = None) -> str:
    """Every error of ``exc``, each naming its field (by its title, or by ``label(name)``)."""
    return describe_errors(model, exc.errors(include_url=False), label)


def describe_errors(model: type[BaseModel], errors: list[ErrorDetails],
                    label: Callable[[str], str] | None = None) -> str:
    """``describe`` for a chosen list of a validation's errors (one per line of a file, say)."""
    parts = []
    for error in errors:
        message = _message(error)
        if error["loc"]:
            field = label(str(error["loc"][0])) if label else _field_label(model, error["loc"])
            value = error.get("input")
            shown = f" '{printable(str(value))}'" if isinstance(value, (int, float, str)) and len(str(value)) <= 40 else ""
            message = f"{field}{shown}: {message}"
        parts.append(message[:1].upper() + message[1:])
    return "; ".join(parts) + "."


def _field_label(model: type[BaseModel], loc: tuple) -> str:
    name = str(loc[0])
    info = model.model_fields.get(name)
    label = (info.title if info and info.title else None) or name
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    return label + rest


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":  # our own validators say it in Vietnamese already
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "too_long" and isinstance(error.get("input"), str):
        kind = "string_too_long"
    template = _MESSAGES.get(kind)
    if template is None:
        return f"không hợp lệ ({error['msg']})"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template
