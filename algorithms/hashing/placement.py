"""The keys that move when the ring changes, found arc by arc (Karger et al. 1997).

Karger, Lehman, Leighton, Panigrahy, Levine and Lewin, "Consistent Hashing and Random
Trees", STOC 1997: adding or removing a cache moves only the items of the arcs that
change hands, about 1/(n+1) of them on a join. :class:`KeyPlacement` keeps the keys'
positions sorted, so the keys of an arc are counted by bisection and a membership
change costs ``O(tokens log keys + moved)``, not a pass over every key (DeCandia et
al., "Dynamo", SOSP 2007, §4.2).

Examples
--------
>>> ring = HashRing(vnodes=8, nodes=["A", "B", "C"])
>>> placement = KeyPlacement(f"key-{i}" for i in range(1000))
>>> moves = placement.moves_on_join(ring, "D")
>>> set(moves.by_target()), 0 < moves.moved < 1000
({'D'}, True)
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from algorithms.hashing.ring import (
    HASH_SPACE,
    ArcMap,
    HashRing,
    key_position,
)

__all__ = ["MAX_PLACEMENT_KEYS", "ArcMove", "KeyMoves", "KeyPlacement"]

MAX_PLACEMENT_KEYS = 10_000_000
"""Most keys one :class:`KeyPlacement` holds."""

_SORT_PIECE = 8_192


@dataclass(frozen=True)
class ArcMove:
    """Keys of one arc ``(start, end]`` that change owner from ``source`` to ``target``.

    ``lo`` is the index (in a :class:`KeyPlacement`'s sorted order) of the first key in
    the arc; the ``count`` keys are at indices ``(lo + j) % len(placement)``. ``None``
    as source or target means no node (an empty ring).

    Examples
    --------
    >>> from algorithms.hashing.ring import fraction_to_position
    >>> ring = HashRing(vnodes=1)
    >>> ring.add_node("A", tokens=[0.5])
    >>> placement = KeyPlacement(["k1", "k2", "k3"])
    >>> arcs = placement.moves_on_join(ring, "B", tokens=[0.0]).arcs
    >>> [(a.source, a.target, a.start == fraction_to_position(0.5), a.end) for a in arcs]
    [('A', 'B', True, 0)]
    """

    start: int
    end: int
    source: str | None
    target: str | None
    lo: int
    count: int


@dataclass(frozen=True)
class KeyMoves:
    """Every key that changes owner between two arc maps.

    Examples
    --------
    >>> moves = KeyMoves((ArcMove(0, 5, "A", "E", 0, 3), ArcMove(9, 12, "C", "E", 3, 4)), 10)
    >>> moves.moved, moves.by_source(), moves.by_target()
    (7, {'A': 3, 'C': 4}, {'E': 7})
    """

    arcs: tuple[ArcMove, ...]
    total: int

    @property
    def moved(self) -> int:
        """How many keys move."""
        return sum(a.count for a in self.arcs)

    def by_source(self) -> dict[str, int]:
        """Keys leaving each node (source None, keys with no owner before, left out)."""
        out: dict[str, int] = {}
        for a in self.arcs:
            if a.source is not None and a.count:
                out[a.source] = out.get(a.source, 0) + a.count
        return out

    def by_target(self) -> dict[str, int]:
        """Keys arriving at each node (target None left out)."""
        out: dict[str, int] = {}
        for a in self.arcs:
            if a.target is not None and a.count:
                out[a.target] = out.get(a.target, 0) + a.count
        return out

    def pairs(self) -> dict[tuple[str | None, str | None], int]:
        """Keys moved for each ``(source, target)`` pair."""
        out: dict[tuple[str | None, str | None], int] = {}
        for a in self.arcs:
            if a.count:
                out[a.source, a.target] = out.get((a.source, a.target), 0) + a.count
        return out

    def key_indices(self) -> Iterator[tuple[int, str | None]]:
        """``(index, target)`` of every moved key, index in the placement's sorted order."""
        total = self.total
        for a in self.arcs:
            for j in range(a.lo, a.lo + a.count):
                yield j % total, a.target


class KeyPlacement:
    """Key positions kept sorted, so keys can be counted and moved arc by arc.

    Which keys move when the ring changes is decided by arcs, not by keys: only the
    arcs whose owner changes are searched (two binary searches each), so a join of a
    node with ``T`` tokens costs ``O(T log keys)`` to find the moves plus ``O(moved)``
    to list them, whatever the number of keys.

    Parameters
    ----------
    keys : iterable of str or bytes
        Keys to place (hashed with MD5, as :func:`key_position`).

    Examples
    --------
    >>> ring = HashRing(8, ["A", "B", "C", "D"])
    >>> placement = KeyPlacement(f"key-{i}" for i in range(1000))
    >>> moves = placement.moves_on_join(ring, "E")
    >>> set(moves.by_target()) == {"E"}
    True
    >>> after = ring.copy(); after.add_node("E")
    >>> moves.moved == sum(ring.node_for(f"key-{i}") != after.node_for(f"key-{i}")
    ...                    for i in range(1000))
    True
    """

    def __init__(self, keys: Iterable[str | bytes] = ()) -> None:
        self._positions: list[int] = []
        self.add(keys)

    @classmethod
    def from_positions(cls, positions: Iterable[int]) -> KeyPlacement:
        """A placement of precomputed positions (ints in ``[0, 2**128)``)."""
        placement = cls()
        placement.add_positions(positions)
        return placement

    @property
    def positions(self) -> list[int]:
        """The sorted key positions (shared; do not modify)."""
        return self._positions

    def __len__(self) -> int:
        return len(self._positions)

    def add(self, keys: Iterable[str | bytes]) -> None:
        """Hash and add keys."""
        self.add_positions(key_position(k) for k in keys)

    def add_positions(self, positions: Iterable[int]) -> None:
        """Add precomputed positions (at most :data:`MAX_PLACEMENT_KEYS` in all)."""
        new = list(positions)
        if len(self._positions) + len(new) > MAX_PLACEMENT_KEYS:
            raise ValueError(f"a placement holds at most {MAX_PLACEMENT_KEYS} keys")
        for p in new:
            if not 0 <= p < HASH_SPACE:
                raise ValueError(f"a position must be in [0, 2**128), got {p}")
        # Sorted in pieces and merged, rather than one sort of up to 100,000 big ints:
        # one C-level sort holds the GIL for ~50 ms, which stalls a server's event loop
        # while the engine runs in a worker thread; heapq.merge lets other threads in.
        pieces = [sorted(new[i : i + _SORT_PIECE]) for i in range(0, len(new), _SORT_PIECE)]
        self._positions = list(heapq.merge(self._positions, *pieces))

    def count_between(self, start: int, end: int) -> int:
        """Keys in the arc ``(start, end]``, clockwise, wrapping; ``start == end`` is the ring."""
        positions = self._positions
        lo = bisect_right(positions, start)
        hi = bisect_right(positions, end)
        return hi - lo if start < end else len(positions) - lo + hi

    def counts(self, arc_map: ArcMap, nodes: Iterable[str] = ()) -> dict[str, int]:
        """Keys held by each owner of ``arc_map`` (``nodes`` listed first, with 0 if none)."""
        out = dict.fromkeys(nodes, 0)
        for start, end, owner in arc_map.arcs():
            out[owner] = out.get(owner, 0) + self.count_between(start, end)
        return out

    def moves(self, old: ArcMap, new: ArcMap) -> KeyMoves:
        """Every key whose owner differs between arc maps ``old`` and ``new``.

        The union of both maps' boundaries cuts the ring into elementary arcs with one
        owner on each side; only arcs whose owner changes are searched for keys.
        """
        bounds = sorted(set(old.positions) | set(new.positions))
        positions = self._positions
        total = len(positions)
        out: list[ArcMove] = []
        prev = bounds[-1] if bounds else 0
        for b in bounds:
            source = old.owner_at(b)
            target = new.owner_at(b)
            if source != target:
                lo = bisect_right(positions, prev)
                hi = bisect_right(positions, b)
                count = hi - lo if prev < b else total - lo + hi
                out.append(ArcMove(prev, b, source, target, lo, count))
            prev = b
        return KeyMoves(tuple(out), total)

    def moves_on_join(
        self,
        ring: HashRing,
        name: str,
        tokens: Sequence[float | Fraction] | None = None,
        *,
        positions: Sequence[int] | None = None,
    ) -> KeyMoves:
        """The keys that move if node ``name`` joined ``ring`` (the ring is not changed).

        Every moved key goes to ``name`` and comes from the clockwise successor of one
        of its new tokens (Karger et al. 1997, the monotone property).
        """
        after = ring.copy()
        after.add_node(name, tokens, positions=positions)
        return self.moves(ring.arc_map(), after.arc_map())

    def moves_on_leave(self, ring: HashRing, name: str) -> KeyMoves:
        """The keys that move if node ``name`` left ``ring``: exactly the keys it held."""
        after = ring.copy()
        after.remove_node(name)
        return self.moves(ring.arc_map(), after.arc_map())
