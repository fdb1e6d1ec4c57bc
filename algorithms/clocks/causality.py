"""Happened-before queries over one logged execution, from its vector clocks.

Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System",
Communications of the ACM 21(7), 1978, defines *happened before* (→); Fidge,
"Timestamps in Message-Passing Systems That Preserve the Partial Ordering", ACSC 1988,
and Mattern, "Virtual Time and Global States of Distributed Systems", 1989, show that
vector clocks characterise it exactly: a → b iff V(a) < V(b). :class:`CausalIndex`
answers each query with one look-up, and gives Lamport's clocks and total order ⇒.

Examples
--------
>>> from typing import NamedTuple
>>> class Logged(NamedTuple):
...     host: str
...     clock: VectorClock
>>> ix = CausalIndex([Logged("a", VectorClock({"a": 1})), Logged("b", VectorClock({"a": 1, "b": 1}))])
>>> ix.happens_before(0, 1), ix.lamport
(True, [1, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from algorithms.clocks.clock import VectorClock

__all__ = ["CausalEventLike", "CausalIndex"]


class CausalEventLike(Protocol):
    """Anything with a ``host`` and a vector ``clock`` (a ShiViz event, for one)."""

    @property
    def host(self) -> str: ...

    @property
    def clock(self) -> VectorClock: ...


class CausalIndex:
    """Happened-before queries over one execution, answered from its vector clocks.

    Events are referred to by their position in ``events``. For events a ≠ b,
    a → b iff ``V(a)[host(a)] <= V(b)[host(a)]``: b knows of a's host at least as
    many events as a's own position on it (Fidge 1988; Mattern 1989). That is one
    dictionary look-up per query, O(1).

    The index trusts that the clocks are genuine vector clocks of one execution,
    as :func:`algorithms.clocks.shiviz.parse_shiviz` and the lab engine guarantee: each
    host's events are numbered 1, 2, ... by their own entry. It checks that and
    refuses anything else with ValueError.

    Parameters
    ----------
    events : sequence of objects with ``host`` and ``clock``
        One execution, in any order.

    Examples
    --------
    >>> from algorithms.clocks.shiviz import ShiVizEvent
    >>> e = [
    ...     ShiVizEvent("a", VectorClock({"a": 1}), "a sends m", 3),
    ...     ShiVizEvent("b", VectorClock({"b": 1}), "b works alone", 5),
    ...     ShiVizEvent("b", VectorClock({"a": 1, "b": 2}), "b receives m", 7),
    ... ]
    >>> ix = CausalIndex(e)
    >>> ix.happens_before(0, 2), ix.happens_before(2, 0), ix.concurrent(0, 1)
    (True, False, True)
    >>> ix.past(2), ix.future(0), ix.concurrent_with(1)
    ([0, 1], [2], [0])
    >>> ix.lamport, ix.total_order()
    ([1, 1, 2], [0, 1, 2])
    >>> ix.receives_from(2)
    [0]
    """

    def __init__(self, events: Sequence[CausalEventLike]) -> None:
        n = len(events)
        self.hosts: list[str] = []
        self._host: list[str] = [""] * n
        self._own: list[int] = [0] * n
        self._clock: list[dict[str, int]] = [{}] * n
        by_host: dict[str, dict[int, int]] = {}
        for i, event in enumerate(events):
            host, clock = event.host, event.clock
            if not isinstance(clock, VectorClock):
                raise ValueError(f"event {i} has no VectorClock")
            own = clock[host]
            if own < 1:
                raise ValueError(f"event {i}: host {host!r} is missing from its own clock")
            slots = by_host.get(host)
            if slots is None:
                slots = by_host[host] = {}
                self.hosts.append(host)
            if own in slots:
                raise ValueError(f"events {slots[own]} and {i} are both {host}'s event {own}")
            slots[own] = i
            self._host[i], self._own[i], self._clock[i] = host, own, clock._counters
        self._on_host: dict[str, list[int]] = {}
        for host, slots in by_host.items():
            if max(slots) != len(slots):
                raise ValueError(f"host {host!r}'s events are not numbered 1 to {len(slots)}")
            self._on_host[host] = [slots[k] for k in range(1, len(slots) + 1)]
        self._lamport: list[int] | None = None

    def __len__(self) -> int:
        return len(self._host)

    def events_on(self, host: str) -> list[int]:
        """The events of ``host`` in their order on it."""
        return list(self._on_host.get(host, []))

    def happens_before(self, a: int, b: int) -> bool:
        """a → b: a is in the causal past of b (false when a == b)."""
        return a != b and self._clock[b].get(self._host[a], 0) >= self._own[a]

    def concurrent(self, a: int, b: int) -> bool:
        """a ∥ b: distinct events, neither happened before the other."""
        return a != b and not self.happens_before(a, b) and not self.happens_before(b, a)

    def past(self, e: int) -> list[int]:
        """Every event that happened before ``e``, in position order."""
        out: list[int] = []
        for host, count in self._clock[e].items():
            on_host = self._on_host.get(host, [])
            out.extend(on_host[:count])
        out.remove(e)
        return sorted(out)

    def future(self, e: int) -> list[int]:
        """Every event that ``e`` happened before, in position order."""
        return [f for f in range(len(self._host)) if self.happens_before(e, f)]

    def concurrent_with(self, e: int) -> list[int]:
        """Every event concurrent with ``e``, in position order."""
        return [f for f in range(len(self._host)) if self.concurrent(e, f)]

    def receives_from(self, e: int) -> list[int]:
        """The events on other hosts whose messages ``e`` receives (its direct causes).

        These are the events whose knowledge first reaches ``e``'s host at ``e``,
        minus any already implied by another of them (as ShiViz draws its arrows).
        """
        host, clock = self._host[e], self._clock[e]
        own = self._own[e]
        before = self._clock[self._on_host[host][own - 2]] if own > 1 else {}
        candidates = [
            self._event_at(g, k) for g, k in clock.items() if g != host and k > before.get(g, 0)
        ]
        direct = [
            c
            for c in candidates
            if not any(d != c and self.happens_before(c, d) for d in candidates)
        ]
        return sorted(direct)

    def _event_at(self, host: str, count: int) -> int:
        on_host = self._on_host.get(host)
        if on_host is None or count > len(on_host):
            raise ValueError(f"a clock names {host}'s event {count}, which does not exist")
        return on_host[count - 1]

    @property
    def lamport(self) -> list[int]:
        """Each event's Lamport clock (IR1 and IR2, computed along happened-before)."""
        if self._lamport is None:
            n = len(self._host)
            # The sum of a vector clock grows along every → edge: a topological order.
            order = sorted(range(n), key=lambda i: sum(self._clock[i].values()))
            lamport = [0] * n
            for e in order:
                own = self._own[e]
                prev = lamport[self._on_host[self._host[e]][own - 2]] if own > 1 else 0
                sources = [lamport[s] for s in self.receives_from(e)]
                lamport[e] = max([prev, *sources]) + 1
            self._lamport = lamport
        return list(self._lamport)

    def total_order(self, process_order: Sequence[str] | None = None) -> list[int]:
        """Lamport's total order ⇒: by (Lamport clock, process), as positions.

        ``process_order`` is the arbitrary fixed order of the processes that breaks
        ties; by default the order in which hosts first appear.
        """
        order = list(process_order) if process_order is not None else self.hosts
        rank = {name: r for r, name in enumerate(order)}
        missing = [h for h in self.hosts if h not in rank]
        if missing:
            raise ValueError(f"process_order must name every host; missing {missing}")
        lamport = self.lamport
        return sorted(range(len(self._host)), key=lambda i: (lamport[i], rank[self._host[i]]))
