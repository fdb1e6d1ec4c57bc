"""Frames: what one shows of a timeline, as JSON text, the state sent as a delta."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from algorithms.recording import Timeline

__all__ = ["LOG_LIMIT", "DeltaEncoder", "branch_notice", "caption_at", "dumps", "frame_head"]

LOG_LIMIT = 200
"""Events of the log a frame carries when the whole log is sent again."""


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

    Keys whose JSON equals what this socket was last *delivered* are left out and named
    in ``unchanged``; the client keeps them. A graph's 50,000 edges then cross the wire
    once, not on every gossip round. A value that is the very object sent last time
    (engines cache pictures that only change with membership) is not even encoded again.

    What a frame carries counts as delivered only once :meth:`delivered` is called for
    it (after the transport took it); a frame that was never sent, or failed to send,
    is followed by :meth:`forget`, and the next frame carries the whole state again.

    Examples
    --------
    >>> enc = DeltaEncoder()
    >>> first = enc.encode({"type": "frame"}, {"a": [1], "b": 2})
    >>> first
    '{"type":"frame","unchanged":[],"state":{"a":[1],"b":2}}'
    >>> enc.delivered()
    >>> enc.encode({"type": "frame"}, {"a": [1], "b": 3})
    '{"type":"frame","unchanged":["a"],"state":{"b":3}}'

    A frame that is not delivered leaves the client where it was:

    >>> enc = DeltaEncoder()
    >>> _ = enc.encode({"type": "frame"}, {"a": [1]})
    >>> enc.forget()
    >>> enc.encode({"type": "frame"}, {"a": [1]})
    '{"type":"frame","unchanged":[],"state":{"a":[1]}}'
    """

    def __init__(self) -> None:
        self._sent: dict[str, tuple[object, str]] = {}
        self._pending: dict[str, tuple[object, str]] | None = None

    def forget(self) -> None:
        """The next frame sends the whole state (the client may have lost it)."""
        self._sent = {}
        self._pending = None

    def delivered(self) -> None:
        """The last encoded frame reached the transport: its state is the client's."""
        if self._pending is not None:
            self._sent = self._pending
            self._pending = None

    def encode(self, frame: Mapping[str, Any], state: Mapping[str, Any]) -> str:
        # Deltas are against what was delivered; a frame encoded but not yet confirmed
        # is replaced by this one (only the last encoded frame is ever sent).
        sent = self._sent if set(state) == set(self._sent) else {}
        pending: dict[str, tuple[object, str]] = {}
        parts: list[str] = []
        unchanged: list[str] = []
        for key, value in state.items():
            previous = sent.get(key)
            if previous is not None and previous[0] is value:
                unchanged.append(key)
                pending[key] = previous
                continue
            encoded = dumps(value)
            if previous is not None and previous[1] == encoded:
                unchanged.append(key)
            else:
                parts.append(f"{dumps(key)}:{encoded}")
            pending[key] = (value, encoded)
        self._pending = pending
        head = dict(frame)
        head["unchanged"] = unchanged
        return dumps(head)[:-1] + ',"state":{' + ",".join(parts) + "}}"


def caption_at(captions: Mapping[str, str], step: int) -> str | None:
    """The caption shown at ``step``: the last one at or before it.

    >>> caption_at({"0": "start", "3": "join"}, 2), caption_at({"3": "join"}, 1)
    ('start', None)
    """
    best = -1
    for key in captions:
        if best < int(key) <= step:
            best = int(key)
    return captions.get(str(best)) if best >= 0 else None


def frame_head(
    timeline: Timeline, captions: Mapping[str, str], playing: bool, fps: int, with_log: bool
) -> dict[str, Any]:
    """A frame without its state: the step, its events, caption and branches."""
    step = timeline.position
    frame: dict[str, Any] = {
        "type": "frame",
        "step": step,
        "length": timeline.length,
        "playing": playing,
        "fps": fps,
        "events": [e.to_json() for e in timeline.events_at(step)],
        "caption": caption_at(captions, step),
        "branch": timeline.branch_id,
        "branches": timeline.branches(),
        "t": time.time() * 1000,
    }
    if with_log:
        frame["log"] = [[s, e.to_json()] for s, e in timeline.log(LOG_LIMIT)]
    return frame


def branch_notice(timeline: Timeline, old: int, position: int, length: int) -> dict[str, Any]:
    """The notice a frame carries when a move at ``position`` of branch ``old`` (then
    ``length`` steps long) started a new branch; nothing when it did not."""
    if timeline.branch_id == old:
        return {}
    text = (
        f"A what-if branch ({timeline.branch_id}) starts at step {position}; the "
        f"{length - position:,} later steps of branch {old} are kept: switch back to "
        "it under Branches."
    )
    dropped = timeline.dropped_branch
    if dropped is not None:
        text += (
            f" Branch {dropped.id} ({dropped.length:,} steps) was dropped: a session "
            f"keeps at most {len(timeline.branches())} branches."
        )
    return {"notice": text}
