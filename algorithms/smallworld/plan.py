"""The lab's graph at every version: its decisions, fixed at the start, and its measures.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998), rewire the ring lattice one edge at a time, lap by lap. Every decision is drawn
when the engine starts, so the graph after ``done`` decisions is a pure function of
``done``: a :class:`GraphPlan` holds the decisions (read-only arrays, shared by every
copy of the engine) and answers, for any ``done``, the edges, the measures ``C``, ``L``
and the degrees, the neighbour lists and the picture the view draws. The engine keeps
those answers in a :class:`~algorithms.smallworld.memo.VersionMemo` keyed by ``done``;
every value here is immutable, so it can be kept there.

Examples
--------
>>> import random
>>> plan = GraphPlan.ring_model(12, 4, 0.5, random.Random(3), remove=True)
>>> plan.total, plan.decision(0)
(24, Rewiring(lap=1, node=0, old=1, new=8))
>>> round(plan.measure(0).C, 3), round(plan.measure(plan.total).C, 3)
(0.5, 0.424)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, NamedTuple

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

from algorithms.smallworld.generators import Rewiring, _apply_changes, _decide
from algorithms.smallworld.limits import IntArray
from algorithms.smallworld.memo import frozen_array
from algorithms.smallworld.metrics import (
    _clustering_values,
    _path_sums,
    _PathSums,
    _prepare,
    _ring_prepared,
)

__all__ = ["GraphPlan", "Measures", "Picture"]

Neighbours = tuple[tuple[int, ...], ...]


class Measures(NamedTuple):
    """What the lab measures on one version of the graph (all immutable).

    Attributes
    ----------
    C : float
        The clustering coefficient (Watts & Strogatz 1998).
    local : numpy.ndarray
        Each node's local clustering ``C_v`` (read-only).
    degree : numpy.ndarray
        Each node's degree (read-only).
    sums : _PathSums
        Path-length sums over all pairs and within the largest component, for ``L``.
    """

    C: float
    local: Any
    degree: Any
    sums: _PathSums


Edges = tuple[tuple[int, int], ...]


class Picture(NamedTuple):
    """What the view draws: sorted edges ``u < v``, the shortcuts, the degree histogram.

    Tuples, built once per version: ``state()`` hands out these very objects, so a
    frame encoder that remembers what it sent last can skip 50,000 unchanged edges.
    """

    edges: Edges
    shortcuts: Edges  # edges that are not lattice edges (ring models; else empty)
    degree_histogram: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GraphPlan:
    """Every decision of one lab graph, and the graph after any number of them.

    Parameters
    ----------
    n : int
        Nodes.
    h : int
        Half the lattice degree (``k/2``).
    ring : bool
        True for the ring models (decisions applied one by one), False for a graph
        built whole (Erdos-Renyi, Barabasi-Albert).
    remove : bool
        True when a decision moves the edge (Watts-Strogatz), False when it adds a
        shortcut beside it (Newman-Watts).
    ids, far : numpy.ndarray
        The decisions that change something: edge ``ids[i] = (lap-1)*n + node`` gets
        far end ``far[i]``; read-only, in decision order.
    static : tuple of two arrays, or None
        The edges of a graph built whole (read-only), None for the ring models.
    """

    n: int
    h: int
    ring: bool
    remove: bool
    ids: Any
    far: Any
    static: tuple[Any, Any] | None

    @classmethod
    def ring_model(cls, n: int, k: int, p: float, rng: random.Random, remove: bool) -> GraphPlan:
        """The decisions of the rewiring (``remove``) or shortcut procedure, drawn now.

        Examples
        --------
        >>> plan = GraphPlan.ring_model(8, 4, 0.0, random.Random(1), remove=True)
        >>> plan.total, len(plan.ids)
        (16, 0)
        """
        ids, far = _decide(n, k, p, rng, remove=remove)
        return cls(n, k // 2, True, remove, frozen_array(ids), frozen_array(far), None)

    @classmethod
    def whole(cls, n: int, k: int, G: nx.Graph) -> GraphPlan:
        """A graph built whole (no decisions to step through).

        Examples
        --------
        >>> GraphPlan.whole(3, 2, nx.path_graph(3)).arrays(0)[1].tolist()
        [1, 2]
        """
        arr = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
        empty = frozen_array(np.zeros(0, dtype=np.int64))
        static = (frozen_array(arr[:, 0]), frozen_array(arr[:, 1]))
        return cls(n, k // 2, False, False, empty, empty, static)

    def __deepcopy__(self, memo: dict[int, Any]) -> GraphPlan:
        # Immutable (frozen, read-only arrays): copies of the engine share it.
        return self

    def __copy__(self) -> GraphPlan:
        return self

    @property
    def total(self) -> int:
        """How many decisions there are: one per lattice edge, ``n k / 2`` (0 if whole)."""
        return self.n * self.h if self.ring else 0

    def decision(self, index: int) -> Rewiring:
        """The ``index``-th decision, in the paper's lap-by-lap order."""
        lap, node = divmod(index, self.n)
        j = int(np.searchsorted(self.ids, index))
        new = int(self.far[j]) if j < len(self.ids) and int(self.ids[j]) == index else None
        return Rewiring(lap + 1, node, (node + lap + 1) % self.n, new)

    def applied(self, done: int) -> int:
        """How many changes (moved far ends or shortcuts) the first ``done`` decisions made."""
        return int(np.searchsorted(self.ids, done))

    def arrays(self, done: int) -> tuple[IntArray, IntArray]:
        """The edges ``(eu, ev)`` after ``done`` decisions."""
        if self.static is not None:
            return self.static
        j = self.applied(done)
        return _apply_changes(self.n, 2 * self.h, self.ids[:j], self.far[:j], self.remove)

    def is_lattice_edge(self, u: int, v: int) -> bool:
        """True if ``u`` and ``v`` are at most ``k/2`` apart around the ring."""
        d = (v - u) % self.n
        return min(d, self.n - d) <= self.h

    def ring_hops(self, u: int, v: int) -> int:
        """Hops from ``u`` to ``v`` on the ring lattice alone: ``ceil(distance / (k/2))``."""
        d = (v - u) % self.n
        return -(-min(d, self.n - d) // self.h)

    # -- what a version measures and shows (immutable, for the memo) ----------------------

    def measure(self, done: int) -> Measures:
        """C, the local clustering, the degrees and the path sums after ``done`` decisions."""
        n = self.n
        if self.ring:
            j = self.applied(done)
            g = _ring_prepared(n, 2 * self.h, self.ids[:j], self.far[:j], self.remove)
        else:
            eu, ev = self.arrays(done)
            g = _prepare(n, eu, ev, None)
        local = _clustering_values(g)
        sums = _path_sums(g)  # last: it may reuse the adjacency buffer of g
        degree = np.bincount(g.eu, minlength=n) + np.bincount(g.ev, minlength=n)
        c = float(math.fsum(local.tolist()) / n)
        return Measures(c, frozen_array(local), frozen_array(degree), sums)

    def neighbours(self, done: int) -> Neighbours:
        """Each node's neighbours, sorted, after ``done`` decisions."""
        eu, ev = self.arrays(done)
        src = np.concatenate([eu, ev])
        dst = np.concatenate([ev, eu])
        order = np.lexsort((dst, src))
        cuts = np.cumsum(np.bincount(src, minlength=self.n))[:-1]
        return tuple(tuple(part.tolist()) for part in np.split(dst[order], cuts))

    def picture(self, done: int) -> Picture:
        """Sorted edges, shortcuts and degree histogram after ``done`` decisions."""
        n = self.n
        eu, ev = self.arrays(done)
        lo, hi = np.minimum(eu, ev), np.maximum(eu, ev)
        order = np.lexsort((hi, lo))
        edges = np.stack([lo[order], hi[order]], axis=1)
        gap = edges[:, 1] - edges[:, 0]
        across = np.minimum(gap, n - gap) > self.h
        degree = np.bincount(np.concatenate([eu, ev]), minlength=n)
        counts = np.bincount(degree)
        shortcuts = _pairs(edges[across]) if self.ring else ()
        histogram = tuple((d, c) for d, c in enumerate(counts.tolist()) if c)
        return Picture(_pairs(edges), shortcuts, histogram)


def _pairs(rows: IntArray) -> Edges:
    return tuple(map(tuple, rows.tolist()))
