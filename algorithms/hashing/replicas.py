"""Which replicas move when the ring changes, not only which coordinators (Dynamo §4.3, §4.9).

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007. A key
is stored on the N nodes of its preference list (§4.3): its coordinator, the first node
clockwise, and the next N-1 distinct nodes. So a membership change moves more than the
coordinators' keys. §4.9's own example: when X joins between A and B (N = 3), X takes
the ranges (F, G], (G, A] and (A, X], and B, C and D each hand one of them over. Under
the same rule, when B leaves a ring A..G, C, D and E each gain a range to replicate.

:func:`replica_moves` compares the preference lists of every key before and after a
change and counts, per node, the keys it starts or stops storing as one of the N
replicas. It works arc by arc, like :meth:`KeyPlacement.moves`: the boundaries of both
schemes cut the ring into arcs with one preference list each side, so the cost is one
preference-list walk per token or partition, whatever the number of keys.

Examples
--------
>>> from algorithms.hashing.strategies import PartitionScheme
>>> from algorithms.hashing.ring import HASH_SPACE
>>> tokens = {name: [j * HASH_SPACE // 7] for j, name in enumerate("ABCDEFG")}
>>> before = PartitionScheme.from_tokens(1, tokens)
>>> after = PartitionScheme.from_tokens(1, {k: v for k, v in tokens.items() if k != "B"})
>>> keys = KeyPlacement.from_positions(j * HASH_SPACE // 70 + 1 for j in range(70))
>>> moves = replica_moves(before, after, 3, keys)  # B leaves, N = 3
>>> moves.gained, moves.lost
({'C': 10, 'D': 10, 'E': 10}, {'B': 30})
>>> [(r.before, r.after) for r in moves.ranges]  # (G, A], (A, B], (F, G]
[(('A', 'B', 'C'), ('A', 'C', 'D')), (('B', 'C', 'D'), ('C', 'D', 'E')), (('G', 'A', 'B'), ('G', 'A', 'C'))]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from algorithms.hashing.placement import KeyPlacement
from algorithms.hashing.ring import position_to_fraction
from algorithms.hashing.strategies import PartitionScheme, partition_of

__all__ = ["MAX_LISTED_RANGES", "ReplicaMoves", "ReplicaRange", "replica_moves"]

MAX_LISTED_RANGES = 50
"""Changed ranges listed in :meth:`ReplicaMoves.to_json`; ``range_count`` gives them all."""


@dataclass(frozen=True)
class ReplicaRange:
    """An arc ``(start, end]`` whose preference list changes, with the keys in it.

    ``before`` and ``after`` are the preference lists (coordinator first).
    """

    start: int
    end: int
    before: tuple[str, ...]
    after: tuple[str, ...]
    count: int

    @property
    def gained(self) -> tuple[str, ...]:
        """Nodes that start storing this arc's keys."""
        return tuple(n for n in self.after if n not in self.before)

    @property
    def lost(self) -> tuple[str, ...]:
        """Nodes that stop storing this arc's keys."""
        return tuple(n for n in self.before if n not in self.after)


@dataclass(frozen=True)
class ReplicaMoves:
    """Per node, the keys it starts (``gained``) or stops (``lost``) storing as a replica.

    Nodes with no such key are left out of ``gained`` and ``lost``. A key counts once for each node that gains or loses it; a key whose preference list
    only changes order (a replica becoming coordinator) moves no data and is not counted.
    ``copies`` is the number of (key, node) copies to make.
    """

    n: int
    ranges: tuple[ReplicaRange, ...]
    gained: dict[str, int]
    lost: dict[str, int]

    @property
    def copies(self) -> int:
        """Key replicas that have to be copied to a new holder."""
        return sum(self.gained.values())

    def ranges_gained(self) -> dict[str, int]:
        """How many changed ranges (non-empty or not) each node starts storing."""
        out: dict[str, int] = {}
        for r in self.ranges:
            for node in r.gained:
                out[node] = out.get(node, 0) + 1
        return out

    def ranges_lost(self) -> dict[str, int]:
        """How many changed ranges each node stops storing."""
        out: dict[str, int] = {}
        for r in self.ranges:
            for node in r.lost:
                out[node] = out.get(node, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        """The lab's ``last_move["replicas"]`` object (ranges as fractions of the ring)."""
        return {
            "n": self.n,
            "copies": self.copies,
            "gained": dict(self.gained),
            "lost": dict(self.lost),
            "ranges_gained": self.ranges_gained(),
            "ranges_lost": self.ranges_lost(),
            "range_count": len(self.ranges),
            "ranges": [
                {
                    "start": position_to_fraction(r.start),
                    "end": position_to_fraction(r.end),
                    "before": list(r.before),
                    "after": list(r.after),
                    "keys": r.count,
                }
                for r in self.ranges[:MAX_LISTED_RANGES]
            ],
        }


def _preference_at(scheme: PartitionScheme, n: int) -> Callable[[int], tuple[str, ...]]:
    """``scheme.preference_list_at`` memoised by token (or partition): one walk each."""
    cache: dict[int, tuple[str, ...]] = {}
    by_partition = bool(scheme.q and len(scheme.ring))

    def at(position: int) -> tuple[str, ...]:
        slot = partition_of(position, scheme.q) if by_partition else scheme.ring.index_at(position)
        found = cache.get(slot)
        if found is None:
            found = cache[slot] = tuple(scheme.preference_list_at(position, n))
        return found

    return at


def replica_moves(
    old: PartitionScheme, new: PartitionScheme, n: int, placement: KeyPlacement
) -> ReplicaMoves:
    """The replicas that move between two placements with replication factor ``n``.

    Parameters
    ----------
    old, new : PartitionScheme
        The placement before and after the change (any strategy, Dynamo §6.2).
    n : int
        The replication factor N (1 gives the coordinators' moves only).
    placement : KeyPlacement
        The keys.

    Returns
    -------
    ReplicaMoves
        The arcs whose preference list changes, merged where neighbours change the
        same way, and per node the keys gained and lost.

    Examples
    --------
    >>> from algorithms.hashing.strategies import strategy_1
    >>> keys = KeyPlacement(f"k{i}" for i in range(300))
    >>> before, after = strategy_1("ABCD", 1), strategy_1("ABCDX", 1)
    >>> moves = replica_moves(before, after, 1, keys)  # N = 1: the coordinators' moves
    >>> list(moves.gained), moves.copies == sum(moves.lost.values())
    (['X'], True)
    >>> len(replica_moves(before, after, 3, keys).lost) > 1  # N = 3: several nodes hand over
    True
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    bounds = sorted(
        set(old.ring.positions)
        | set(new.ring.positions)
        | set(old.ownership.positions)
        | set(new.ownership.positions)
    )
    before_at, after_at = _preference_at(old, n), _preference_at(new, n)
    positions = placement.positions
    total = len(positions)
    merged: list[list[Any]] = []
    prev = bounds[-1] if bounds else 0
    for b in bounds:
        before, after = before_at(b), after_at(b)
        if set(before) != set(after):
            lo = bisect_right(positions, prev)
            hi = bisect_right(positions, b)
            count = hi - lo if prev < b else total - lo + hi
            last = merged[-1] if merged else None
            if last is not None and last[1] == prev and (last[2], last[3]) == (before, after):
                last[1] = b
                last[4] += count
            else:
                merged.append([prev, b, before, after, count])
        prev = b
    if len(merged) > 1 and merged[0][0] == merged[-1][1]:
        first, last = merged[0], merged[-1]
        if (first[2], first[3]) == (last[2], last[3]):  # one range across the wrap
            last[1] = first[1]
            last[4] += first[4]
            merged.pop(0)
    ranges = tuple(ReplicaRange(s, e, b, a, c) for s, e, b, a, c in merged)
    gained: dict[str, int] = {}
    lost: dict[str, int] = {}
    for r in ranges:
        if not r.count:
            continue  # an empty range moves no key
        for node in r.gained:
            gained[node] = gained.get(node, 0) + r.count
        for node in r.lost:
            lost[node] = lost.get(node, 0) + r.count
    return ReplicaMoves(n, ranges, dict(sorted(gained.items())), dict(sorted(lost.items())))
