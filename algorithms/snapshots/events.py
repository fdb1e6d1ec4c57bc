"""The events file of the snapshot lab: what the student does, one action per line.

After Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985: processes send
tokens to each other while snapshots are taken. Lines:

- ``send A B k``: A sends k tokens to B (k from 1);
- ``snapshot X`` or ``snapshot X ID``: X records its state and starts a snapshot
  (with that id, else the next free of ``S1``, ``S2``, ...);
- ``tick`` or ``tick n``: time advances one or n units; with the default delays every
  message sent before a tick is delivered by it.

``#`` starts a comment. Which ids exist and whether A holds k tokens are checked when
the events are run (:func:`algorithms.snapshots.run`), still naming the line.

Examples
--------
>>> events = load_events("snapshot p\\nsend p q 1  # M\\ntick 2\\n")
>>> events
[StartSnapshot(process='p', id=None), Send(src='p', dst='q', tokens=1), Tick(units=2)]
>>> [e.line for e in events]
[1, 2, 3]
>>> print(dump_events(events), end="")
snapshot p
send p q 1
tick 2
"""

from __future__ import annotations

from dataclasses import dataclass, field

from algorithms.snapshots.topology import (
    MAX_TOKENS,
    LineError,
    _lines,
    _whole,
    check_process_id,
)

__all__ = [
    "MAX_EVENT_LINES",
    "MAX_TICK",
    "Send",
    "StartSnapshot",
    "Tick",
    "dump_events",
    "load_events",
]

MAX_EVENT_LINES = 300_000
"""The most actions one events file may hold."""

MAX_TICK = 1_000_000
"""The most time units one ``tick n`` may advance."""


@dataclass(frozen=True)
class Send:
    """``send A B k``: ``src`` sends ``tokens`` tokens to ``dst``."""

    src: str
    dst: str
    tokens: int
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class StartSnapshot:
    """``snapshot X [ID]``: ``process`` records its state and starts snapshot ``id``."""

    process: str
    id: str | None = None
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Tick:
    """``tick [n]``: time advances ``units`` units."""

    units: int = 1
    line: int = field(default=0, compare=False, repr=False)


Action = Send | StartSnapshot | Tick


def load_events(text: str) -> list[Action]:
    """Read an events file; a malformed line is refused with its number, value and rule.

    Examples
    --------
    >>> load_events("send p q\\n")
    Traceback (most recent call last):
    ...
    algorithms.snapshots.topology.LineError: line 1: send must be `send A B k` (A sends k tokens to B), got 'send p q'
    >>> load_events("tick 0")
    Traceback (most recent call last):
    ...
    algorithms.snapshots.topology.LineError: line 1: tick must be a whole number between 1 and 1,000,000, got '0'
    """
    out: list[Action] = []
    ids: dict[str, str] = {}  # ids already checked (interned): files repeat a few names

    def pid(what: str, word: str, line: int) -> str:
        known = ids.get(word)
        if known is None:
            known = ids[word] = check_process_id(what, word, line)
        return known

    for line, words in _lines(text):
        if len(out) >= MAX_EVENT_LINES:
            raise LineError(
                line, "events", len(out) + 1, f"must number at most {MAX_EVENT_LINES:,}"
            )
        verb, args = words[0], words[1:]
        shown = " ".join(words)
        if verb == "send":
            if len(args) != 3:
                raise LineError(line, "send", shown, "must be `send A B k` (A sends k tokens to B)")
            src = pid("sender", args[0], line)
            dst = pid("receiver", args[1], line)
            word = args[2]
            if (
                word.isascii()
                and word.isdigit()
                and len(word) <= 10
                and 1 <= int(word) <= MAX_TOKENS
            ):
                k = int(word)
            else:
                k = _whole(line, "tokens sent", word, 1, MAX_TOKENS)
            out.append(Send(src, dst, k, line))
        elif verb == "snapshot":
            if len(args) not in (1, 2):
                raise LineError(line, "snapshot", shown, "must be `snapshot X` or `snapshot X ID`")
            process = pid("initiator", args[0], line)
            sid = check_process_id("snapshot id", args[1], line) if len(args) == 2 else None
            out.append(StartSnapshot(process, sid, line))
        elif verb == "tick":
            if len(args) > 1:
                raise LineError(line, "tick", shown, "must be `tick` or `tick n`")
            units = _whole(line, "tick", args[0], 1, MAX_TICK) if args else 1
            out.append(Tick(units, line))
        else:
            raise LineError(line, "action", verb, "must be one of send, snapshot, tick")
    return out


def dump_events(events: list[Action]) -> str:
    """The events as text, readable by :func:`load_events`.

    Examples
    --------
    >>> events = load_events("snapshot p S7\\ntick\\n")
    >>> load_events(dump_events(events)) == events
    True
    """
    rows = []
    for e in events:
        if isinstance(e, Send):
            rows.append(f"send {e.src} {e.dst} {e.tokens}")
        elif isinstance(e, StartSnapshot):
            rows.append(f"snapshot {e.process}" + (f" {e.id}" if e.id else ""))
        else:
            rows.append("tick" if e.units == 1 else f"tick {e.units}")
    return "".join(row + "\n" for row in rows)
