"""The building blocks of the content schema: a base model and the field types.

Every model of the schema derives from :class:`Schema`. Its one validator runs the
model's fields (Pydantic collects every field's error, nested ones with their key
path), then the model's own rules across fields (:meth:`Schema.rules`), and words
each error for an instructor: the field by its key in the file, the value, the
rule. Field types reject a value with :func:`fail`, whose message is shown as is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, NoReturn

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from labs.teaching.content.errors import Path_, shown
from labs.teaching.content.items import VAR_RE, parse_when

Rule = tuple[Path_, str]
"""A problem a model's own rules found: the key path inside the model and the message."""


def fail(message: str) -> NoReturn:
    """Refuse a value; ``message`` is what the instructor reads after the key path."""
    raise PydanticCustomError("content", "{message}", {"message": message})


def _error(loc: Path_, message: str, value: Any) -> InitErrorDetails:
    return {
        "type": PydanticCustomError("content", "{message}", {"message": message}),
        "loc": loc,
        "input": value,
    }


class Schema(BaseModel):
    """A mapping in a content file: unknown keys are refused, every problem is named."""

    model_config = ConfigDict(extra="forbid")

    NOT_A_MAPPING: ClassVar[str] = "must be a mapping of key: value, got {value}"
    """The problem when the file has something else than a mapping here."""
    MISSING: ClassVar[Mapping[str, str]] = {}
    """The problem when a required key is missing (default: "is required")."""

    @classmethod
    def coerce(cls, data: Any) -> Any:
        """A short form the file may use (a name for a mapping), in its long form."""
        return data

    @classmethod
    def rules(cls, data: dict[str, Any], context: Mapping[str, Any]) -> Iterable[Rule]:
        """The model's rules across its keys, run even when a key is refused."""
        return ()

    @classmethod
    def keys(cls) -> list[str]:
        return [f.alias or name for name, f in cls.model_fields.items()]

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Callable[[Any], Any], info: Any) -> Any:
        data = cls.coerce(data)
        if not isinstance(data, dict):
            fail(cls.NOT_A_MAPPING.format(value=shown(data)))
        found: list[InitErrorDetails] = []
        model = None
        try:
            model = handler(data)
        except ValidationError as err:
            found = [_error(e["loc"], cls._message(e), e.get("input")) for e in err.errors()]
        for loc, message in cls.rules(data, info.context or {}):
            found.append(_error(loc, message, data))
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        return model

    @classmethod
    def _message(cls, error: Any) -> str:
        if error["type"] == "content":
            return str(error["ctx"]["message"])
        if error["type"] == "missing":
            return cls.MISSING.get(str(error["loc"][-1]), "is required")
        if error["type"] == "extra_forbidden":
            return f"unknown key (allowed: {', '.join(cls.keys())})"
        text = str(error["msg"])
        return f"{text[:1].lower()}{text[1:]}, got {shown(error.get('input'))}"


def check(fn: Callable[[Any], Any]) -> BeforeValidator:
    return BeforeValidator(fn)


# -- texts and names ----------------------------------------------------------------------


def text(limit: int, required: bool = True) -> BeforeValidator:
    def checked(value: Any) -> Any:
        if value is None:
            if required:
                fail("is required")
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            fail(f"must be a non-empty text of at most {limit} characters, got {shown(value)}")
        return value

    return check(checked)


def ident(pattern: re.Pattern[str], rule: str) -> BeforeValidator:
    def checked(value: Any) -> str:
        given = value
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads an id like 7 as a number
        if not isinstance(value, str) or not pattern.match(value):
            fail(f"must be {rule}, got {shown(given)}")
        return value

    return check(checked)


def one_of(choices: Callable[[], Iterable[str]]) -> BeforeValidator:
    def checked(value: Any) -> str:
        allowed = list(choices())
        if not isinstance(value, str) or value not in allowed:
            fail(f"must be one of {', '.join(allowed)}, got {shown(value)}")
        return value

    return check(checked)


def _name(value: Any) -> str:
    if not isinstance(value, str):
        fail(f"is required and must be a name, got {shown(value)}")
    return value


def _variable_name(value: Any) -> str:
    if not isinstance(value, str) or not VAR_RE.match(value):
        fail("a variable name must be letters, digits and _ (not starting with a digit)")
    return value


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(v, str) and 0 < len(v) <= 150 for v in value
    ):
        fail(f"must be a list of names, got {shown(value)}")
    return value


Name = Annotated[str, check(_name)]
VariableName = Annotated[str, check(_variable_name)]
Names = Annotated[list[str], check(_names)]


# -- numbers -------------------------------------------------------------------------------


def integer(lo: int, hi: int, required: bool = False) -> BeforeValidator:
    """An integer from ``lo`` to ``hi``; null stands for the default unless required."""

    def checked(value: Any) -> Any:
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            fail(f"must be an integer between {lo} and {hi}, got {shown(value)}")
        return value

    return check(checked)


def number(lo: float, hi: float) -> BeforeValidator:
    """A number above ``lo`` and at most ``hi``."""

    def checked(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not lo < value <= hi
        ):
            fail(f"must be a number above {lo:g} and at most {hi:g}, got {shown(value)}")
        return float(value)

    return check(checked)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        fail(f"must be true or false, got {shown(value)}")
    return value


def _when(value: Any) -> datetime | None:
    try:
        return parse_when(value)
    except ValueError:
        fail(f"must be a date and time like 2025-03-01T09:00:00Z, got {shown(value)}")


Flag = Annotated[bool, check(_flag)]
When = Annotated[datetime | None, check(_when)]


# -- mappings and lists --------------------------------------------------------------------


def mapping(what: str = "a mapping", empty_if_null: bool = True) -> BeforeValidator:
    def checked(value: Any) -> dict[str, Any]:
        if value is None and empty_if_null:
            return {}
        if not isinstance(value, dict):
            fail(f"must be {what}, got {shown(value)}")
        return value

    return check(checked)


def sized_list(lo: int, hi: int, rule: str, null_is_empty: bool = False) -> BeforeValidator:
    """A list of ``lo`` to ``hi`` entries (each then checked by its own type)."""

    def checked(value: Any) -> list[Any]:
        if value is None and null_is_empty:
            return []
        if not isinstance(value, list) or not lo <= len(value) <= hi:
            fail(rule.format(value=shown(value)))
        return value

    return check(checked)


def plain_values(lo: int, hi: int, what: str) -> BeforeValidator:
    """A list of ``lo`` to ``hi`` texts or numbers (no lists, mappings, true/false)."""

    def checked(value: Any) -> list[Any]:
        if (
            not isinstance(value, list)
            or not lo <= len(value) <= hi
            or not all(isinstance(x, str | int | float) and not isinstance(x, bool) for x in value)
        ):
            fail(f"must be a list of {lo} to {hi} {what}, got {shown(value)}")
        return value

    return check(checked)


Mapping_ = Annotated[dict[str, Any], mapping()]
