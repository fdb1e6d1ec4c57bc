"""Generators: the ring lattice, Watts-Strogatz rewiring, Newman-Watts shortcuts, ER, BA.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998), start from a ring of ``n`` nodes, each joined to its ``k`` nearest neighbours,
and rewire each edge with probability ``p``, lap by lap (their Fig. 1). Newman & Watts,
Physics Letters A 263:341-346 (1999), add shortcuts instead of rewiring, so the graph
stays connected. Strogatz, "Exploring complex networks", Nature 410:268-276 (2001), sets
these next to Erdos-Renyi random graphs and Barabasi-Albert scale-free graphs.

The rewiring decisions are made once (:func:`_decide`) and kept as edge arrays, so the
lab engine can apply them one at a time and the Figure 2 sweep can measure a graph
without building a networkx graph.

Examples
--------
>>> G = watts_strogatz(1000, 10, 0.01, seed=1)
>>> G.number_of_nodes(), G.number_of_edges()
(1000, 5000)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import NamedTuple

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

from algorithms.engine import CommandError, check_int, check_seed
from algorithms.smallworld.limits import (
    MAX_EDGES,
    MAX_NODES,
    IntArray,
    _check_k,
    _check_n,
    _check_p,
)

__all__ = [
    "Rewiring",
    "barabasi_albert",
    "erdos_renyi",
    "newman_watts",
    "newman_watts_shortcuts",
    "ring_lattice",
    "watts_strogatz",
    "watts_strogatz_rewirings",
]


class Rewiring(NamedTuple):
    """One decision of the rewiring procedure, in the paper's lap-by-lap order.

    Attributes
    ----------
    lap : int
        1 for each node's nearest clockwise edge ``(node, node+1)``, 2 for the second
        nearest ``(node, node+2)``, ... up to ``k/2``.
    node : int
        The node whose clockwise edge is considered; it keeps its end of the edge.
    old : int
        The old far end, ``(node + lap) mod n``.
    new : int or None
        The new far end chosen uniformly at random (Watts-Strogatz: the edge now joins
        ``node`` and ``new``; Newman-Watts: a shortcut ``(node, new)`` is added and the
        lattice edge stays), or None if the edge is left in place.
    """

    lap: int
    node: int
    old: int
    new: int | None


class _Changes(NamedTuple):
    """The edges that change: edge ``ids[i] = (lap-1)*n + node`` gets far end ``far[i]``."""

    ids: IntArray
    far: IntArray


def _decide(n: int, k: int, p: float, rng: random.Random, remove: bool) -> _Changes:
    """The edges whose far end moves (or that get a shortcut), in the order decided.

    Watts & Strogatz (1998): "We choose a vertex and the edge that connects it to its
    nearest neighbour in a clockwise sense. With probability p, we reconnect this edge to
    a vertex chosen uniformly at random over the entire ring, with duplicate edges
    forbidden; otherwise we leave the edge in place. We repeat this process by moving
    clockwise around the ring, considering each vertex in turn until one lap is
    completed. Next, we consider the edges that connect vertices to their second-nearest
    neighbours clockwise..." Self-loops are forbidden too. A node already joined to every
    other node keeps its edge (there is nowhere to move it). ``remove=False`` gives
    Newman & Watts (1999): the shortcut is added and the lattice edge stays.
    """
    h = k // 2
    rnd = rng.random
    getrandbits = rng.getrandbits
    nbits = n.bit_length()
    removed: set[int] = set()  # lattice edge ids rewired away
    added: set[int] = set()  # u*n + w for every added edge, both ways round
    extra_degree = [0] * n
    crowded = n - 1 - 2 * h  # only a node with this many added edges can be saturated
    far_h = n - h
    keys: list[int] = []  # edge id * n + new far end: one append, one conversion
    for lap in range(1, h + 1):
        base = (lap - 1) * n
        for u in range(n):
            if rnd() >= p:
                continue
            if extra_degree[u] >= crowded and _degree(n, h, u, removed, extra_degree) >= n - 1:
                continue
            un = u * n
            while True:
                # Random._randbelow inlined (the same draws as randrange(n) and choice()),
                # its retry loop merged with the retries for invalid nodes.
                w = getrandbits(nbits)
                if w >= n or w == u:
                    continue
                d = w - u if w > u else w - u + n
                if d <= h:
                    if (d - 1) * n + u not in removed:
                        continue
                elif d >= far_h and (n - d - 1) * n + w not in removed:
                    continue
                if un + w not in added:
                    break
            if remove:
                removed.add(base + u)
            added.add(un + w)
            added.add(w * n + u)
            extra_degree[u] += 1
            extra_degree[w] += 1
            keys.append((base + u) * n + w)
    both = np.array(keys, dtype=np.int64)
    return _Changes(both // n, both % n)


def _degree(n: int, h: int, u: int, removed: set[int], extra_degree: list[int]) -> int:
    lost = sum(
        ((d - 1) * n + u in removed) + ((d - 1) * n + (u - d) % n in removed)
        for d in range(1, h + 1)
    )
    return 2 * h - lost + extra_degree[u]


def _expand(n: int, k: int, changes: _Changes) -> Iterator[Rewiring]:
    moved = dict(zip(changes.ids.tolist(), changes.far.tolist(), strict=True))
    for lap in range(1, k // 2 + 1):
        for u in range(n):
            yield Rewiring(lap, u, (u + lap) % n, moved.get((lap - 1) * n + u))


def _lattice_arrays(n: int, k: int) -> tuple[IntArray, IntArray]:
    """Lattice edges in lap order: edge ``(lap-1)*n + u`` is ``(u, (u + lap) mod n)``."""
    h = k // 2
    eu = np.tile(np.arange(n, dtype=np.int64), h)
    ev = (eu + np.repeat(np.arange(1, h + 1, dtype=np.int64), n)) % n
    return eu, ev


def _changed_arrays(n: int, k: int, changes: _Changes, remove: bool) -> tuple[IntArray, IntArray]:
    return _apply_changes(n, k, changes.ids, changes.far, remove)


def _apply_changes(
    n: int, k: int, ids: IntArray, far: IntArray, remove: bool
) -> tuple[IntArray, IntArray]:
    """The lattice with the given changes applied (moved far ends, or added shortcuts)."""
    eu, ev = _lattice_arrays(n, k)
    if not len(ids):
        return eu, ev
    if remove:
        ev[ids] = far
        return eu, ev
    return np.concatenate([eu, eu[ids]]), np.concatenate([ev, far])


def _graph_from_arrays(n: int, eu: IntArray, ev: IntArray) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(eu.tolist(), ev.tolist(), strict=True))
    return G


def _check_ring_args(n: object, k: object, p: object, seed: object) -> tuple[int, int, float]:
    n_ = _check_n(n, 3, MAX_NODES)
    return n_, _check_k(k, n_, 2 * MAX_EDGES // n_), _check_p(p)


def watts_strogatz_rewirings(n: int, k: int, p: float, seed: int) -> Iterator[Rewiring]:
    """Every rewiring decision of :func:`watts_strogatz`, in order, one per lattice edge.

    Lets a player step edge by edge: applying the decisions one after another to
    :func:`ring_lattice` gives exactly ``watts_strogatz(n, k, p, seed)``.

    Parameters
    ----------
    n, k, p, seed
        As for :func:`watts_strogatz`.

    Yields
    ------
    Rewiring
        ``(lap, node, old, new)``: the edge ``(node, old)`` becomes ``(node, new)``, or
        stays if ``new`` is None. There are ``n*k/2`` decisions.

    Examples
    --------
    >>> steps = list(watts_strogatz_rewirings(8, 4, 0.3, seed=2))
    >>> len(steps), steps[0]
    (16, Rewiring(lap=1, node=0, old=1, new=None))
    >>> [s for s in steps if s.new is not None][:2]
    [Rewiring(lap=1, node=2, old=3, new=5), Rewiring(lap=2, node=2, old=4, new=6)]
    """
    n_, k_, p_ = _check_ring_args(n, k, p, seed)
    rng = random.Random(check_seed(seed))
    return _expand(n_, k_, _decide(n_, k_, p_, rng, remove=True))


def newman_watts_shortcuts(n: int, k: int, p: float, seed: int) -> Iterator[Rewiring]:
    """Every shortcut decision of :func:`newman_watts`, in the same lap-by-lap order.

    Yields
    ------
    Rewiring
        ``(lap, node, old, new)``: at lattice edge ``(node, old)`` a shortcut
        ``(node, new)`` is added (the lattice edge stays), or nothing if ``new`` is None.

    Examples
    --------
    >>> [s for s in newman_watts_shortcuts(8, 4, 0.3, seed=2) if s.new is not None][:2]
    [Rewiring(lap=1, node=2, old=3, new=5), Rewiring(lap=2, node=2, old=4, new=6)]
    """
    n_, k_, p_ = _check_ring_args(n, k, p, seed)
    rng = random.Random(check_seed(seed))
    return _expand(n_, k_, _decide(n_, k_, p_, rng, remove=False))


def ring_lattice(n: int, k: int) -> nx.Graph:
    """The ring of ``n`` nodes, each joined to its ``k`` nearest neighbours (``k/2`` a side).

    Examples
    --------
    >>> sorted(ring_lattice(6, 2).edges())
    [(0, 1), (0, 5), (1, 2), (2, 3), (3, 4), (4, 5)]
    """
    n_ = _check_n(n, 3, MAX_NODES)
    k_ = _check_k(k, n_, 2 * MAX_EDGES // n_)
    return _graph_from_arrays(n_, *_lattice_arrays(n_, k_))


def watts_strogatz(n: int, k: int, p: float, seed: int) -> nx.Graph:
    """A Watts-Strogatz small-world graph, rewired lap by lap as in the paper.

    Start from :func:`ring_lattice`; then, lap by lap (first every node's nearest
    clockwise edge ``(i, i+1)`` for ``i = 0..n-1``, then ``(i, i+2)``, ... up to
    ``k/2``), each edge with probability ``p`` has its far end moved to a node chosen
    uniformly at random, never making a self-loop or a duplicate edge (Watts & Strogatz
    1998, Fig. 1). The edge count stays ``n*k/2``.

    Parameters
    ----------
    n : int
        Number of nodes, 3 to 10,000.
    k : int
        Lattice degree: even, at least 2, less than ``n``, and ``n*k/2 <= 500,000``.
    p : float
        Rewiring probability in [0, 1].
    seed : int
        Seed of the ``random.Random`` that makes every draw.

    Returns
    -------
    networkx.Graph
        Nodes ``0..n-1`` in ring order.

    Raises
    ------
    CommandError
        (a ValueError) naming the value and the rule it breaks.

    Notes
    -----
    networkx's ``watts_strogatz_graph`` (3.x) follows the same lap order and makes the
    same draws (``random() < p``, then uniform node choices until one is valid), so for
    the same int seed it builds the same graph; the tests check it. It differs only at
    the edges of the parameter space: it silently uses ``k-1`` for odd ``k``, returns
    the complete graph for ``k == n`` and raises for ``k > n`` (refused here), and when a
    node is already joined to every other node it draws two more numbers before giving
    up, where this generator keeps the edge without drawing (only possible for tiny
    ``n``). Its ``seed=None`` uses global randomness; here the seed is required.

    Examples
    --------
    >>> G = watts_strogatz(20, 4, 0.2, seed=7)
    >>> G.number_of_edges(), nx.number_of_selfloops(G)
    (40, 0)
    >>> sorted(G.edges()) == sorted(watts_strogatz(20, 4, 0.2, seed=7).edges())
    True
    """
    n_, k_, p_ = _check_ring_args(n, k, p, seed)
    changes = _decide(n_, k_, p_, random.Random(check_seed(seed)), remove=True)
    return _graph_from_arrays(n_, *_changed_arrays(n_, k_, changes, remove=True))


def newman_watts(n: int, k: int, p: float, seed: int) -> nx.Graph:
    """A Newman-Watts small world: the ring lattice plus shortcuts, none removed.

    Newman & Watts (1999) add shortcuts instead of rewiring, so the lattice (and the
    graph's connectedness) survives. Here, as in the Watts-Strogatz procedure and lap by
    lap, each lattice edge ``(i, i+j)`` with probability ``p`` adds a shortcut from ``i``
    to a node chosen uniformly at random (no self-loop, no duplicate edge).

    Notes
    -----
    networkx's ``newman_watts_strogatz_graph`` makes the same kind of decision per
    lattice edge but visits the edges in adjacency order rather than lap by lap (so the
    same seed gives a different graph from the same distribution); this one visits them
    in the order :class:`SmallWorldEngine` shows them. The paper's own model joins two
    random nodes per shortcut; keeping one end at the lattice edge's node, as networkx
    does, changes nothing in the mean number of shortcuts (``p * n * k / 2``).

    Examples
    --------
    >>> G = newman_watts(20, 4, 0.2, seed=7)
    >>> all(G.has_edge(u, v) for u, v in ring_lattice(20, 4).edges())
    True
    >>> G.number_of_edges() > 40
    True
    """
    n_, k_, p_ = _check_ring_args(n, k, p, seed)
    changes = _decide(n_, k_, p_, random.Random(check_seed(seed)), remove=False)
    return _graph_from_arrays(n_, *_changed_arrays(n_, k_, changes, remove=False))


def erdos_renyi(n: int, m: int | None = None, *, p: float | None = None, seed: int) -> nx.Graph:
    """An Erdos-Renyi random graph: ``G(n, m)`` (given ``m``) or ``G(n, p)`` (given ``p``).

    Strogatz (2001) uses it as the reference random graph: for ``G(n, p)`` a giant
    component appears once the mean degree ``p(n-1)`` passes 1. networkx already does
    this job: ``gnm_random_graph`` and ``gnp_random_graph`` with ``seed``.

    Parameters
    ----------
    n : int
        Number of nodes, 1 to 10,000.
    m : int, optional
        Number of edges, 0 to ``n(n-1)/2`` and at most 500,000. Give exactly one of ``m``
        and ``p``.
    p : float, optional, keyword-only
        Probability of each edge, in [0, 1], with at most 500,000 edges expected.
    seed : int
        Seed of the generator.

    Examples
    --------
    >>> erdos_renyi(50, m=100, seed=1).number_of_edges()
    100
    >>> erdos_renyi(50, p=0.0, seed=1).number_of_edges()
    0
    """
    n_ = _check_n(n, 1, MAX_NODES)
    seed_ = check_seed(seed)
    if (m is None) == (p is None):
        raise CommandError("m", m, "or p must be given, not both and not neither")
    if m is not None:
        m_ = check_int("m", m, 0, min(n_ * (n_ - 1) // 2, MAX_EDGES))
        return nx.gnm_random_graph(n_, m_, seed=seed_)
    p_ = _check_p(p)
    if p_ * n_ * (n_ - 1) / 2 > MAX_EDGES:
        raise CommandError("p", p, f"must keep the expected edge count at most {MAX_EDGES:,}")
    return nx.gnp_random_graph(n_, p_, seed=seed_)


def barabasi_albert(n: int, m: int, seed: int) -> nx.Graph:
    """A Barabasi-Albert scale-free graph: each new node attaches ``m`` edges preferentially.

    Growth with preferential attachment (Barabasi & Albert 1999, discussed in Strogatz
    2001) gives a power-law degree distribution. networkx's ``barabasi_albert_graph``
    already does this job and is used as is.

    Parameters
    ----------
    n : int
        Number of nodes, 2 to 10,000.
    m : int
        Edges per new node, ``1 <= m < n`` and ``m * n <= 500,000``.
    seed : int
        Seed of the generator.

    Examples
    --------
    >>> G = barabasi_albert(100, 2, seed=1)
    >>> G.number_of_edges()
    196
    """
    n_ = _check_n(n, 2, MAX_NODES)
    m_ = check_int("m", m, 1, min(n_ - 1, MAX_EDGES // n_))
    return nx.barabasi_albert_graph(n_, m_, seed=check_seed(seed))
