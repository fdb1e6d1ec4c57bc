"""The contract's checks: :class:`CommandError` and the ``check_*`` helpers.

Every refusal names the field, the value and the rule, in one shape for every lab.
Each helper returns the value it was given (narrowed to its type) or raises.

Examples
--------
>>> check_int("vnodes", 8, 1, 512)
8
>>> check_seed(-1)
Traceback (most recent call last):
...
algorithms.engine.CommandError: seed must be an integer between 0 and 9223372036854775807, got -1
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

__all__ = [
    "NAME_MAX",
    "CommandError",
    "check_bool",
    "check_choice",
    "check_fields",
    "check_float",
    "check_int",
    "check_name",
    "check_names",
    "check_seed",
]

JSON = dict[str, Any]


class CommandError(ValueError):
    """A refused command or parameter: names the field, the value and the rule.

    Parameters
    ----------
    field : str
        The name of the offending field (``"vnodes"``, ``"action"``, ...).
    value : object
        The value that was refused, as received.
    rule : str
        The rule it broke, phrased to follow the field name
        (``"must be an integer between 1 and 512"``).

    Examples
    --------
    >>> err = CommandError("n", 5000, "must be between 2 and 2000")
    >>> str(err)
    'n must be between 2 and 2000, got 5000'
    >>> err.field, err.value
    ('n', 5000)
    """

    # Shown (and documented) where the contract exports it.
    __module__ = "algorithms.engine"

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        shown = repr(value) if isinstance(value, str) else _short(value)
        super().__init__(f"{field} {rule}, got {shown}")

    def to_json(self) -> JSON:
        """The error as the live protocol's error frame fields."""
        return {
            "message": str(self),
            "field": self.field,
            "value": _jsonable(self.value),
            "rule": self.rule,
        }


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, str) and len(value) > 200:
            return value[:200] + "..."
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    return _short(value)


def check_int(name: str, value: object, lo: int, hi: int) -> int:
    """Return ``value`` if it is an int in ``[lo, hi]``, else raise :class:`CommandError`.

    Examples
    --------
    >>> check_int("keys", 10, 1, 100)
    10
    >>> check_int("keys", True, 1, 100)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: keys must be an integer between 1 and 100, got True
    """
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise CommandError(name, value, f"must be an integer between {lo} and {hi}")
    return value


def check_float(name: str, value: object, lo: float, hi: float) -> float:
    """Return ``value`` as a float if it is a finite number in ``[lo, hi]``.

    Examples
    --------
    >>> check_float("p", 0.5, 0.0, 1.0)
    0.5
    >>> check_float("p", 1.5, 0.0, 1.0)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: p must be a number between 0.0 and 1.0, got 1.5
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        raise CommandError(name, value, f"must be a number between {lo} and {hi}")
    return float(value)


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is a bool.

    Examples
    --------
    >>> check_bool("show", True)
    True
    """
    if not isinstance(value, bool):
        raise CommandError(name, value, "must be true or false")
    return value


T = TypeVar("T")


def check_choice(name: str, value: object, choices: tuple[T, ...]) -> T:
    """Return ``value`` if it is one of ``choices``.

    Examples
    --------
    >>> check_choice("mode", "ring", ("ring", "slots"))
    'ring'
    >>> check_choice("mode", "tree", ("ring", "slots"))
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: mode must be one of 'ring', 'slots', got 'tree'
    """
    for choice in choices:
        if type(value) is type(choice) and value == choice:
            return choice
    shown = ", ".join(repr(c) for c in choices)
    raise CommandError(name, value, f"must be one of {shown}")


NAME_MAX = 40


def check_name(name: str, value: object, max_len: int = NAME_MAX) -> str:
    """Return ``value`` if it is a non-empty printable string of at most ``max_len``.

    Examples
    --------
    >>> check_name("node", "D")
    'D'
    >>> check_name("node", "")
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: node must be a non-empty text of at most 40 printable characters, got ''
    """
    if (
        not isinstance(value, str)
        or not value
        or len(value) > max_len
        or not value.isprintable()
        or value != value.strip()
    ):
        raise CommandError(
            name, value, f"must be a non-empty text of at most {max_len} printable characters"
        )
    return value


def check_names(name: str, value: object, max_items: int, max_len: int = NAME_MAX) -> list[str]:
    """Return ``value`` if it is a list of at most ``max_items`` valid names.

    Examples
    --------
    >>> check_names("keys", ["a", "b"], 10)
    ['a', 'b']
    """
    if not isinstance(value, list) or len(value) > max_items:
        raise CommandError(name, value, f"must be a list of at most {max_items} names")
    return [check_name(f"{name}[{i}]", item, max_len) for i, item in enumerate(value)]


def check_fields(
    command: Mapping[str, Any], required: Sequence[str] = (), optional: Sequence[str] = ()
) -> None:
    """Refuse fields an action does not take, and require the ones it needs.

    The one error shape of every lab: a stray field is named as the field, with the
    fields the action takes; a missing one is named as required.

    Examples
    --------
    >>> check_fields({"action": "send", "to": "P2"}, ("to",), ("tokens",))
    >>> check_fields({"action": "send", "to": "P2", "extra": 1}, ("to",))
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: extra is not a field of send (it takes to), got 1
    >>> check_fields({"action": "send"}, ("to",))
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: to is required by send, got None
    """
    allowed = {"action", *required, *optional}
    for key in command:
        if key not in allowed:
            takes = ", ".join([*required, *optional]) or "no fields"
            raise CommandError(
                str(key)[:40],
                command[key],
                f"is not a field of {command['action']} (it takes {takes})",
            )
    for key in required:
        if key not in command:
            raise CommandError(key, None, f"is required by {command['action']}")


def check_seed(value: object) -> int:
    """Return ``value`` if it is a valid seed (an int in ``[0, 2**63 - 1]``).

    Examples
    --------
    >>> check_seed(42)
    42
    """
    return check_int("seed", value, 0, 2**63 - 1)
