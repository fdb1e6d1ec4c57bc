"""The contract itself: :class:`LabParams` and the generic :class:`LabEngine`.

An engine is declared with its parameter class as the type argument,
``class SnapshotsEngine(LabEngine[SnapshotsParams])``: the contract takes ``Params``
from it, and the constructor ``Engine(params, seed)`` is the contract's own (it checks
the params' class and the seed, and gives the engine its one ``random.Random(seed)``),
so a :class:`~algorithms.recording.Timeline` of that engine is typed all through.

Examples
--------
>>> @dataclass(frozen=True)
... class CoinParams(LabParams):
...     sides: int = 2
>>> class Coin(LabEngine[CoinParams]):
...     def step(self):
...         self.face = self.rng.randrange(self.params.sides)
...         return [Event("toss", f"The coin shows {self.face}.")]
...     def state(self):
...         return self.memo("state", lambda: {"face": getattr(self, "face", None)})
>>> Coin.Params is CoinParams
True
>>> coin = Coin(CoinParams(), seed=3)
>>> coin.version, coin.state(), [e.text for e in coin.step()], coin.version
(0, {'face': None}, ['The coin shows 0.'], 1)
>>> Coin({"sides": 2}, seed=3)
Traceback (most recent call last):
...
algorithms.engine.CommandError: params must be CoinParams, got {'sides': 2}
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from algorithms.engine.checks import CommandError, check_seed
from algorithms.engine.commands import Command, Event
from algorithms.engine.memo import MemoCache

__all__ = ["LabEngine", "LabParams"]

JSON = dict[str, Any]

P = TypeVar("P", bound="LabParams")
P_co = TypeVar("P_co", bound="LabParams", covariant=True)
J = TypeVar("J")


@dataclass(frozen=True)
class LabParams:
    """Base of every lab's parameter dataclass.

    Subclasses are frozen dataclasses with defaults for every field and validate
    themselves in ``__post_init__`` with the ``check_*`` helpers, so that a params
    object that exists is a valid one.
    """

    __module__ = "algorithms.engine"

    @classmethod
    def from_dict(cls: type[P], data: object) -> P:
        """Build validated params from a JSON object; unknown keys are refused.

        Examples
        --------
        >>> from algorithms.engine import check_int
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


def _declared_params(cls: type) -> type[LabParams] | None:
    """The params class named as ``LabEngine[...]``'s argument in ``cls``'s own bases."""
    for base in getattr(cls, "__orig_bases__", ()):
        origin = get_origin(base)
        if isinstance(origin, type) and issubclass(origin, LabEngine):
            (arg,) = get_args(base)
            if isinstance(arg, type) and issubclass(arg, LabParams):
                return arg
    return None


def _versioned(step: Callable[[Any], list[Event]]) -> Callable[[Any], list[Event]]:
    @functools.wraps(step)
    def counted(self: LabEngine[LabParams]) -> list[Event]:
        try:
            return step(self)
        finally:
            self._version += 1

    counted.__lab_versioned__ = True  # type: ignore[attr-defined]
    return counted


class LabEngine(Generic[P_co]):
    """Base class of the labs' engines, generic in their params class.

    Subclasses name their :class:`LabParams` subclass as the type argument
    (``class Engine(LabEngine[EngineParams])``), which sets ``Params``, and declare
    their commands with the :func:`~algorithms.engine.move` and
    :func:`~algorithms.engine.look_up` decorators; the contract collects them into
    ``COMMANDS`` (action -> :class:`~algorithms.engine.Command`). A plain mapping of
    action to method name is also accepted and declares moves.

    Parameters
    ----------
    params : LabParams subclass
        Validated parameters of the engine's own ``Params`` class.
    seed : int
        Seeds the engine's one ``random.Random`` (``self.rng``).

    Contract
    --------
    - ``apply(command)`` validates the whole command before changing anything.
    - ``step()`` advances one tick; it returns ``[]`` only when nothing changed
      (then the player does not record the tick).
    - ``state()`` returns fresh JSON-ready data and never changes the engine; a costly
      picture is kept with :meth:`memo`, once per :attr:`version`.
    - Look-ups change only what is shown, never what later steps do.
    """

    __module__ = "algorithms.engine"

    Params: ClassVar[type[LabParams]]
    COMMANDS: ClassVar[Mapping[str, Command]] = {}

    params: P_co
    seed: int
    rng: random.Random
    # Class defaults, so engines built without the contract's constructor count too.
    _version: int = 0
    _memo: MemoCache | None = None

    def __init__(self, params: P_co, seed: int) -> None:
        expected = getattr(type(self), "Params", None)
        if expected is not None and not isinstance(params, expected):
            raise CommandError("params", params, f"must be {expected.__name__}")
        self.params = params
        self.seed = check_seed(seed)
        self.rng = random.Random(self.seed)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared_params = _declared_params(cls)
        if declared_params is not None:
            named = cls.__dict__.get("Params")
            if named is not None and named is not declared_params:
                raise TypeError(
                    f"{cls.__name__} names {named.__name__} as Params but is "
                    f"LabEngine[{declared_params.__name__}]"
                )
            cls.Params = declared_params
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "__lab_versioned__", False):
            setattr(cls, "step", _versioned(step))  # noqa: B010 (mypy: cannot assign a method)
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

    @property
    def version(self) -> int:
        """How many commands and steps have run on this engine (refused ones too).

        Every change goes through :meth:`apply` or ``step()``, so two calls of
        ``state()`` at the same version describe the same engine.
        """
        return self._version

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
        try:
            return spec.handler(self, command)
        finally:
            # A refused command changes nothing, but counting it too costs one redraw.
            self._version += 1

    def step(self) -> list[Event]:
        """Advance one tick; engines with nothing to run return ``[]``."""
        return []

    def state(self) -> JSON:  # pragma: no cover - every engine overrides it
        """A JSON-ready picture of everything the view needs."""
        raise NotImplementedError

    def memo(self, key: str, compute: Callable[[], J]) -> J:
        """``compute()``, drawn once per :attr:`version` and handed out as a fresh copy.

        ``compute`` must return JSON data (see :func:`~algorithms.engine.json_copy`).
        The cache is not part of the engine's state: copies of the engine (checkpoints)
        start without it.
        """
        cache = self._memo
        if cache is None:
            cache = self._memo = MemoCache()
        return cache.get(key, self._version, compute)
