"""A one-value cache keyed by an engine's version counter.

An engine's ``state()`` must never change the engine (the engine contract, DESIGN.md),
yet some pictures are costly and change only on some commands: the ring's tokens and
partitions (DeCandia et al., "Dynamo", SOSP 2007, §4.2) move on a join, not when a key
is selected. The engine counts its changes in a version number and keeps the last
picture with the version it was drawn at; a stale picture is never served. A copy of
the engine (the player's checkpoints) starts with an empty memo, so it shares nothing
with the live engine and carries no cache.

Examples
--------
>>> import copy
>>> memo: Memo[list[int]] = Memo()
>>> calls = []
>>> def draw() -> list[int]:
...     calls.append(1)
...     return [1, 2]
>>> memo.get(0, draw) is memo.get(0, draw), len(calls)
(True, 1)
>>> _ = memo.get(1, draw); len(calls)
2
>>> copy.deepcopy(memo).get(1, draw) == [1, 2], len(calls)
(True, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Memo"]

T = TypeVar("T")


class Memo(Generic[T]):
    """The value last computed, and the version it belongs to."""

    __slots__ = ("_value", "_version")

    def __init__(self) -> None:
        self._version: int | None = None
        self._value: T | None = None

    def get(self, version: int, compute: Callable[[], T]) -> T:
        """The value at ``version``: the kept one if it is that version's, else ``compute()``."""
        if self._version != version or self._value is None:
            self._value = compute()
            self._version = version
        return self._value

    def __deepcopy__(self, memo: dict[int, Any]) -> Memo[T]:
        return Memo()

    def __reduce__(self) -> tuple[type[Memo[T]], tuple[()]]:
        return (Memo, ())
