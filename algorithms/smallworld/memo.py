"""A memo of values derived from one version of an engine's state.

Measuring a graph is the expensive part of the small-world lab (``C`` and ``L`` of a
2,000-node graph by bit-parallel BFS, Watts & Strogatz, Nature 393:440-442, 1998),
and ``state()`` and the look-ups ask for the same measures many times at one step. A
:class:`VersionMemo` keeps them, keyed by a version counter that changes whenever the
measured thing does (for the small-world engine: how many rewiring decisions are
applied), for the last few versions.

It is not part of the engine's state: nothing observable depends on it, so filling it
from ``state()`` changes nothing a student or a recording can see. Its values must be
immutable (numbers, strings, tuples, read-only numpy arrays), which :meth:`get`
checks (a long tuple by its first and last items); a copy (``copy.deepcopy``, as the player's checkpoints are made) gets a memo of
its own holding the same values, so a checkpoint and the live engine share nothing
that either can change.

Examples
--------
>>> import copy
>>> memo = VersionMemo(versions=2)
>>> memo.get(0, "answer", lambda: 42)
42
>>> memo.get(0, "answer", lambda: 0)  # remembered for version 0
42
>>> twin = copy.deepcopy(memo)
>>> _ = twin.get(1, "answer", lambda: 43)
>>> len(memo), len(twin)
(1, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

__all__ = ["VersionMemo", "frozen_array"]

T = TypeVar("T")

_ENDS = 8
_SCALARS = (int, float, complex, str, bytes, bool, type(None), np.generic)


def frozen_array(values: Any) -> Any:
    """``values`` as a numpy array that cannot be written to (safe to keep in a memo).

    Examples
    --------
    >>> frozen_array([1, 2]).flags.writeable
    False
    """
    array = np.array(values)
    array.setflags(write=False)
    return array


def _immutable(value: object) -> bool:
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, np.ndarray):
        return not value.flags.writeable and value.dtype != object
    if isinstance(value, frozenset):
        return all(_immutable(item) for item in value)
    if isinstance(value, tuple):
        # A long tuple (50,000 edges) is checked at its ends: its items are alike.
        ends = value if len(value) <= 2 * _ENDS else value[:_ENDS] + value[-_ENDS:]
        return all(_immutable(item) for item in ends)
    return False


class VersionMemo:
    """Values computed from a version of some state, for the ``versions`` latest versions.

    Parameters
    ----------
    versions : int
        How many versions to keep (the least recently used is dropped first); at least 1.
    keys : int
        How many values to keep per version (likewise), so that a client asking for
        thousands of different paths at one step holds a bounded amount of memory.

    Examples
    --------
    >>> memo = VersionMemo(versions=1, keys=2)
    >>> memo.get(3, "edges", lambda: (1, 2))
    (1, 2)
    >>> memo.get(4, "edges", lambda: (1, 2, 3)), len(memo)
    ((1, 2, 3), 1)
    >>> [memo.get(4, ("path", b), lambda: b) for b in range(3)]
    [0, 1, 2]
    >>> memo.get(4, "edges", lambda: ()), memo.get(4, ("path", 2), lambda: -1)
    ((), 2)
    >>> memo.get(5, "list", lambda: [1])
    Traceback (most recent call last):
    ...
    TypeError: a memo keeps only immutable values; 'list' gave a list
    """

    def __init__(self, versions: int = 4, keys: int = 32) -> None:
        if versions < 1 or keys < 1:
            raise ValueError(f"versions and keys must be at least 1, got {versions}, {keys}")
        self._versions = versions
        self._keys = keys
        self._store: dict[int, dict[Hashable, object]] = {}

    def __len__(self) -> int:
        return len(self._store)

    def get(self, version: int, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key`` at ``version``: remembered, else ``compute()`` kept."""
        values = self._store.pop(version, None)
        if values is None:
            while len(self._store) >= self._versions:
                del self._store[next(iter(self._store))]
            values = {}
        self._store[version] = values  # most recently used last
        if key in values:
            values[key] = hit = values.pop(key)  # likewise
            return hit  # type: ignore[return-value]
        value = compute()
        if not _immutable(value):
            raise TypeError(
                f"a memo keeps only immutable values; {key!r} gave a {type(value).__name__}"
            )
        while len(values) >= self._keys:
            del values[next(iter(values))]
        values[key] = value
        return value

    def __copy__(self) -> VersionMemo:
        other = VersionMemo(self._versions, self._keys)
        other._store = {version: dict(values) for version, values in self._store.items()}
        return other

    def __deepcopy__(self, memo: dict[int, Any]) -> VersionMemo:
        # The values are immutable: new dicts holding them share nothing changeable.
        return self.__copy__()
