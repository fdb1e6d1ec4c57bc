"""Measures: the clustering coefficient C, the characteristic path length L, degrees.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998), define ``C`` as the mean over nodes of the fraction of a node's neighbour pairs
that are joined, and ``L`` as the number of edges in the shortest path between two
nodes, averaged over all pairs; the ring lattice has ``C(0) = 3(k-2)/(4(k-1))`` and
``L(0)`` about ``n/2k``. Strogatz, "Exploring complex networks", Nature 410:268-276
(2001), contrasts the degree distributions of random, small-world and scale-free graphs.

``C`` and ``L`` are exact, computed by bit-parallel breadth-first search
(:mod:`algorithms.smallworld.bitbfs`) from every node at once.

Examples
--------
>>> from algorithms.smallworld.generators import ring_lattice
>>> lattice = ring_lattice(1000, 10)  # p = 0: the measures are the closed forms
>>> clustering(lattice) == lattice_clustering(10)
True
>>> path_length(lattice) == lattice_path_length(1000, 10)
True
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

from algorithms.engine import CommandError, check_choice, check_int
from algorithms.smallworld import bitbfs
from algorithms.smallworld.generators import _apply_changes
from algorithms.smallworld.limits import (
    DISCONNECTED,
    MAX_NODES,
    IntArray,
    _check_graph,
    _check_k,
    _check_n,
)

__all__ = [
    "clustering",
    "degree_distribution",
    "lattice_clustering",
    "lattice_path_length",
    "path_length",
    "shortest_path",
]


def lattice_clustering(k: int, n: int | None = None) -> float:
    """The ring lattice's clustering ``C(0) = 3(k-2) / (4(k-1))``.

    Watts & Strogatz (1998) note ``C(0)`` tends to 3/4 for large ``k``. The formula holds
    while the neighbourhoods do not wrap around the ring (``n > 3k/2``); given ``n``, the
    value is counted exactly for any ``k < n``.

    Examples
    --------
    >>> lattice_clustering(4), lattice_clustering(10)
    (0.5, 0.6666666666666666)
    >>> lattice_clustering(4, n=5)
    1.0
    """
    if n is None:
        k_ = check_int("k", k, 2, 2 * MAX_NODES)
        if k_ % 2:
            raise CommandError("k", k, "must be even (k/2 neighbours on each side of the ring)")
        return 3 * (k_ - 2) / (4 * (k_ - 1))
    n_ = _check_n(n, 3, MAX_NODES)
    k_ = _check_k(k, n_)
    h = k_ // 2
    if n_ > 3 * h:
        return 3 * (k_ - 2) / (4 * (k_ - 1))
    offsets = [d for d in range(-h, h + 1) if d]
    joined = sum(
        1
        for i, a in enumerate(offsets)
        for b in offsets[i + 1 :]
        if min((b - a) % n_, (a - b) % n_) <= h
    )
    return joined / (k_ * (k_ - 1) / 2)


def lattice_path_length(n: int, k: int) -> float:
    """The ring lattice's characteristic path length ``L(0)``, exactly.

    Two nodes ``c`` steps apart around the ring are ``ceil(c / (k/2))`` hops apart; ``L(0)``
    is the mean over the other ``n-1`` nodes, summed in closed form. (``n/2k``, the
    paper's large-``n`` estimate, is only its approximation.)

    Examples
    --------
    >>> lattice_path_length(6, 2)
    1.8
    >>> lattice_path_length(1000, 10), 1000 / (2 * 10)
    (50.450450450450454, 50.0)
    """
    n_ = _check_n(n, 3, MAX_NODES)
    h = _check_k(k, n_) // 2
    return _lattice_distance_sum(n_, h) / (n_ - 1)


def _lattice_distance_sum(n: int, h: int) -> int:
    """Sum of hop distances from one node to all others in the ring lattice."""
    half = n // 2
    q, s = divmod(half, h)
    up_to_half = h * q * (q + 1) // 2 + s * (q + 1)  # sum of ceil(c/h), c = 1..half
    if n % 2:
        return 2 * up_to_half
    return 2 * up_to_half - (half + h - 1) // h


class _Indexed(NamedTuple):
    nodes: list[Hashable]
    eu: IntArray
    ev: IntArray


def _indexed(G: nx.Graph) -> _Indexed:
    nodes = list(G)
    n = len(nodes)
    if n and all(type(v) is int for v in nodes) and nodes == list(range(n)):
        pairs = [(u, v) for u, v in G.edges() if u != v]
    else:
        index = {v: i for i, v in enumerate(nodes)}
        pairs = [(index[u], index[v]) for u, v in G.edges() if u != v]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return _Indexed(nodes, arr[:, 0].copy(), arr[:, 1].copy())


class _Prepared(NamedTuple):
    """One graph on nodes 0..n-1 ready for C and L: edges, bitset adjacency, ring rows."""

    n: int
    eu: IntArray
    ev: IntArray
    adjacency: Any
    h: int | None  # ring half-width; 0: use plain gathers; None: unknown, let BFS guess
    fix_rows: IntArray | None  # rows off the lattice pattern, when h > 0


def _prepare(n: int, eu: IntArray, ev: IntArray, h: int | None) -> _Prepared:
    ws = _workspace()
    a = bitbfs.bit_matrix(n, eu, ev, ws)
    if h:
        return _Prepared(n, eu, ev, a, h, bitbfs.ring_fix_rows(n, eu, ev, h))
    return _Prepared(n, eu, ev, a, h, None)


def _clustering_values(g: _Prepared) -> Any:
    """Local clustering ``C_v`` for every node (0 for degree < 2), as a float array."""
    n, eu, ev = g.n, g.eu, g.ev
    deg = np.bincount(eu, minlength=n) + np.bincount(ev, minlength=n)
    pairs = deg * (deg - 1)
    ws = _workspace()
    if g.h and g.fix_rows is not None and 2 * len(g.fix_rows) < n:
        # Away from the changed rows every node has the lattice's C_v.
        rows = g.fix_rows
        t2 = bitbfs.triangles_twice(n, eu, ev, g.adjacency, ws, rows)
        values = np.full(n, lattice_clustering(2 * g.h, n))
        values[rows] = np.divide(
            t2[rows], pairs[rows], out=np.zeros(len(rows)), where=pairs[rows] > 0
        )
        return values
    t2 = bitbfs.triangles_twice(n, eu, ev, g.adjacency, ws)
    return np.divide(t2, pairs, out=np.zeros(n), where=pairs > 0)


def clustering(G: nx.Graph) -> float:
    """The clustering coefficient ``C``: the mean over nodes of the local ``C_v``.

    Watts & Strogatz (1998): if node ``v`` has ``k_v`` neighbours, at most
    ``k_v(k_v-1)/2`` edges can exist between them; ``C_v`` is the fraction that do, and
    ``C`` is its average over all nodes. Nodes of degree below 2 count as 0, as in
    networkx's ``average_clustering`` (self-loops are ignored).

    Examples
    --------
    >>> from algorithms.smallworld.generators import ring_lattice
    >>> clustering(nx.complete_graph(5)), clustering(nx.cycle_graph(5))
    (1.0, 0.0)
    >>> clustering(ring_lattice(100, 4)) == lattice_clustering(4)
    True
    """
    g = _check_graph(G)
    ix = _indexed(g)
    n = len(ix.nodes)
    if n == 0:
        raise CommandError("G", "0 nodes", "must have at least one node")
    values = _clustering_values(_prepare(n, ix.eu, ix.ev, None))
    return float(math.fsum(values.tolist()) / n)


def _components(n: int, eu: IntArray, ev: IntArray) -> IntArray:
    """Component label (the smallest node) of every node."""
    label = np.arange(n)
    if len(eu) == 0:
        return label
    while True:  # label propagation: at most diameter-many rounds, each O(m)
        low = np.minimum(label[eu], label[ev])
        new = label.copy()
        np.minimum.at(new, eu, low)
        np.minimum.at(new, ev, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


class _PathSums(NamedTuple):
    total: int  # sum of distances over connected ordered pairs
    pairs: int  # connected ordered pairs (s != v)
    n: int
    components: int
    largest_total: int  # the same, within the largest component
    largest_pairs: int
    largest_n: int


def _path_sums(g: _Prepared) -> _PathSums:
    n, eu, ev = g.n, g.eu, g.ev
    ws = _workspace()
    levels = bitbfs.distance_levels(n, eu, ev, g.h, g.adjacency, ws, g.fix_rows)
    total, pairs = bitbfs.level_sums(levels)
    if pairs == n * (n - 1):
        return _PathSums(total, pairs, n, 1, total, pairs, n)
    label = _components(n, eu, ev)
    sizes = np.bincount(label, minlength=n)
    biggest = int(np.argmax(sizes))  # ties: the component of the smallest node
    keep = label == biggest
    sub_n = int(sizes[biggest])
    renumber = np.cumsum(keep) - 1
    inside = keep[eu]
    sub_levels = bitbfs.distance_levels(
        sub_n, renumber[eu[inside]], renumber[ev[inside]], 0, None, ws
    )
    sub_total, sub_pairs = bitbfs.level_sums(sub_levels)
    count = int(np.count_nonzero(sizes))
    return _PathSums(total, pairs, n, count, sub_total, sub_pairs, sub_n)


def path_length(G: nx.Graph, disconnected: str = "raise") -> float:
    """The characteristic path length ``L``: mean shortest path over ordered pairs.

    Watts & Strogatz (1998): ``L`` is the number of edges in the shortest path between
    two nodes, averaged over all pairs of distinct nodes. Exact, by bit-parallel BFS from
    every node at once; equal to networkx's ``average_shortest_path_length`` to the last
    bit on connected graphs.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, at most 10,000 nodes.
    disconnected : {"raise", "largest_component", "connected_pairs"}
        What to do when ``G`` is disconnected (``L`` is then infinite): raise
        ``ValueError`` (the default, like networkx), average over the pairs of the largest
        component (ties: the one holding the earliest node), or average over all ordered
        pairs that are connected.

    Examples
    --------
    >>> from algorithms.smallworld.generators import ring_lattice
    >>> path_length(nx.path_graph(4))
    1.6666666666666667
    >>> path_length(ring_lattice(12, 4)) == lattice_path_length(12, 4)
    True
    >>> two = nx.disjoint_union(nx.path_graph(3), nx.path_graph(2))
    >>> path_length(two, disconnected="largest_component")
    1.3333333333333333
    >>> path_length(two)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: G must be connected (it has 2 components); pass disconnected='largest_component' or 'connected_pairs', got 'disconnected'
    """
    g = _check_graph(G)
    mode = check_choice("disconnected", disconnected, DISCONNECTED)
    ix = _indexed(g)
    n = len(ix.nodes)
    if n == 0:
        raise CommandError("G", "0 nodes", "must have at least one node")
    if n == 1:
        return 0.0
    sums = _path_sums(_prepare(n, ix.eu, ix.ev, None))
    if sums.components == 1:
        return sums.total / sums.pairs
    if mode == "raise":
        raise CommandError(
            "G",
            "disconnected",
            f"must be connected (it has {sums.components} components); pass "
            "disconnected='largest_component' or 'connected_pairs'",
        )
    if mode == "largest_component":
        return sums.largest_total / sums.largest_pairs if sums.largest_pairs else 0.0
    return sums.total / sums.pairs if sums.pairs else 0.0


def degree_distribution(G: nx.Graph) -> list[tuple[int, int]]:
    """The degree histogram as ``(degree, number of nodes)`` pairs, by increasing degree.

    Strogatz (2001) contrasts the narrow, Poisson-like degrees of random and small-world
    graphs with the power-law tail of scale-free ones.

    Examples
    --------
    >>> degree_distribution(nx.star_graph(3))
    [(1, 3), (3, 1)]
    """
    g = _check_graph(G)
    counts: dict[int, int] = {}
    for _, d in g.degree():
        counts[d] = counts.get(d, 0) + 1
    return sorted(counts.items())


def shortest_path(G: nx.Graph, a: Hashable, b: Hashable) -> list[Hashable]:
    """One shortest path from ``a`` to ``b`` (breadth-first, neighbours in node order).

    Watts & Strogatz (1998) count path length in edges; this is one path achieving it.

    Raises
    ------
    CommandError
        If ``a`` or ``b`` is not a node, or no path joins them.

    Examples
    --------
    >>> from algorithms.smallworld.generators import ring_lattice
    >>> shortest_path(ring_lattice(12, 4), 0, 5)
    [0, 1, 3, 5]
    """
    g = _check_graph(G)
    for name, v in (("a", a), ("b", b)):
        if v not in g:
            raise CommandError(name, v, "must be a node of the graph")
    nodes, nbrs = _neighbour_lists(g)
    index = {v: i for i, v in enumerate(nodes)}
    path = _bfs_path(nbrs, index[a], index[b])
    if path is None:
        raise CommandError("b", b, f"must be reachable from a = {a!r} (no path joins them)")
    return [nodes[i] for i in path]


# -- breadth-first search on neighbour lists --------------------------------------------


def _neighbour_lists(G: nx.Graph) -> tuple[list[Hashable], list[list[int]]]:
    """The nodes, and each node's neighbours as sorted indices (self-loops left out)."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    return nodes, [sorted(index[u] for u in G[v] if u != v) for v in nodes]


def _bfs_path(nbrs: Sequence[Sequence[int]], a: int, b: int) -> list[int] | None:
    """A shortest path from ``a`` to ``b`` over neighbour lists, or None if none joins them.

    Ties go to the neighbour listed first, so sorted lists give the path through the
    smallest nodes.
    """
    parent = {a: a}
    queue = deque([a])
    while queue and b not in parent:
        u = queue.popleft()
        for v in nbrs[u]:
            if v not in parent:
                parent[v] = u
                queue.append(v)
    if b not in parent:
        return None
    path = [b]
    while path[-1] != a:
        path.append(parent[path[-1]])
    path.reverse()
    return path


def _reachable(nbrs: Sequence[Sequence[int]], source: int) -> int:
    """How many nodes (``source`` included) a path joins to ``source``."""
    seen = {source}
    queue = deque([source])
    while queue:
        for v in nbrs[queue.popleft()]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return len(seen)


# -- graphs ready for the bit-parallel measures -----------------------------------------


def _ring_prepared(n: int, k: int, ids: IntArray, far: IntArray, remove: bool) -> _Prepared:
    """A rewired ring lattice ready for C and L, its off-pattern rows found from the changes."""
    eu, ev = _apply_changes(n, k, ids, far, remove)
    # The rows off the lattice pattern are among the changed edges' three ends.
    touched = np.zeros(n, dtype=bool)
    node = ids % n
    touched[node] = True
    touched[(node + ids // n + 1) % n] = True
    touched[far] = True
    h = k // 2
    a = bitbfs.bit_matrix(n, eu, ev, _workspace())
    broken = np.flatnonzero(touched)
    if len(broken) * (2 * h + 1) > 2 * n:
        return _Prepared(n, eu, ev, a, 0, None)  # changed nearly everywhere: plain gathers
    return _Prepared(n, eu, ev, a, h, bitbfs.near_broken(n, broken, h))


_local = threading.local()


def _workspace() -> bitbfs.Workspace:
    """This thread's scratch buffers (reused: fresh large arrays cost page faults)."""
    ws = getattr(_local, "ws", None)
    if ws is None:
        ws = bitbfs.Workspace()
        _local.ws = ws
    return ws
