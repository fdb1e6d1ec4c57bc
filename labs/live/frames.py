"""Frames as JSON text, the state sent as a delta by top-level key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["DeltaEncoder", "dumps"]


CHUNK = 2_000
"""Long lists are encoded this many items at a time: one ``json.dumps`` call holds the
GIL throughout, and a 16,000-token ring in one call held it for 50 ms, stalling the
event loop while a worker thread encoded a frame."""


def dumps(value: object) -> str:
    """Compact JSON, large values encoded piece by piece so other threads get the GIL.

    Examples
    --------
    >>> dumps({"a": [1, 2.5, None]})
    '{"a":[1,2.5,null]}'
    >>> big = {"nodes": [{"arcs": list(range(300))} for _ in range(64)], "n": 1}
    >>> dumps(big) == json.dumps(big, separators=(",", ":"))
    True
    >>> dumps(list(range(5000))) == json.dumps(list(range(5000)), separators=(",", ":"))
    True
    """
    if isinstance(value, list):
        if len(value) > CHUNK:
            parts = (dumps(value[i : i + CHUNK])[1:-1] for i in range(0, len(value), CHUNK))
            return "[" + ",".join(parts) + "]"
        if any(_large(item) for item in value):
            return "[" + ",".join(dumps(item) for item in value) + "]"
    elif isinstance(value, dict) and any(_large(item) for item in value.values()):
        return "{" + ",".join(f"{_dumps(k)}:{dumps(v)}" for k, v in value.items()) + "}"
    return _dumps(value)


def _large(value: object) -> bool:
    """A container of more than 64 items, or one holding such a container."""
    if isinstance(value, dict):
        inner: list[object] = list(value.values())
    elif isinstance(value, list):
        inner = value[:64]
    else:
        return False
    return len(value) > 64 or any(
        isinstance(item, list | dict) and len(item) > 64 for item in inner
    )


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


class DeltaEncoder:
    """Encodes one socket's frames, leaving out state keys the client already has.

    Keys whose JSON equals what this socket was last sent are left out and named in
    ``unchanged``; the client keeps them. A graph's 50,000 edges then cross the wire
    once, not on every gossip round. A value that is the very object sent last time
    (engines cache pictures that only change with membership) is not even encoded again.

    Examples
    --------
    >>> enc = DeltaEncoder()
    >>> enc.encode({"type": "frame"}, {"a": [1], "b": 2})
    '{"type":"frame","unchanged":[],"state":{"a":[1],"b":2}}'
    >>> enc.encode({"type": "frame"}, {"a": [1], "b": 3})
    '{"type":"frame","unchanged":["a"],"state":{"b":3}}'
    """

    def __init__(self) -> None:
        self._sent: dict[str, tuple[object, str]] = {}

    def forget(self) -> None:
        """The next frame sends the whole state (the client may have lost it)."""
        self._sent = {}

    def encode(self, frame: Mapping[str, Any], state: Mapping[str, Any]) -> str:
        if set(state) != set(self._sent):
            self._sent = {}
        parts: list[str] = []
        unchanged: list[str] = []
        for key, value in state.items():
            previous = self._sent.get(key)
            if previous is not None and previous[0] is value:
                unchanged.append(key)
                continue
            encoded = dumps(value)
            if previous is not None and previous[1] == encoded:
                unchanged.append(key)
            else:
                parts.append(f"{dumps(key)}:{encoded}")
            self._sent[key] = (value, encoded)
        head = dict(frame)
        head["unchanged"] = unchanged
        return dumps(head)[:-1] + ',"state":{' + ",".join(parts) + "}}"
