"""The contract's commands and events: what a student does and what it causes.

An engine declares each command once, on its handler method: :func:`move` for an
action that changes the state (recorded on the timeline), :func:`look_up` for a
question about the current step (answered, never recorded). Each handler returns the
:class:`Event` objects its command caused, each with one plain sentence in the paper's
terms.

Examples
--------
>>> Event("join", "Node D joins with 8 tokens.", {"node": "D"}).to_json()["data"]
{'node': 'D'}
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

__all__ = ["Command", "Event", "look_up", "move"]

JSON = dict[str, Any]


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

    __module__ = "algorithms.engine"

    kind: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> JSON:
        """The event as sent in a frame (a copy: editing it never reaches the engine)."""
        return {"kind": self.kind, "text": self.text, "data": copy.deepcopy(dict(self.data))}


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

    __module__ = "algorithms.engine"

    action: str
    handler: Callable[[Any, Mapping[str, Any]], list[Event]]
    look_up: bool = False
    example: Mapping[str, Any] | None = None


_HandlerT = TypeVar("_HandlerT", bound=Callable[..., list[Event]])


def move(action: str) -> Callable[[_HandlerT], _HandlerT]:
    """Declare an engine method as the handler of the move ``action``.

    Examples
    --------
    >>> from algorithms.engine import LabEngine, LabParams
    >>> class Counter(LabEngine[LabParams]):
    ...     value = 0
    ...     @move("add")
    ...     def add(self, command):
    ...         self.value += 1
    ...         return [Event("add", "Add one.")]
    >>> engine = Counter(LabParams(), seed=1)
    >>> Counter.COMMANDS["add"].look_up, [e.text for e in engine.apply({"action": "add"})]
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
    >>> from algorithms.engine import LabEngine, LabParams
    >>> class Box(LabEngine[LabParams]):
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
