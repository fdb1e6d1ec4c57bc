"""The engine contract every lab follows.

An engine is a deterministic state machine built from ``(params, seed)``. The user
drives it with commands (:meth:`LabEngine.apply`), time advances with
:meth:`LabEngine.step`, and :meth:`LabEngine.state` gives a JSON-ready picture for
the view. Every change is reported as :class:`Event` objects whose ``text`` is one
plain sentence in the paper's terms: it is what the event log shows and what a
screen reader reads.

Refused input raises :class:`CommandError` (a ``ValueError``) naming the field, the
value and the rule. Engines validate a command completely before they change
anything, so a refused command leaves the engine exactly as it was.

Examples
--------
>>> check_int("vnodes", 8, 1, 512)
8
>>> check_int("vnodes", 0, 1, 512)
Traceback (most recent call last):
...
algorithms.engine.CommandError: vnodes must be an integer between 1 and 512, got 0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar, cast

__all__ = [
    "Command",
    "CommandError",
    "Event",
    "LabEngine",
    "LabParams",
    "check_bool",
    "check_choice",
    "check_fields",
    "check_float",
    "check_int",
    "check_name",
    "check_names",
    "look_up",
    "move",
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


@dataclass(frozen=True)
class Event:
    """One thing that happened, with the sentence that explains it.

    Parameters
    ----------
    kind : str
        A short machine name (``"join"``, ``"send"``, ``"rewire"``).
    text : str
        One plain sentence in the paper's terms.
    data : dict
        JSON-ready details the view may use to highlight what changed.

    Examples
    --------
    >>> Event("join", "Node D joins with 8 tokens.").to_json()
    {'kind': 'join', 'text': 'Node D joins with 8 tokens.', 'data': {}}
    """

    kind: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> JSON:
        """The event as sent in a frame."""
        return {"kind": self.kind, "text": self.text, "data": dict(self.data)}


# -- validation helpers: each returns the value or raises CommandError ---------------


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


# -- parameters and engines -------------------------------------------------------------

P = TypeVar("P", bound="LabParams")


@dataclass(frozen=True)
class LabParams:
    """Base of every lab's parameter dataclass.

    Subclasses are frozen dataclasses with defaults for every field and validate
    themselves in ``__post_init__`` with the ``check_*`` helpers, so that a params
    object that exists is a valid one.
    """

    @classmethod
    def from_dict(cls: type[P], data: object) -> P:
        """Build validated params from a JSON object; unknown keys are refused.

        Examples
        --------
        >>> @dataclass(frozen=True)
        ... class Demo(LabParams):
        ...     n: int = 3
        ...     def __post_init__(self) -> None:
        ...         check_int("n", self.n, 1, 9)
        >>> Demo.from_dict({"n": 4})
        Demo(n=4)
        >>> Demo.from_dict({"m": 4})
        Traceback (most recent call last):
        ...
        algorithms.engine.CommandError: params must only have the keys n, got 'm'
        """
        if not isinstance(data, dict):
            raise CommandError("params", data, "must be an object")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise CommandError(
                    "params", key, f"must only have the keys {', '.join(sorted(known))}"
                )
        return cls(**data)

    def to_dict(self) -> JSON:
        """The params as a JSON object."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Command:
    """One declared command of an engine: its action, handler and kind.

    A *move* changes the state and is recorded on the timeline. A *look-up* only asks
    about the current step: the player answers it without recording it, so looking
    something up while stepped back never discards the future. A look-up may change
    only what the engine shows (a selection), never what later steps do.

    Parameters
    ----------
    action : str
        The action name clients send (``"add_node"``).
    handler : callable
        ``handler(engine, command) -> list[Event]``.
    look_up : bool
        True for a question about the current step, False for a move.
    example : dict or None
        A valid command of this action on a fresh engine with default parameters
        (required for look-ups, so that tests can walk every lab's look-ups).
    """

    action: str
    handler: Callable[[Any, Mapping[str, Any]], list[Event]]
    look_up: bool = False
    example: Mapping[str, Any] | None = None


_HandlerT = TypeVar("_HandlerT", bound=Callable[..., list[Event]])


def move(action: str) -> Callable[[_HandlerT], _HandlerT]:
    """Declare an engine method as the handler of the move ``action``.

    Examples
    --------
    >>> class Counter(LabEngine):
    ...     value = 0
    ...     @move("add")
    ...     def add(self, command):
    ...         self.value += 1
    ...         return [Event("add", "Add one.")]
    >>> Counter.COMMANDS["add"].look_up, [e.text for e in Counter().apply({"action": "add"})]
    (False, ['Add one.'])
    """

    def mark(handler: _HandlerT) -> _HandlerT:
        cast(Any, handler).__lab_command__ = (action, False, None)
        return handler

    return mark


def look_up(action: str, example: Mapping[str, Any]) -> Callable[[_HandlerT], _HandlerT]:
    """Declare an engine method as the handler of the look-up ``action``.

    ``example`` is a valid command of the action on a fresh engine with default
    parameters.

    Examples
    --------
    >>> class Box(LabEngine):
    ...     shown = None
    ...     @look_up("show", example={"action": "show", "what": "x"})
    ...     def show(self, command):
    ...         self.shown = command["what"]
    ...         return [Event("show", f"Showing {self.shown}.")]
    >>> Box.COMMANDS["show"].look_up, Box.look_ups()
    (True, ['show'])
    """

    def mark(handler: _HandlerT) -> _HandlerT:
        cast(Any, handler).__lab_command__ = (action, True, dict(example))
        return handler

    return mark


class LabEngine:
    """Base class of the labs' engines.

    Subclasses set ``Params`` (a :class:`LabParams` subclass) and declare their
    commands with the :func:`move` and :func:`look_up` decorators; the contract
    collects them into ``COMMANDS`` (action -> :class:`Command`). A plain mapping of
    action to method name is also accepted and declares moves. Engines own one
    ``random.Random(seed)``.

    Contract
    --------
    - ``apply(command)`` validates the whole command before changing anything.
    - ``step()`` advances one tick; it returns ``[]`` only when nothing changed
      (then the player does not record the tick).
    - ``state()`` returns JSON-ready data and never mutates.
    - Look-ups change only what is shown, never what later steps do.
    """

    Params: ClassVar[type[LabParams]]
    COMMANDS: ClassVar[Mapping[str, Command]] = {}

    params: Any
    seed: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        commands: dict[str, Command] = {}
        for base in reversed(cls.__mro__[1:]):
            commands.update(getattr(base, "COMMANDS", {}) or {})
        declared = cls.__dict__.get("COMMANDS")
        if declared:
            for action, spec in declared.items():
                if isinstance(spec, str):
                    commands[action] = Command(action, getattr(cls, spec))
                else:
                    commands[action] = spec
        own: set[str] = set()
        for value in cls.__dict__.values():
            mark = getattr(value, "__lab_command__", None)
            if mark is not None:
                action, is_look_up, example = mark
                if action in own:
                    raise TypeError(f"{cls.__name__} declares the command {action!r} twice")
                own.add(action)
                commands[action] = Command(action, value, is_look_up, example)
        cls.COMMANDS = commands

    @classmethod
    def look_ups(cls) -> list[str]:
        """The actions that are look-ups, in declaration order."""
        return [a for a, c in cls.COMMANDS.items() if c.look_up]

    @classmethod
    def is_look_up(cls, command: object) -> bool:
        """True when ``command`` names a declared look-up."""
        if not isinstance(command, Mapping):
            return False
        spec = cls.COMMANDS.get(command.get("action"))  # type: ignore[arg-type]
        return spec is not None and spec.look_up

    def apply(self, command: Mapping[str, Any]) -> list[Event]:
        """Validate and run one user command; return the events it caused."""
        if not isinstance(command, Mapping):
            raise CommandError("command", command, "must be an object")
        action = command.get("action")
        spec = self.COMMANDS.get(action) if isinstance(action, str) else None
        if spec is None:
            raise CommandError(
                "action", action, f"must be one of {', '.join(sorted(self.COMMANDS))}"
            )
        return spec.handler(self, command)

    def step(self) -> list[Event]:
        """Advance one tick; engines with nothing to run return ``[]``."""
        return []

    def state(self) -> JSON:  # pragma: no cover - every engine overrides it
        """A JSON-ready picture of everything the view needs."""
        raise NotImplementedError


def check_seed(value: object) -> int:
    """Return ``value`` if it is a valid seed (an int in ``[0, 2**63 - 1]``).

    Examples
    --------
    >>> check_seed(42)
    42
    """
    return check_int("seed", value, 0, 2**63 - 1)
