"""Lamport clocks and vector clocks: the clocks themselves and a process that keeps them.

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
Communications of the ACM 21(7), 1978, defines the relation *happened before* (→)
on the events of a system of processes and logical clocks that respect it:

- IR1: each process increments its clock between any two successive events;
- IR2: a message carries its sender's timestamp T_m, and on receipt the receiver sets
  its clock greater than or equal to its present value and greater than T_m;
- Clock Condition: a → b implies C(a) < C(b), but not the converse;
- a total order ⇒ extends → by ordering events by (C, process), ties between processes
  broken by an arbitrary fixed order of the processes.

Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial Ordering",
ACSC 1988, and Mattern, "Virtual Time and Global States of Distributed Systems",
1989, replace the single counter by a vector with one entry per process, which
characterises → exactly: a → b iff V(a) < V(b) (≤ in every entry and not equal), and a
and b are concurrent iff neither clock is ≤ the other.

Convention used here for a receive (both orders are valid if used consistently):
the receiver first takes the element-wise maximum of its clock and the message's,
*then* increments its own entry. The Lamport clock of a receive is
``max(own, T_m) + 1``.

Examples
--------
>>> p, q = Process("P1"), Process("P2")
>>> m = p.send_event()
>>> q.local_event()
Stamp(vector=VectorClock({'P2': 1}), lamport=1)
>>> q.receive_event(m)
Stamp(vector=VectorClock({'P1': 1, 'P2': 2}), lamport=2)
>>> m.vector < q.clock, m.vector.concurrent_with(VectorClock({"P2": 1}))
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = [
    "MAX_NAME_CHARS",
    "Process",
    "Stamp",
    "VectorClock",
    "check_process_name",
]

MAX_NAME_CHARS = 64
"""The longest process (host, node) name a clock accepts."""

_NAME = re.compile(r"\S+")


def check_process_name(name: object) -> str:
    """Return ``name`` if it can name a process in a clock, else raise ValueError.

    A name is 1 to :data:`MAX_NAME_CHARS` printable characters without white
    space: ShiViz logs write a host as ``host {clock}`` and the GoVector parsing
    regex captures the host with ``\\S*``, so a name with a space could not be read
    back. Such names are refused here, when the clock is created.

    Examples
    --------
    >>> check_process_name("P1")
    'P1'
    >>> check_process_name("web server")
    Traceback (most recent call last):
    ...
    ValueError: a process name must be 1 to 64 printable characters without spaces, got 'web server'
    """
    if (
        not isinstance(name, str)
        or len(name) > MAX_NAME_CHARS
        or not _NAME.fullmatch(name)
        or not name.isprintable()
    ):
        raise ValueError(
            f"a process name must be 1 to {MAX_NAME_CHARS} printable characters "
            f"without spaces, got {name!r}"
        )
    return name


class VectorClock(Mapping[str, int]):
    """An immutable vector clock: process name → counter, absent entries are 0.

    Fidge (1988) and Mattern (1989): the clock of an event counts, for every
    process, how many of that process's events are in the event's causal past
    (the event itself included). ``clock[p]`` is 0 for a process that does not
    appear; zero entries are never stored, so ``{"P1": 1, "P2": 0}`` and
    ``{"P1": 1}`` are the same clock (equal and with the same hash). Iteration,
    ``len`` and ``in`` see only the non-zero entries, in name order.

    Clocks are values: :meth:`increment` and :meth:`merge` return a new clock and
    never change this one.

    Comparisons follow the paper: ``a < b`` is happens-before (``a`` ≤ ``b`` in
    every entry and not equal), ``a <= b`` is ≤ in every entry, and
    :meth:`concurrent_with` holds when neither is ≤ the other. Comparing with
    anything but a VectorClock returns ``NotImplemented``.

    Parameters
    ----------
    counters : mapping or iterable of (name, counter) pairs
        Counters are ints ≥ 0; names must pass :func:`check_process_name`.

    Raises
    ------
    ValueError
        For a bad name, a counter that is not an int ≥ 0, or a repeated name.

    Examples
    --------
    >>> a = VectorClock({"P1": 2})
    >>> b = a.increment("P2")
    >>> b
    VectorClock({'P1': 2, 'P2': 1})
    >>> a < b, b < a, a == VectorClock({"P1": 2, "P3": 0})
    (True, False, True)
    >>> c = VectorClock({"P3": 1})
    >>> b.concurrent_with(c), b.merge(c).format(["P1", "P2", "P3"])
    (True, '[P1:2, P2:1, P3:1]')
    >>> b["P9"], "P9" in b
    (0, False)
    """

    __slots__ = ("_counters", "_hash")

    _counters: dict[str, int]
    _hash: int | None

    def __init__(self, counters: Mapping[str, int] | Iterable[tuple[str, int]] = ()) -> None:
        items: Iterable[tuple[str, int]] = (
            counters.items() if isinstance(counters, Mapping) else counters
        )
        clean: dict[str, int] = {}
        seen: set[str] = set()
        for name, count in items:
            check_process_name(name)
            if name in seen:
                raise ValueError(f"process {name!r} appears twice in the clock")
            seen.add(name)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(
                    f"the counter of {name!r} must be a whole number ≥ 0, got {count!r}"
                )
            if count:
                clean[name] = count
        self._counters = dict(sorted(clean.items()))
        self._hash = None

    @classmethod
    def _trusted(cls, counters: dict[str, int]) -> VectorClock:
        """Wrap counters already checked (non-zero, valid names); sorts them."""
        clock = cls.__new__(cls)
        clock._counters = dict(sorted(counters.items()))
        clock._hash = None
        return clock

    # -- the mapping -------------------------------------------------------------------

    def __getitem__(self, name: str) -> int:
        return self._counters.get(name, 0)

    def __contains__(self, name: object) -> bool:
        return name in self._counters

    def __iter__(self) -> Iterator[str]:
        return iter(self._counters)

    def __len__(self) -> int:
        return len(self._counters)

    def __repr__(self) -> str:
        return f"VectorClock({self._counters!r})"

    def __copy__(self) -> VectorClock:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> VectorClock:
        return self

    # -- the clock rules ---------------------------------------------------------------

    def increment(self, name: str) -> VectorClock:
        """A new clock with ``name``'s entry one larger (a local or send event at ``name``).

        Examples
        --------
        >>> VectorClock().increment("P1").increment("P1")
        VectorClock({'P1': 2})
        """
        check_process_name(name)
        counters = dict(self._counters)
        counters[name] = counters.get(name, 0) + 1
        return VectorClock._trusted(counters)

    def merge(self, other: VectorClock) -> VectorClock:
        """A new clock, the element-wise maximum of this one and ``other``.

        Examples
        --------
        >>> VectorClock({"P1": 3, "P2": 1}).merge(VectorClock({"P2": 4}))
        VectorClock({'P1': 3, 'P2': 4})
        """
        if not isinstance(other, VectorClock):
            raise TypeError(f"can only merge with a VectorClock, got {type(other).__name__}")
        counters = dict(self._counters)
        for name, count in other._counters.items():
            if count > counters.get(name, 0):
                counters[name] = count
        return VectorClock._trusted(counters)

    def concurrent_with(self, other: VectorClock) -> bool:
        """True if neither clock is ≤ the other (the events are concurrent, a ∥ b).

        Examples
        --------
        >>> VectorClock({"P1": 1}).concurrent_with(VectorClock({"P2": 1}))
        True
        >>> VectorClock({"P1": 1}).concurrent_with(VectorClock({"P1": 1}))
        False
        """
        if not isinstance(other, VectorClock):
            raise TypeError(f"can only compare with a VectorClock, got {type(other).__name__}")
        return not self._le(other) and not other._le(self)

    def _le(self, other: VectorClock) -> bool:
        theirs = other._counters
        return all(count <= theirs.get(name, 0) for name, count in self._counters.items())

    def __le__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return self._le(other)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return self._counters != other._counters and self._le(other)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return other._le(self)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return self._counters != other._counters and other._le(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return self._counters == other._counters

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, VectorClock):
            return NotImplemented
        return self._counters != other._counters

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._counters.items()))
        return self._hash

    # -- conversions -------------------------------------------------------------------

    def to_json(self) -> dict[str, int]:
        """The non-zero entries as a JSON object (what a ShiViz log line carries).

        Examples
        --------
        >>> VectorClock({"b": 2, "a": 1}).to_json()
        {'a': 1, 'b': 2}
        """
        return dict(self._counters)

    @classmethod
    def from_json(cls, data: object) -> VectorClock:
        """Build a clock from a JSON object of name → whole number ≥ 0.

        Raises
        ------
        ValueError
            If ``data`` is not such an object.

        Examples
        --------
        >>> VectorClock.from_json({"P1": 2, "P2": 0})
        VectorClock({'P1': 2})
        >>> VectorClock.from_json([1, 2])
        Traceback (most recent call last):
        ...
        ValueError: a vector clock must be a JSON object of process name to counter, got list
        """
        if not isinstance(data, dict):
            raise ValueError(
                "a vector clock must be a JSON object of process name to counter, "
                f"got {type(data).__name__}"
            )
        return cls(data)

    def format(self, order: Sequence[str] | None = None) -> str:
        """The clock as ``[P1:2, P2:0, P3:0]``, listing ``order`` (zeros included).

        Without ``order`` only the non-zero entries are listed, in name order.

        Examples
        --------
        >>> VectorClock({"P2": 1}).format(["P1", "P2"])
        '[P1:0, P2:1]'
        """
        names = list(order) if order is not None else list(self._counters)
        return "[" + ", ".join(f"{n}:{self._counters.get(n, 0)}" for n in names) + "]"


class Stamp(NamedTuple):
    """The timestamps of one event: its vector clock and its Lamport clock."""

    vector: VectorClock
    lamport: int


class Process:
    """One process P_i with its Lamport clock C_i and its vector clock V_i.

    Each ``*_event`` method records one event and returns its :class:`Stamp`.

    - local and send events (IR1): ``C_i += 1`` and ``V_i[i] += 1``; a send's stamp
      travels with the message (IR2 (a));
    - receive events (IR2 (b)): ``C_i = max(C_i, T_m) + 1`` and
      ``V_i = max(V_i, V_m)`` element-wise, *then* ``V_i[i] += 1``.

    Parameters
    ----------
    name : str
        The process name (see :func:`check_process_name`).

    Examples
    --------
    >>> p = Process("P1")
    >>> p.local_event()
    Stamp(vector=VectorClock({'P1': 1}), lamport=1)
    >>> p.receive_event(Stamp(VectorClock({"P2": 3}), 7))
    Stamp(vector=VectorClock({'P1': 2, 'P2': 3}), lamport=8)
    >>> p.events
    2
    """

    def __init__(self, name: str) -> None:
        self.name = check_process_name(name)
        self.clock = VectorClock()
        self.lamport = 0
        self.events = 0

    def _tick(self, vector: VectorClock, lamport: int) -> Stamp:
        counters = dict(vector._counters)
        counters[self.name] = counters.get(self.name, 0) + 1
        self.clock = VectorClock._trusted(counters)
        self.lamport = lamport
        self.events += 1
        return Stamp(self.clock, self.lamport)

    def local_event(self) -> Stamp:
        """A local event: IR1 for both clocks."""
        return self._tick(self.clock, self.lamport + 1)

    def send_event(self) -> Stamp:
        """A send event: IR1; the returned stamp is the message's timestamp."""
        return self._tick(self.clock, self.lamport + 1)

    def receive_event(self, message: Stamp) -> Stamp:
        """A receive event: merge with the message's clocks, then increment (IR2)."""
        return self._tick(self.clock.merge(message.vector), max(self.lamport, message.lamport) + 1)
