"""The contract's memo: a JSON value computed once per version of an engine.

An engine's *version* counts the changes made to it: the contract bumps it after every
:meth:`~algorithms.engine.LabEngine.apply` and every ``step()``. A picture that is
costly to draw (the snapshot lab's §4 analysis replays the whole run) can then be kept
for as long as the version stays the same, however often the view, a look-up or a
grader asks for it, and dropped as soon as anything changes.

The memo never hands out what it keeps: every caller gets a fresh copy of the JSON
value, so a caller that edits what it got (a frame encoder, a test) cannot change the
next answer. A copy of the engine (a timeline's checkpoint) starts with an empty memo,
so checkpoints share nothing with the live engine and carry no cached pictures.

Examples
--------
>>> cache = MemoCache()
>>> calls = []
>>> def draw():
...     calls.append(1)
...     return {"events": [1, 2]}
>>> first = cache.get("state", 0, draw); first["events"].append(3)
>>> cache.get("state", 0, draw), len(calls)
({'events': [1, 2]}, 1)
>>> cache.get("state", 1, draw), len(calls)
({'events': [1, 2]}, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["MemoCache", "json_copy"]

J = TypeVar("J")

_ATOMS = (str, int, float, bool, type(None))


def json_copy(value: J) -> J:
    """A copy of JSON data (dicts, lists, tuples, str, numbers, bool, None) sharing nothing.

    Faster than :func:`copy.deepcopy` on the pictures engines draw, and strict: any
    other object is refused, since the memo could not promise it is never changed.

    Examples
    --------
    >>> data = {"a": [1, {"b": (2.5, None)}]}
    >>> copied = json_copy(data)
    >>> copied == data, copied["a"] is data["a"], copied["a"][1] is data["a"][1]
    (True, False, False)
    >>> json_copy({"s": {1, 2}})
    Traceback (most recent call last):
    ...
    TypeError: a memoised value must be JSON data, not set
    """
    out: Any = _copy(value)
    return out  # type: ignore[no-any-return]


def _copy(value: object) -> object:
    kind = type(value)
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind is list:
        return [_copy(v) for v in value]  # type: ignore[attr-defined]
    if kind in _ATOMS:
        return value
    if kind is tuple:
        return tuple(_copy(v) for v in value)  # type: ignore[attr-defined]
    raise TypeError(f"a memoised value must be JSON data, not {kind.__name__}")


class MemoCache:
    """One value per key, kept for one engine version; copies of the cache start empty.

    At most one entry per key is kept (the newest version's), so the memory it holds is
    bounded by the number of keys an engine uses.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, object]] = {}

    def get(self, key: str, version: int, compute: Callable[[], J]) -> J:
        """``compute()`` for this ``version`` (computed at most once), as a fresh copy."""
        entry = self._entries.get(key)
        if entry is None or entry[0] != version:
            entry = (version, compute())
            self._entries[key] = entry
        # Copied on the way out, first time too: what a caller holds is never what is kept.
        kept: Any = json_copy(entry[1])
        return kept  # type: ignore[no-any-return]

    def __copy__(self) -> MemoCache:
        return MemoCache()

    def __deepcopy__(self, memo: dict[int, Any]) -> MemoCache:
        return MemoCache()
