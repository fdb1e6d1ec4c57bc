"""A recorded global state and the questions asked of it.

Chandy & Lamport, "Distributed Snapshots", ACM TOCS 3(1), 1985: a snapshot records the
state of every process and of every channel; §3.1 shows it is consistent when, for every
channel, the messages recorded in it are exactly those sent before the sender recorded
and not received before the receiver recorded. Tokens are conserved, so the recorded
tokens plus the recorded in-flight tokens equal the total.

The export format: ``snapshot ID``, then ``ID tokens`` per process, then
``SRC DST token(k)`` per recorded in-flight message, in arrival order.

Examples
--------
>>> s = Snapshot("S1", "p", {"p": 1, "q": 0}, {("p", "q"): [], ("q", "p"): [1]})
>>> print(dump_snapshot(s), end="")
snapshot S1
p 1
q 0
q p token(1)
>>> in_flight_tokens(s), conserves(s, total=2)
(1, True)
>>> load_snapshot(dump_snapshot(s), links=[("p", "q"), ("q", "p")]).channels == s.channels
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from algorithms.snapshots.topology import LineError, _lines, _whole, check_process_id

__all__ = [
    "HeldMessage",
    "Snapshot",
    "all_tokens_at_one_process",
    "closing_marker",
    "conserves",
    "dump_snapshot",
    "in_flight_tokens",
    "is_consistent",
    "load_snapshot",
    "nothing_in_transit",
    "recorded_channel_state",
    "recorded_process_state",
    "stable_property_holds",
]

Link = tuple[str, str]


@dataclass(frozen=True)
class HeldMessage:
    """A message an aligning operator held back (aligned barriers only)."""

    channel: Link
    tokens: int
    arrived: float
    released: float

    @property
    def held_for(self) -> float:
        """How long it waited in the input buffer."""
        return self.released - self.arrived


@dataclass(frozen=True)
class Snapshot:
    """A completed snapshot.

    Parameters
    ----------
    id : str
        Its id (``S1``, ...).
    initiator : str
        The process that started it (the first source for a dataflow checkpoint).
    local : dict
        Process id → tokens it recorded.
    channels : dict
        (src, dst) → token amounts recorded in flight on that channel, in arrival
        order (always empty lists for aligned barriers).
    sent_before, received_before : dict
        (src, dst) → how many application messages the sender had sent on the channel
        when it recorded, and how many the receiver had received when it recorded.
    recorded_index : dict
        Process id → the position in the run's event order of its recording.
    channel_sent_index : dict
        (src, dst) → for each recorded message, the position of its send event.
    closed_by : dict
        (src, dst) → id of the marker that closed the channel (Chandy–Lamport).
    mode : str
        ``"chandy-lamport"`` or ``"aligned"``.
    held : tuple of HeldMessage
        The messages held back during alignment (aligned barriers only).
    """

    id: str
    initiator: str
    local: dict[str, int]
    channels: dict[Link, list[int]]
    sent_before: dict[Link, int] = field(default_factory=dict, compare=False)
    received_before: dict[Link, int] = field(default_factory=dict, compare=False)
    recorded_index: dict[str, int] = field(default_factory=dict, compare=False)
    recorded_time: dict[str, float] = field(default_factory=dict, compare=False)
    channel_sent_index: dict[Link, list[int]] = field(default_factory=dict, compare=False)
    closed_by: dict[Link, int] = field(default_factory=dict, compare=False)
    started_at: float = field(default=0.0, compare=False)
    completed_at: float = field(default=0.0, compare=False)
    mode: str = field(default="chandy-lamport", compare=False)
    held: tuple[HeldMessage, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, object]:
        """The snapshot as JSON-ready data (channels as ``"SRC->DST"`` keys)."""
        return {
            "id": self.id,
            "initiator": self.initiator,
            "mode": self.mode,
            "local": dict(self.local),
            "channels": {f"{a}->{b}": list(v) for (a, b), v in self.channels.items()},
            "recorded_time": dict(self.recorded_time),
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "in_flight_tokens": in_flight_tokens(self),
            "consistent": is_consistent(self),
        }


def recorded_process_state(snapshot: Snapshot, process: str) -> int:
    """The tokens ``process`` recorded.

    Examples
    --------
    >>> recorded_process_state(Snapshot("S1", "p", {"p": 3}, {}), "p")
    3
    """
    if process not in snapshot.local:
        raise LineError(0, "process", process, f"must be one of {', '.join(snapshot.local)}")
    return snapshot.local[process]


def recorded_channel_state(snapshot: Snapshot, src: str, dst: str) -> list[int]:
    """The token amounts recorded in flight on channel ``src → dst``, in arrival order.

    Examples
    --------
    >>> recorded_channel_state(Snapshot("S1", "p", {}, {("q", "p"): [2]}), "q", "p")
    [2]
    """
    if (src, dst) not in snapshot.channels:
        raise LineError(0, "channel", f"{src} {dst}", "must be a channel of the snapshot")
    return list(snapshot.channels[(src, dst)])


def in_flight_tokens(snapshot: Snapshot) -> int:
    """All tokens recorded in channels.

    Examples
    --------
    >>> in_flight_tokens(Snapshot("S1", "p", {}, {("q", "p"): [2, 1]}))
    3
    """
    return sum(sum(amounts) for amounts in snapshot.channels.values())


def conserves(snapshot: Snapshot, total: int) -> bool:
    """The conservation check: recorded tokens plus in-flight tokens equal ``total``.

    Examples
    --------
    >>> conserves(Snapshot("S1", "p", {"p": 1, "q": 0}, {("q", "p"): [1]}), total=2)
    True
    """
    return sum(snapshot.local.values()) + in_flight_tokens(snapshot) == total


def is_consistent(snapshot: Snapshot) -> bool:
    """Whether the recorded cut is consistent (Chandy & Lamport §3.1, n = n', m = m').

    For every channel, no message counted as received at the receiver's recording
    was uncounted as sent at the sender's (received ≤ sent), and the recorded channel
    holds exactly the difference. Without counts (a loaded text) it is ``True``.

    Examples
    --------
    >>> s = Snapshot("S1", "p", {"p": 1, "q": 0}, {("p", "q"): [1]},
    ...              sent_before={("p", "q"): 3}, received_before={("p", "q"): 2})
    >>> is_consistent(s)
    True
    """
    for link, amounts in snapshot.channels.items():
        if link not in snapshot.sent_before or link not in snapshot.received_before:
            continue
        sent, received = snapshot.sent_before[link], snapshot.received_before[link]
        if received > sent or len(amounts) != sent - received:
            return False
    return True


def closing_marker(snapshot: Snapshot, src: str, dst: str) -> int | None:
    """The id of the marker that closed channel ``src → dst`` (``None`` if unknown).

    Examples
    --------
    >>> closing_marker(Snapshot("S1", "p", {}, {}, closed_by={("q", "p"): 4}), "q", "p")
    4
    """
    return snapshot.closed_by.get((src, dst))


def nothing_in_transit(snapshot: Snapshot) -> bool:
    """Stable property for a terminated computation: no token is recorded in a channel.

    Examples
    --------
    >>> nothing_in_transit(Snapshot("S1", "p", {"p": 1}, {("p", "q"): []}))
    True
    """
    return in_flight_tokens(snapshot) == 0 and all(not v for v in snapshot.channels.values())


def all_tokens_at_one_process(snapshot: Snapshot) -> str | None:
    """The process holding every token with none in transit, else ``None``.

    Examples
    --------
    >>> all_tokens_at_one_process(Snapshot("S1", "p", {"p": 2, "q": 0}, {("p", "q"): []}))
    'p'
    """
    if not nothing_in_transit(snapshot):
        return None
    holders = [p for p, k in snapshot.local.items() if k > 0]
    return holders[0] if len(holders) == 1 else None


STABLE_PROPERTIES = ("terminated", "all_tokens_at_one_process")


def stable_property_holds(snapshot: Snapshot, name: str, idle: Iterable[str] = ()) -> bool:
    """Evaluate a stable property on the recorded state (§4: if it holds there, it holds now).

    ``terminated``: every process idle (in ``idle``) and nothing in transit;
    ``all_tokens_at_one_process``: one process holds every token, nothing in transit.
    Each is stable as long as the processes concerned stay idle: an idle process
    sends nothing until it receives, and with nothing in transit nothing can arrive.

    Examples
    --------
    >>> s = Snapshot("S1", "p", {"p": 2, "q": 0}, {("p", "q"): [], ("q", "p"): []})
    >>> stable_property_holds(s, "terminated", idle=["p", "q"])
    True
    """
    if name == "terminated":
        quiet = set(idle)
        return nothing_in_transit(snapshot) and all(p in quiet for p in snapshot.local)
    if name == "all_tokens_at_one_process":
        return all_tokens_at_one_process(snapshot) is not None
    raise LineError(0, "property", name, f"must be one of {', '.join(STABLE_PROPERTIES)}")


def dump_snapshot(snapshot: Snapshot) -> str:
    """The snapshot in the export format (see the module docstring).

    Examples
    --------
    >>> print(dump_snapshot(Snapshot("S2", "q", {"p": 0, "q": 1}, {("p", "q"): [1, 2]})), end="")
    snapshot S2
    p 0
    q 1
    p q token(1)
    p q token(2)
    """
    rows = [f"snapshot {snapshot.id}"]
    rows += [f"{p} {k}" for p, k in snapshot.local.items()]
    for (a, b), amounts in snapshot.channels.items():
        rows += [f"{a} {b} token({k})" for k in amounts]
    return "\n".join(rows) + "\n"


_TOKEN = re.compile(r"token\(([0-9]{1,12})\)")


def load_snapshot(text: str, links: Iterable[Link] = ()) -> Snapshot:
    """Read one exported snapshot; ``links`` adds the empty channels it does not list.

    Examples
    --------
    >>> load_snapshot("snapshot S2\\np 0\\nq 2\\np q token(x)\\n")
    Traceback (most recent call last):
    ...
    algorithms.snapshots.topology.LineError: line 4: in-flight message must be `SRC DST token(k)`, got 'p q token(x)'
    """
    rows = _lines(text)
    if not rows or rows[0][1][0] != "snapshot" or len(rows[0][1]) != 2:
        line = rows[0][0] if rows else 1
        raise LineError(
            line, "first line", " ".join(rows[0][1]) if rows else "", "must be `snapshot ID`"
        )
    sid = check_process_id("snapshot id", rows[0][1][1], rows[0][0])
    local: dict[str, int] = {}
    channels: dict[Link, list[int]] = {link: [] for link in links}
    seen_channel = False
    for line, words in rows[1:]:
        if len(words) == 2:
            if seen_channel:
                raise LineError(
                    line, "process line", " ".join(words), "must come before the channels"
                )
            pid = check_process_id("process", words[0], line)
            if pid in local:
                raise LineError(line, "process", pid, "must not be listed twice")
            local[pid] = _whole(line, f"tokens of {pid}", words[1], 0, 10**12)
        elif len(words) == 3:
            match = _TOKEN.fullmatch(words[2])
            if not match:
                raise LineError(
                    line, "in-flight message", " ".join(words), "must be `SRC DST token(k)`"
                )
            for who in words[:2]:
                if who not in local:
                    raise LineError(line, "channel end", who, "must be a process listed above")
            seen_channel = True
            channels.setdefault((words[0], words[1]), []).append(int(match.group(1)))
        else:
            raise LineError(
                line, "line", " ".join(words), "must be `ID tokens` or `SRC DST token(k)`"
            )
    return Snapshot(sid, "", local, channels)
