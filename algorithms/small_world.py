"""Small-world networks: Watts & Strogatz's rewired ring lattice, and what spreads on it.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998), start from a ring of ``n`` nodes, each joined to its ``k`` nearest neighbours, and
rewire each edge with probability ``p``. Their Figure 2 plots the clustering coefficient
``C(p)/C(0)`` and the characteristic path length ``L(p)/L(0)`` against ``p`` on a log axis
(``n = 1000``, ``k = 10``, 20 realizations): ``L`` collapses long before ``C`` does, and in
between lies the small-world regime, as clustered as a lattice and as short as a random
graph. Strogatz, "Exploring complex networks", Nature 410:268-276 (2001), sets this next to
Erdos-Renyi random graphs and Barabasi-Albert scale-free graphs; Newman & Watts, Physics
Letters A 263:341-346 (1999), add shortcuts instead of rewiring, so the graph stays
connected. Dynamo (DeCandia et al., SOSP 2007) section 4.8 spreads membership by gossip:
every node contacts one random peer each round; :func:`gossip` runs that on these graphs.

The library (generators, :func:`clustering`, :func:`path_length`, :func:`sweep`,
:func:`gossip`) works on plain ``networkx.Graph`` objects; :class:`SmallWorldEngine` is the
lab's step-by-step engine. ``C`` and ``L`` are computed exactly with bit-parallel
breadth-first search (see :mod:`algorithms._bitbfs`), fast enough to redraw Figure 2 live.

Examples
--------
>>> G = watts_strogatz(1000, 10, 0.01, seed=1)
>>> C, L = clustering(G), path_length(G)
>>> round(C / lattice_clustering(10), 2), round(L / lattice_path_length(1000, 10), 2)
(0.98, 0.19)
"""

from __future__ import annotations

import math
import multiprocessing
import random
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from algorithms import _bitbfs
from algorithms.engine import (
    CommandError,
    Event,
    LabEngine,
    LabParams,
    check_choice,
    check_fields,
    check_float,
    check_int,
    check_seed,
    look_up,
    move,
)
from algorithms.theory import (
    barrat_weigt_clustering,
    newman_watts_clustering,
    random_graph_clustering,
    random_graph_path_length,
    table1,
)

__all__ = [
    "ENGINE_MAX_NODES",
    "GOSSIP_MODES",
    "MAX_EDGES",
    "MAX_NODES",
    "MODELS",
    "SWEEP_MAX_NODES",
    "Rewiring",
    "SmallWorldEngine",
    "SmallWorldParams",
    "SweepCancelled",
    "barabasi_albert",
    "clustering",
    "degree_distribution",
    "erdos_renyi",
    "gossip",
    "gossip_comparison",
    "lattice_clustering",
    "lattice_path_length",
    "newman_watts",
    "newman_watts_shortcuts",
    "path_length",
    "realization_seed",
    "ring_lattice",
    "rounds_to_inform_all",
    "shortest_path",
    "sweep",
    "watts_strogatz",
    "watts_strogatz_rewirings",
]

JSON = dict[str, Any]
IntArray = npt.NDArray[np.int64]

MAX_NODES = 10_000
"""Largest graph the generators and the C/L functions take (bitsets of n^2 bits)."""

MAX_EDGES = 500_000
"""Most edges a generator builds (expected edges for ``G(n, p)``)."""

ENGINE_MAX_NODES = 2_000
"""Largest graph the lab engine (and its graph view) builds."""

ENGINE_MAX_K = 50
"""Largest lattice degree ``k`` in the lab engine."""

SWEEP_MAX_NODES = 5_000
"""Largest ``n`` for :func:`sweep`."""

SWEEP_MAX_K = 100
"""Largest ``k`` for :func:`sweep`."""

SWEEP_MAX_REALIZATIONS = 100
"""Most realizations per value of ``p`` in :func:`sweep`."""

SWEEP_MAX_PS = 50
"""Most values of ``p`` in one :func:`sweep`."""

SWEEP_MAX_WORKERS = 8
"""Most worker processes for :func:`sweep`."""

GOSSIP_MAX_RUNS = 100
"""Most runs per graph and mode in :func:`gossip_comparison`."""

MODELS = ("watts_strogatz", "newman_watts", "erdos_renyi", "barabasi_albert")
GOSSIP_MODES = ("push", "pull", "push-pull")
DISCONNECTED = ("raise", "largest_component", "connected_pairs")


# -- validation -------------------------------------------------------------------------


def _check_n(n: object, lo: int, hi: int) -> int:
    return check_int("n", n, lo, hi)


def _check_k(k: object, n: int, hi: int | None = None) -> int:
    """k must be an even integer with 2 <= k < n (and k <= hi when given)."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise CommandError("k", k, "must be an even integer")
    if k < 2:
        raise CommandError("k", k, "must be at least 2 (each node needs a neighbour each side)")
    if k % 2:
        raise CommandError("k", k, "must be even (k/2 neighbours on each side of the ring)")
    if k >= n:
        raise CommandError("k", k, f"must be less than n = {n}")
    if hi is not None and k > hi:
        raise CommandError("k", k, f"must be at most {hi}")
    return k


def _check_p(p: object, name: str = "p") -> float:
    return check_float(name, p, 0.0, 1.0)


def _check_graph(G: object) -> nx.Graph:
    if not isinstance(G, nx.Graph) or G.is_directed() or G.is_multigraph():
        raise CommandError("G", type(G).__name__, "must be an undirected networkx Graph")
    if G.number_of_nodes() > MAX_NODES:
        raise CommandError(
            "G", f"{G.number_of_nodes()} nodes", f"must have at most {MAX_NODES} nodes"
        )
    return G


# -- generators -------------------------------------------------------------------------


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
    a = _bitbfs.bit_matrix(n, eu, ev, _workspace())
    broken = np.flatnonzero(touched)
    if len(broken) * (2 * h + 1) > 2 * n:
        return _Prepared(n, eu, ev, a, 0, None)  # changed nearly everywhere: plain gathers
    return _Prepared(n, eu, ev, a, h, _bitbfs.near_broken(n, broken, h))


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


# -- measures ---------------------------------------------------------------------------


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
    a = _bitbfs.bit_matrix(n, eu, ev, ws)
    if h:
        return _Prepared(n, eu, ev, a, h, _bitbfs.ring_fix_rows(n, eu, ev, h))
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
        t2 = _bitbfs.triangles_twice(n, eu, ev, g.adjacency, ws, rows)
        values = np.full(n, lattice_clustering(2 * g.h, n))
        values[rows] = np.divide(
            t2[rows], pairs[rows], out=np.zeros(len(rows)), where=pairs[rows] > 0
        )
        return values
    t2 = _bitbfs.triangles_twice(n, eu, ev, g.adjacency, ws)
    return np.divide(t2, pairs, out=np.zeros(n), where=pairs > 0)


def clustering(G: nx.Graph) -> float:
    """The clustering coefficient ``C``: the mean over nodes of the local ``C_v``.

    Watts & Strogatz (1998): if node ``v`` has ``k_v`` neighbours, at most
    ``k_v(k_v-1)/2`` edges can exist between them; ``C_v`` is the fraction that do, and
    ``C`` is its average over all nodes. Nodes of degree below 2 count as 0, as in
    networkx's ``average_clustering`` (self-loops are ignored).

    Examples
    --------
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
    levels = _bitbfs.distance_levels(n, eu, ev, g.h, g.adjacency, ws, g.fix_rows)
    total, pairs = _bitbfs.level_sums(levels)
    if pairs == n * (n - 1):
        return _PathSums(total, pairs, n, 1, total, pairs, n)
    label = _components(n, eu, ev)
    sizes = np.bincount(label, minlength=n)
    biggest = int(np.argmax(sizes))  # ties: the component of the smallest node
    keep = label == biggest
    sub_n = int(sizes[biggest])
    renumber = np.cumsum(keep) - 1
    inside = keep[eu]
    sub_levels = _bitbfs.distance_levels(
        sub_n, renumber[eu[inside]], renumber[ev[inside]], 0, None, ws
    )
    sub_total, sub_pairs = _bitbfs.level_sums(sub_levels)
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

    Raises
    ------
    CommandError
        If ``a`` or ``b`` is not a node, or no path joins them.

    Examples
    --------
    >>> shortest_path(ring_lattice(12, 4), 0, 5)
    [0, 1, 3, 5]
    """
    g = _check_graph(G)
    for name, v in (("a", a), ("b", b)):
        if v not in g:
            raise CommandError(name, v, "must be a node of the graph")
    order = {v: i for i, v in enumerate(g)}
    parent: dict[Hashable, Hashable] = {a: a}
    queue = deque([a])
    while queue and b not in parent:
        u = queue.popleft()
        for v in sorted(g[u], key=order.__getitem__):
            if v not in parent:
                parent[v] = u
                queue.append(v)
    if b not in parent:
        raise CommandError("b", b, f"must be reachable from a = {a!r} (no path joins them)")
    path = [b]
    while path[-1] != a:
        path.append(parent[path[-1]])
    return path[::-1]


# -- the Figure 2 sweep -----------------------------------------------------------------

_local = threading.local()


def _workspace() -> _bitbfs.Workspace:
    """This thread's scratch buffers (reused: fresh large arrays cost page faults)."""
    ws = getattr(_local, "ws", None)
    if ws is None:
        ws = _bitbfs.Workspace()
        _local.ws = ws
    return ws


class SweepCancelled(Exception):
    """Raised by :func:`sweep` when ``cancel()`` returned True; ``rows`` holds the rows done.

    Examples
    --------
    >>> SweepCancelled([{"p": 0.1}]).rows
    [{'p': 0.1}]
    """

    def __init__(self, rows: list[JSON]) -> None:
        super().__init__(f"sweep cancelled after {len(rows)} rows")
        self.rows = rows


def realization_seed(seed: int, index: int, realization: int) -> int:
    """The seed of realization ``realization`` at the ``index``-th ``p`` of :func:`sweep`.

    ``watts_strogatz(n, k, ps[index], realization_seed(seed, index, r))`` rebuilds that
    graph. Derived with numpy's ``SeedSequence`` so that seeds do not depend on how many
    values of ``p`` or realizations the sweep has, nor on how work is split.

    Examples
    --------
    >>> realization_seed(1, 0, 0) == realization_seed(1, 0, 0) != realization_seed(1, 0, 1)
    True
    """
    ss = np.random.SeedSequence(check_seed(seed), spawn_key=(index, realization))
    return int(ss.generate_state(1, np.uint64)[0]) >> 1  # a valid seed: below 2**63


Measured = tuple[float, float, bool]  # C, L, connected


def _measure_ws(n: int, k: int, p: float, seed: int) -> Measured:
    """C and L of ``watts_strogatz(n, k, p, seed)`` without building a networkx graph."""
    changes = _decide(n, k, p, random.Random(seed), remove=True)
    if not len(changes.ids):
        return lattice_clustering(k, n), lattice_path_length(n, k), True
    g = _ring_prepared(n, k, changes.ids, changes.far, remove=True)
    c = float(_clustering_values(g).sum()) / n
    sums = _path_sums(g)
    if sums.components == 1:
        return c, sums.total / sums.pairs, True
    return c, sums.largest_total / sums.largest_pairs, False


def _measure_chunk(n: int, k: int, p: float, seeds: Sequence[int]) -> list[Measured]:
    return [_measure_ws(n, k, p, s) for s in seeds]


def _row(p: float, measured: list[Measured], c0: float, l0: float) -> JSON:
    cs = np.array([m[0] for m in measured])
    ls = np.array([m[1] for m in measured])
    ddof = 1 if len(measured) > 1 else 0
    c_mean, l_mean = float(cs.mean()), float(ls.mean())
    c_std, l_std = float(cs.std(ddof=ddof)), float(ls.std(ddof=ddof))
    return {
        "p": p,
        "C": c_mean,
        "L": l_mean,
        "C_norm": c_mean / c0,
        "L_norm": l_mean / l0,
        "C_std": c_std,
        "L_std": l_std,
        "C_norm_std": c_std / c0,
        "L_norm_std": l_std / l0,
        "realizations": len(measured),
        "disconnected": sum(1 for m in measured if not m[2]),
    }


def _check_sweep(
    n: object, k: object, ps: object, realizations: object, seed: object, workers: object
) -> tuple[int, int, list[float], int, int, int]:
    n_ = _check_n(n, 5, SWEEP_MAX_NODES)
    k_ = _check_k(k, n_, SWEEP_MAX_K)
    if k_ < 4:
        raise CommandError("k", k, "must be at least 4 in a sweep (C(0) is 0 for k = 2)")
    if isinstance(ps, str | bytes) or not isinstance(ps, Sequence):
        raise CommandError("ps", ps, f"must be a list of 1 to {SWEEP_MAX_PS} probabilities")
    if not 1 <= len(ps) <= SWEEP_MAX_PS:
        raise CommandError(
            "ps", f"{len(ps)} values", f"must be a list of 1 to {SWEEP_MAX_PS} probabilities"
        )
    ps_ = [_check_p(p, f"ps[{i}]") for i, p in enumerate(ps)]
    r_ = check_int("realizations", realizations, 1, SWEEP_MAX_REALIZATIONS)
    return n_, k_, ps_, r_, check_seed(seed), check_int("workers", workers, 1, SWEEP_MAX_WORKERS)


def sweep(
    n: int,
    k: int,
    ps: Sequence[float],
    realizations: int,
    seed: int,
    *,
    workers: int = 1,
    progress: Callable[[JSON], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[JSON]:
    """Watts & Strogatz's Figure 2: ``C(p)/C(0)`` and ``L(p)/L(0)`` averaged over realizations.

    For each ``p`` in ``ps``, ``realizations`` graphs ``watts_strogatz(n, k, p, s)`` with
    ``s = realization_seed(seed, index, r)``; ``C(0)`` and ``L(0)`` are the ring lattice's
    exact values (:func:`lattice_clustering`, :func:`lattice_path_length`). The paper's
    figure is ``sweep(1000, 10, np.logspace(-4, 0, 14), 20, seed)``.

    Parameters
    ----------
    n : int
        Nodes, 5 to 5,000.
    k : int
        Lattice degree: even, 4 to 100, less than ``n``.
    ps : sequence of float
        1 to 50 rewiring probabilities in [0, 1].
    realizations : int
        Graphs per ``p``, 1 to 100.
    seed : int
        Master seed.
    workers : int, keyword-only
        Processes to use, 1 to 8. The rows are identical for every value.
    progress : callable, optional
        Called with each row as soon as it and all rows before it are done (so always
        in the order of ``ps``), e.g. to stream points to a chart.
    cancel : callable, optional
        Polled between graphs; when it returns True the sweep stops and raises
        :class:`SweepCancelled`, whose ``rows`` are the rows finished so far.

    Returns
    -------
    list of dict
        One row per ``p``: ``p``, ``C``, ``L`` (means), ``C_norm = C/C(0)``,
        ``L_norm = L/L(0)``, ``C_std``, ``L_std``, ``C_norm_std``, ``L_norm_std``
        (sample standard deviations over realizations), ``realizations``, and
        ``disconnected``: how many graphs were disconnected. ``L`` of a disconnected graph
        is taken over its largest component (it is rare: every node keeps at least
        ``k/2`` edges; ``k >= 4`` is required so that ``C(0) > 0``).

    Notes
    -----
    Each graph is generated by the same rewiring code as :func:`watts_strogatz` but
    straight into edge arrays (no networkx graph), and measured by bit-parallel BFS; the
    paper's figure takes well under a second on two cores. With ``workers > 1`` the
    graphs are split among a process pool: forked children when the caller runs no other
    thread, otherwise (a web server) ``forkserver`` children with this module preloaded,
    so the caller's main module must be importable, as multiprocessing always requires.

    Examples
    --------
    >>> rows = sweep(200, 6, [0.0, 0.05, 1.0], 2, seed=1)
    >>> [(r["p"], round(r["C_norm"], 2), round(r["L_norm"], 2)) for r in rows]
    [(0.0, 1.0, 1.0), (0.05, 0.86, 0.32), (1.0, 0.04, 0.18)]
    """
    n_, k_, ps_, reps, seed_, workers_ = _check_sweep(n, k, ps, realizations, seed, workers)
    c0, l0 = lattice_clustering(k_, n_), lattice_path_length(n_, k_)
    seeds = [[realization_seed(seed_, i, r) for r in range(reps)] for i in range(len(ps_))]
    rows: list[JSON] = []

    def stopped() -> bool:
        return cancel is not None and bool(cancel())

    if workers_ == 1:
        for i, p in enumerate(ps_):
            measured = []
            for s in seeds[i]:
                if stopped():
                    raise SweepCancelled(rows)
                measured.append(_measure_ws(n_, k_, p, s))
            rows.append(_row(p, measured, c0, l0))
            if progress is not None:
                progress(rows[-1])
        return rows
    return _sweep_parallel(n_, k_, ps_, seeds, workers_, c0, l0, progress, stopped)


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork is cheapest, but forking a process that runs other threads (a web server) can
    # deadlock; there, forkserver starts clean children, with this module preloaded so
    # that each sweep's workers start in milliseconds after the first.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _sweep_parallel(
    n: int,
    k: int,
    ps: list[float],
    seeds: list[list[int]],
    workers: int,
    c0: float,
    l0: float,
    progress: Callable[[JSON], None] | None,
    stopped: Callable[[], bool],
) -> list[JSON]:
    reps = len(seeds[0])
    size = max(1, min(5, math.ceil(reps / (2 * workers))))
    chunks = [(i, start) for i in range(len(ps)) for start in range(0, reps, size)]
    results: dict[tuple[int, int], list[Measured]] = {}
    rows: list[JSON] = []
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
    try:
        futures: dict[Future[list[Measured]], tuple[int, int]] = {
            pool.submit(_measure_chunk, n, k, ps[i], seeds[i][start : start + size]): (i, start)
            for i, start in chunks
        }
        pending = set(futures)
        while pending:
            if stopped():
                raise SweepCancelled(rows)
            done, pending = wait(pending, timeout=0.05, return_when=FIRST_COMPLETED)
            for f in done:
                results[futures[f]] = f.result()
            while len(rows) < len(ps):
                i = len(rows)
                keys = [(i, s) for s in range(0, reps, size)]
                if not all(key in results for key in keys):
                    break
                measured = [m for key in keys for m in results[key]]
                rows.append(_row(ps[i], measured, c0, l0))
                if progress is not None:
                    progress(rows[-1])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return rows


# -- gossip -----------------------------------------------------------------------------


def _gossip_round(
    nbrs: Sequence[Sequence[int]], informed: bytearray, mode: str, rng: random.Random
) -> list[int]:
    """One synchronous round: every node contacts one uniformly random neighbour.

    push: an informed node tells the neighbour it contacts; pull: an uninformed node
    asks, and learns the rumour if that neighbour knew it at the start of the round;
    push-pull: both. Every node with a neighbour draws, in node order, whatever the mode,
    so push, pull and push-pull with one seed see the same contacts.
    """
    rnd = rng.random
    push = mode != "pull"
    pull = mode != "push"
    before = bytes(informed)
    newly: list[int] = []
    for i, nb in enumerate(nbrs):
        if not nb:
            continue
        j = nb[int(rnd() * len(nb))]
        if before[i]:
            if push and not informed[j]:
                informed[j] = 1
                newly.append(j)
        elif pull and before[j] and not informed[i]:
            informed[i] = 1
            newly.append(i)
    newly.sort()
    return newly


def _neighbour_lists(G: nx.Graph) -> tuple[list[Hashable], list[list[int]]]:
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    return nodes, [sorted(index[u] for u in G[v] if u != v) for v in nodes]


def _reachable(nbrs: Sequence[Sequence[int]], source: int) -> int:
    seen = {source}
    queue = deque([source])
    while queue:
        for v in nbrs[queue.popleft()]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return len(seen)


def _check_gossip(G: object, source: object, mode: object) -> tuple[nx.Graph, str]:
    g = _check_graph(G)
    if source not in g:
        raise CommandError("source", source, "must be a node of the graph")
    return g, check_choice("mode", mode, GOSSIP_MODES)


def gossip(
    G: nx.Graph, source: Hashable, mode: str, seed: int, max_rounds: int | None = None
) -> list[list[Hashable]]:
    """Spread a rumour from ``source`` by gossip; the nodes newly informed in each round.

    Dynamo (DeCandia et al. 2007, section 4.8) propagates membership changes by gossip:
    every second each node contacts a peer chosen at random. Here every round each node
    contacts one uniformly random neighbour in ``G``; in ``"push"`` mode informed nodes
    tell, in ``"pull"`` mode uninformed nodes ask, in ``"push-pull"`` both. On random and
    small-world graphs it takes O(log n) rounds; on the ring lattice, O(n/k).

    Parameters
    ----------
    G : networkx.Graph
        Undirected, at most 10,000 nodes.
    source : node
        Where the rumour starts.
    mode : {"push", "pull", "push-pull"}
    seed : int
        Seed of the ``random.Random`` that picks the contacts.
    max_rounds : int, optional
        Stop after this many rounds (default ``20 n + 100``, far more than a connected
        graph needs).

    Returns
    -------
    list of list
        ``rounds[0] == [source]``; ``rounds[t]`` are the nodes that learn the rumour in
        round ``t`` (in node order). It ends when every node that can be reached knows it.

    Examples
    --------
    >>> rounds = gossip(nx.complete_graph(8), 0, "push-pull", seed=1)
    >>> rounds[0], sum(len(r) for r in rounds), len(rounds) - 1 <= 6
    ([0], 8, True)
    """
    g, mode_ = _check_gossip(G, source, mode)
    nodes, nbrs = _neighbour_lists(g)
    n = len(nodes)
    cap = 20 * n + 100 if max_rounds is None else check_int("max_rounds", max_rounds, 0, 10**6)
    rng = random.Random(check_seed(seed))
    start = nodes.index(source)
    reach = _reachable(nbrs, start)
    informed = bytearray(n)
    informed[start] = 1
    rounds: list[list[Hashable]] = [[source]]
    count = 1
    while count < reach and len(rounds) <= cap:
        newly = _gossip_round(nbrs, informed, mode_, rng)
        count += len(newly)
        rounds.append([nodes[i] for i in newly])
    return rounds


def rounds_to_inform_all(
    G: nx.Graph, source: Hashable, mode: str, seed: int, max_rounds: int | None = None
) -> int | None:
    """Rounds of :func:`gossip` until every node knows the rumour (None if the cap is hit).

    Raises
    ------
    CommandError
        If ``G`` is disconnected (some node could never learn it).

    Examples
    --------
    >>> rounds_to_inform_all(nx.complete_graph(2), 0, "push", seed=1)
    1
    """
    g, _ = _check_gossip(G, source, mode)
    if not nx.is_connected(g):
        raise CommandError("G", "disconnected", "must be connected for everyone to be informed")
    rounds = gossip(g, source, mode, seed, max_rounds)
    informed = sum(len(r) for r in rounds)
    return len(rounds) - 1 if informed == g.number_of_nodes() else None


def _connected_draw(make: Callable[[int], nx.Graph], rng: random.Random, k: int) -> nx.Graph:
    for _ in range(100):
        G = make(rng.getrandbits(63))
        if nx.is_connected(G):
            return G
    raise CommandError("k", k, "gives graphs too sparse to be connected; use a larger k")


def gossip_comparison(
    n: int,
    k: int,
    p: float,
    runs: int,
    seed: int,
    modes: Sequence[str] = GOSSIP_MODES,
    cancel: Callable[[], bool] | None = None,
) -> list[JSON]:
    """Gossip rounds on the ring lattice, a small world and a random graph of equal size.

    The three graphs have ``n`` nodes and ``m = n k / 2`` edges: :func:`ring_lattice`,
    ``watts_strogatz(n, k, p, ...)`` and the Erdos-Renyi ``G(n, m)``; the random ones are
    redrawn until connected. Each run picks a random source and contact seed, shared by
    every graph and mode, so the comparison is paired.

    Parameters
    ----------
    n : int
        Nodes, 5 to 2,000.
    k : int
        Lattice degree: even, 2 to 100, less than ``n``.
    p : float
        The small world's rewiring probability (0.01 to 0.1 is the small-world regime).
    runs : int
        Runs per graph and mode, 1 to 100.
    seed : int
        Master seed.
    modes : sequence of str
        Any of ``"push"``, ``"pull"``, ``"push-pull"``.
    cancel : callable, optional
        Asked before each run; when it returns True, :class:`SweepCancelled` is raised
        with the rows finished so far.

    Returns
    -------
    list of dict
        One row per graph and mode: ``graph``, ``mode``, ``C``, ``L``, ``rounds_mean``,
        ``rounds_std``, ``rounds_min``, ``rounds_max``, ``runs``.

    Examples
    --------
    >>> rows = gossip_comparison(200, 6, 0.05, 3, seed=1, modes=["push-pull"])
    >>> [(r["graph"], r["rounds_mean"] < 40) for r in rows]
    [('ring lattice', False), ('small world', True), ('random G(n, m)', True)]
    """
    n_ = _check_n(n, 5, ENGINE_MAX_NODES)
    k_ = _check_k(k, n_, SWEEP_MAX_K)
    p_ = _check_p(p)
    runs_ = check_int("runs", runs, 1, GOSSIP_MAX_RUNS)
    if isinstance(modes, str) or not 1 <= len(modes) <= len(GOSSIP_MODES):
        raise CommandError("modes", modes, "must be a list of push, pull, push-pull")
    modes_ = [check_choice(f"modes[{i}]", m, GOSSIP_MODES) for i, m in enumerate(modes)]
    rng = random.Random(check_seed(seed))
    graphs = [
        ("ring lattice", ring_lattice(n_, k_)),
        ("small world", _connected_draw(lambda s: watts_strogatz(n_, k_, p_, s), rng, k_)),
        (
            "random G(n, m)",
            _connected_draw(lambda s: erdos_renyi(n_, m=n_ * k_ // 2, seed=s), rng, k_),
        ),
    ]
    trials = [(rng.randrange(n_), rng.getrandbits(63)) for _ in range(runs_)]
    rows: list[JSON] = []
    for name, G in graphs:
        c, length = clustering(G), path_length(G)
        for mode in modes_:
            done: list[int] = []
            for src, s in trials:
                if cancel is not None and cancel():
                    raise SweepCancelled(rows)
                done.append(rounds_to_inform_all(G, src, mode, s) or 0)
            counts = np.array(done, dtype=float)
            rows.append(
                {
                    "graph": name,
                    "mode": mode,
                    "C": c,
                    "L": length,
                    "rounds_mean": float(counts.mean()),
                    "rounds_std": float(counts.std(ddof=1)) if runs_ > 1 else 0.0,
                    "rounds_min": int(counts.min()),
                    "rounds_max": int(counts.max()),
                    "runs": runs_,
                }
            )
    return rows


# -- the lab engine ---------------------------------------------------------------------


@dataclass(frozen=True)
class SmallWorldParams(LabParams):
    """Parameters of the small-world lab.

    Attributes
    ----------
    model : str
        ``"watts_strogatz"`` (rewire), ``"newman_watts"`` (add shortcuts),
        ``"erdos_renyi"`` (``G(n, M)`` with ``M = n k / 2``, the lattice's edge count) or
        ``"barabasi_albert"`` (``m`` edges per new node). Default ``"watts_strogatz"``.
    n : int
        Nodes, 4 to 2,000. Default 40.
    k : int
        Lattice degree: even, 2 to 50, less than ``n``. Default 4.
    p : float
        Rewiring (or shortcut) probability per lattice edge, in [0, 1]; used by the two
        ring models. Default 0.1.
    m : int
        Barabasi-Albert edges per new node, 1 to 20, less than ``n``. Default 2.

    Examples
    --------
    >>> SmallWorldParams(n=10, k=3)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: k must be even (k/2 neighbours on each side of the ring), got 3
    """

    model: str = "watts_strogatz"
    n: int = 40
    k: int = 4
    p: float = 0.1
    m: int = 2

    def __post_init__(self) -> None:
        check_choice("model", self.model, MODELS)
        n = check_int("n", self.n, 4, ENGINE_MAX_NODES)
        _check_k(self.k, n, ENGINE_MAX_K)
        object.__setattr__(self, "p", _check_p(self.p))
        check_int("m", self.m, 1, 20)
        if self.m >= n:
            raise CommandError("m", self.m, f"must be less than n = {n}")


RING_MODELS = ("watts_strogatz", "newman_watts")


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") if x == x else "undefined"


class SmallWorldEngine(LabEngine[SmallWorldParams]):
    """The small-world lab: watch a ring lattice rewire edge by edge, measure it, gossip on it.

    For the two ring models the graph starts as the lattice and every step (or
    ``rewire_next``) applies the next decision of the paper's procedure, lap by lap, so
    shortcuts appear one at a time while ``C`` and ``L`` update (Watts & Strogatz 1998,
    Fig. 1). Once a ``gossip`` starts, steps advance it round by round instead, until
    every reachable node knows the rumour (Dynamo section 4.8). The graph after all
    decisions equals ``watts_strogatz(n, k, p, seed)`` (or ``newman_watts``); Erdos-Renyi
    and Barabasi-Albert graphs are built whole and equal
    ``erdos_renyi(n, m=n*k//2, seed=seed)`` and ``barabasi_albert(n, m, seed)``. The
    Figure 2 sweep is not a command: it is heavy, and runs outside the engine through
    :func:`sweep`.

    Commands
    --------
    ``{"action": "rewire_next"}``
        Apply the next rewiring decision (ring models; refused when none is left).
    ``{"action": "rewire_all"}``
        Apply every remaining decision at once, with one summarizing event.
    ``{"action": "gossip", "source": node, "mode": "push" | "pull" | "push-pull"}``
        Start a rumour at ``source`` (0..n-1); steps then run one round each.
    ``{"action": "select_node", "node": node}``
        Show the node's degree and local clustering ``C_v`` (``node`` null clears).
    ``{"action": "shortest_path", "a": node, "b": node}``
        Highlight a shortest path between two nodes (kept up to date as edges move).
    ``{"action": "clear"}``
        Clear the selection, the path and the rumour.

    State
    -----
    ``state()`` returns ``{"model", "n", "k", "p", "m", "nodes": n, "edges": [[u, v], ...]
    (u < v, sorted), "shortcuts": [[u, v], ...] (edges that are not lattice edges; [] for
    Erdos-Renyi and Barabasi-Albert), "lap": lap of the next decision (null for ER/BA),
    "decisions_done", "decisions_total", "C", "L" (null if disconnected), "L_note" (one
    sentence), "components", "C0", "L0" (the lattice's exact values for n and k),
    "degree_histogram": [[degree, count], ...], "selected": null or {"node", "degree",
    "C_v"}, "path": null or [a, ..., b], "gossip": null or {"mode", "source", "round",
    "informed": [...], "history": [informed count per round], "finished"}}``.

    Examples
    --------
    >>> engine = SmallWorldEngine(SmallWorldParams(n=12, k=4, p=0.5), seed=3)
    >>> engine.state()["decisions_total"], engine.state()["shortcuts"]
    (24, [])
    >>> [e.text for e in engine.step() + engine.step()]
    ['Lap 1: edge (0, 1) is rewired to (0, 8): a shortcut across the ring.', 'Lap 1: edge (1, 2) is rewired to (1, 9): a shortcut across the ring.']
    >>> engine.apply({"action": "rewire_all"})[0].text
    'All 24 decisions are made: 14 of the 24 edges were rewired, and 11 of them are now shortcuts across the ring.'
    """

    Params = SmallWorldParams
    _FIELDS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "rewire_next": (),
        "rewire_all": (),
        "gossip": ("source", "mode"),
        "select_node": ("node",),
        "shortest_path": ("a", "b"),
        "clear": (),
    }
    _CACHED_VERSIONS = 4

    def __init__(self, params: SmallWorldParams, seed: int) -> None:
        self.params = params
        self.seed = check_seed(seed)
        self.rng = random.Random(self.seed)
        n, k = params.n, params.k
        self.n = n
        self.h = k // 2
        self.ring = params.model in RING_MODELS
        self.remove = params.model == "watts_strogatz"
        self.total = n * self.h if self.ring else 0
        self.done = 0
        # The graph is a pure function of how many decisions are applied: everything below
        # is fixed at construction and shared by copies (Timeline checkpoints).
        if self.ring:
            changes = _decide(n, k, params.p, self.rng, remove=self.remove)
            self._ids, self._far = changes
            self._moved = dict(zip(changes.ids.tolist(), changes.far.tolist(), strict=True))
            self._static: tuple[IntArray, IntArray] | None = None
        else:
            if params.model == "erdos_renyi":
                G = nx.gnm_random_graph(n, n * k // 2, seed=self.rng)
            else:
                G = nx.barabasi_albert_graph(n, params.m, seed=self.rng)
            arr = np.array(list(G.edges()), dtype=np.int64).reshape(-1, 2)
            self._static = (arr[:, 0].copy(), arr[:, 1].copy())
            self._ids = self._far = np.zeros(0, dtype=np.int64)
            self._moved = {}
        self._caches: dict[int, dict[str, Any]] = {}
        self.selected: int | None = None
        self.path_ends: tuple[int, int] | None = None
        self.rumour: dict[str, Any] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> SmallWorldEngine:
        # Share what never changes (decisions, per-version caches), copy the rest.
        other = object.__new__(SmallWorldEngine)
        other.__dict__.update(self.__dict__)
        other.rng = random.Random()
        other.rng.setstate(self.rng.getstate())
        if self.rumour is not None:
            other.rumour = {
                **self.rumour,
                "informed": bytearray(self.rumour["informed"]),
                "history": list(self.rumour["history"]),
            }
        return other

    # -- the graph at this version --------------------------------------------------------

    def _cache(self) -> dict[str, Any]:
        cache = self._caches.get(self.done)
        if cache is None:
            while len(self._caches) >= self._CACHED_VERSIONS:
                del self._caches[next(iter(self._caches))]
            cache = self._caches[self.done] = {}
        return cache

    def _applied(self) -> int:
        """How many changes (moved far ends or shortcuts) the applied decisions made."""
        return int(np.searchsorted(self._ids, self.done))

    def _arrays(self) -> tuple[IntArray, IntArray]:
        if self._static is not None:
            return self._static
        j = self._applied()
        return _apply_changes(self.n, 2 * self.h, self._ids[:j], self._far[:j], self.remove)

    def _is_lattice_edge(self, u: int, v: int) -> bool:
        d = (v - u) % self.n
        return min(d, self.n - d) <= self.h

    def _ring_hops(self, u: int, v: int) -> int:
        d = (v - u) % self.n
        return -(-min(d, self.n - d) // self.h)

    def _metrics(self) -> JSON:
        """C, L, local clustering, degrees and components (cached per version)."""
        cache = self._cache()
        metrics: JSON | None = cache.get("metrics")
        if metrics is not None:
            return metrics
        n = self.n
        if self.ring:
            j = self._applied()
            g = _ring_prepared(n, 2 * self.h, self._ids[:j], self._far[:j], self.remove)
        else:
            eu, ev = self._arrays()
            g = _prepare(n, eu, ev, None)
        local = _clustering_values(g)
        sums = _path_sums(g)  # last: it may reuse the adjacency buffer of g
        metrics = {
            "C": float(math.fsum(local.tolist()) / n),
            "local": local,
            "degree": np.bincount(g.eu, minlength=n) + np.bincount(g.ev, minlength=n),
            "sums": sums,
        }
        cache["metrics"] = metrics
        return metrics

    def _neighbours(self) -> list[list[int]]:
        cache = self._cache()
        nbrs: list[list[int]] | None = cache.get("nbrs")
        if nbrs is None:
            eu, ev = self._arrays()
            src = np.concatenate([eu, ev])
            dst = np.concatenate([ev, eu])
            order = np.lexsort((dst, src))
            cuts = np.cumsum(np.bincount(src, minlength=self.n))[:-1]
            nbrs = [part.tolist() for part in np.split(dst[order], cuts)]
            cache["nbrs"] = nbrs
        return nbrs

    def _picture(self) -> JSON:
        """Edges, shortcuts and degree histogram as JSON lists (cached per version)."""
        cache = self._cache()
        picture: JSON | None = cache.get("picture")
        if picture is None:
            n = self.n
            eu, ev = self._arrays()
            lo, hi = np.minimum(eu, ev), np.maximum(eu, ev)
            order = np.lexsort((hi, lo))
            edges = np.stack([lo[order], hi[order]], axis=1)
            gap = edges[:, 1] - edges[:, 0]
            across = np.minimum(gap, n - gap) > self.h
            degree = np.bincount(np.concatenate([eu, ev]), minlength=n)
            counts = np.bincount(degree)
            picture = {
                "edges": edges.tolist(),
                "shortcuts": edges[across].tolist() if self.ring else [],
                "degree_histogram": [[d, int(c)] for d, c in enumerate(counts) if c],
            }
            cache["picture"] = picture
        return picture

    def _reachable_from(self, source: int) -> int:
        cache = self._cache()
        key = f"reach {source}"
        if key not in cache:
            cache[key] = _reachable(self._neighbours(), source)
        return int(cache[key])

    def _path(self) -> list[int] | None:
        if self.path_ends is None:
            return None
        cache = self._cache()
        a, b = self.path_ends
        key = f"path {a} {b}"
        if key not in cache:
            nbrs = self._neighbours()
            parent = {a: a}
            queue = deque([a])
            while queue and b not in parent:
                u = queue.popleft()
                for v in nbrs[u]:
                    if v not in parent:
                        parent[v] = u
                        queue.append(v)
            path: list[int] | None = None
            if b in parent:
                path = [b]
                while path[-1] != a:
                    path.append(parent[path[-1]])
                path.reverse()
            cache[key] = path
        found: list[int] | None = cache[key]
        return None if found is None else list(found)

    # -- commands -------------------------------------------------------------------------

    def _fields(self, command: Mapping[str, Any]) -> None:
        check_fields(command, self._FIELDS[command["action"]])

    def _node(self, name: str, value: object) -> int:
        return check_int(name, value, 0, self.n - 1)

    def _require_decisions(self, action: str) -> None:
        if not self.ring:
            raise CommandError(
                "action", action, "applies only to the watts_strogatz and newman_watts models"
            )
        if self.done >= self.total:
            raise CommandError(
                "action", action, f"has nothing left: all {self.total} decisions are made"
            )

    def _decision(self, index: int) -> Rewiring:
        lap, node = divmod(index, self.n)
        return Rewiring(lap + 1, node, (node + lap + 1) % self.n, self._moved.get(index))

    def _apply_decision(self) -> Event:
        r = self._decision(self.done)
        self.done += 1
        data = {"lap": r.lap, "edge": [r.node, r.old], "new": None, "done": self.done}
        if r.new is None:
            if self.remove:
                text = f"Lap {r.lap}: edge ({r.node}, {r.old}) stays."
            else:
                text = f"Lap {r.lap}: no shortcut is added at edge ({r.node}, {r.old})."
            return Event("stay", text, data)
        data["new"] = [r.node, r.new]
        if not self.remove:
            text = (
                f"Lap {r.lap}: edge ({r.node}, {r.old}) stays and a shortcut "
                f"({r.node}, {r.new}) is added."
            )
            return Event("shortcut", text, data)
        across = not self._is_lattice_edge(r.node, r.new)
        what = "a shortcut across the ring" if across else "it joins ring neighbours again"
        text = f"Lap {r.lap}: edge ({r.node}, {r.old}) is rewired to ({r.node}, {r.new}): {what}."
        return Event("rewire", text, data)

    @move("rewire_next")
    def _cmd_rewire_next(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        self._require_decisions("rewire_next")
        return [self._apply_decision()]

    @move("rewire_all")
    def _cmd_rewire_all(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        self._require_decisions("rewire_all")
        first = self.done
        self.done = self.total
        moved = len(self._ids)
        if not self.remove:
            text = (
                f"All {self.total} decisions are made: {moved} shortcuts were added, "
                "and no lattice edge was removed."
            )
        else:
            node = self._ids % self.n
            gap = (self._far - node) % self.n
            across = int(np.count_nonzero(np.minimum(gap, self.n - gap) > self.h))
            text = (
                f"All {self.total} decisions are made: {moved} of the {self.total} edges were "
                f"rewired, and {across} of them are now shortcuts across the ring."
            )
        return [Event("rewire_all", text, {"from": first, "done": self.done})]

    @move("gossip")
    def _cmd_gossip(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        source = self._node("source", command["source"])
        mode = check_choice("mode", command["mode"], GOSSIP_MODES)
        informed = bytearray(self.n)
        informed[source] = 1
        self.rumour = {
            "mode": mode,
            "source": source,
            "round": 0,
            "informed": informed,
            "count": 1,
            "history": [1],
            "finished": False,
        }
        how = {
            "push": "nodes that know it tell the neighbour they call",
            "pull": "nodes that do not know it ask the neighbour they call",
            "push-pull": "every call passes it on, whichever end knows it",
        }[mode]
        text = (
            f"Node {source} starts a rumour ({mode}): each round every node calls one "
            f"random neighbour, and {how}."
        )
        return [Event("gossip_start", text, {"source": source, "mode": mode})]

    @look_up("select_node", example={"action": "select_node", "node": 0})
    def _cmd_select_node(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        if command["node"] is None:
            self.selected = None
            return [Event("select", "No node is selected.", {"node": None})]
        node = self._node("node", command["node"])
        self.selected = node
        metrics = self._metrics()
        d = int(metrics["degree"][node])
        local = float(metrics["local"][node])
        if d < 2:
            text = f"Node {node} has degree {d}: with fewer than two neighbours, C_v is 0."
        else:
            pairs = d * (d - 1) // 2
            joined = round(local * pairs)
            text = (
                f"Node {node} has degree {d} and local clustering C_v = {_fmt(local)}: "
                f"{joined} of its {pairs} neighbour pairs are joined."
            )
        return [Event("select", text, {"node": node, "degree": d, "C_v": local})]

    @look_up("shortest_path", example={"action": "shortest_path", "a": 0, "b": 1})
    def _cmd_shortest_path(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        a = self._node("a", command["a"])
        b = self._node("b", command["b"])
        self.path_ends = (a, b)
        path = self._path()
        if path is None:
            text = f"Nodes {a} and {b} are in different components: no path joins them."
        else:
            hops = len(path) - 1
            shown = " → ".join(str(v) for v in path)
            text = f"Shortest path from {a} to {b}: {shown} ({hops} hop{'s' * (hops != 1)}"
            if self.ring and a != b:
                text += f"; around the lattice alone it takes {self._ring_hops(a, b)})."
            else:
                text += ")."
        return [Event("path", text, {"a": a, "b": b, "path": path})]

    @look_up("clear", example={"action": "clear"})
    def _cmd_clear(self, command: Mapping[str, Any]) -> list[Event]:
        self._fields(command)
        self.selected = None
        self.path_ends = None
        return [Event("clear", "The selected node and the path are cleared.", {})]

    # -- time -----------------------------------------------------------------------------

    def _gossip_step(self) -> list[Event]:
        r = self.rumour
        assert r is not None
        newly = _gossip_round(self._neighbours(), r["informed"], r["mode"], self.rng)
        r["round"] += 1
        r["count"] += len(newly)
        r["history"].append(r["count"])
        n, count, rnd = self.n, r["count"], r["round"]
        if count == n:
            r["finished"] = True
            text = f"Round {rnd}: all {n:,} nodes know the rumour."
        elif count == self._reachable_from(r["source"]):
            r["finished"] = True
            text = (
                f"Round {rnd}: {count:,} of {n:,} nodes know the rumour; the other "
                f"{n - count:,} cannot be reached from node {r['source']}."
            )
        elif rnd >= 20 * n + 100:
            r["finished"] = True
            text = f"Round {rnd}: {count:,} of {n:,} nodes know the rumour; the spread stops here."
        else:
            text = f"Round {rnd}: {count:,} of {n:,} nodes know the rumour."
        return [Event("gossip_round", text, {"round": rnd, "newly": newly, "informed": count})]

    def step(self) -> list[Event]:
        """Advance the rumour one round if one is spreading, else apply the next decision."""
        if self.rumour is not None and not self.rumour["finished"]:
            if self.rumour["count"] == self._reachable_from(self.rumour["source"]):
                self.rumour["finished"] = True  # the graph changed under a finished spread
            else:
                return self._gossip_step()
        if self.done < self.total:
            return [self._apply_decision()]
        return []

    # -- the picture ----------------------------------------------------------------------

    def state(self) -> JSON:
        """The JSON-ready picture; its shape is in the class docstring."""
        p = self.params
        n = self.n
        metrics = self._metrics()
        sums: _PathSums = metrics["sums"]
        picture = self._picture()
        if sums.components == 1:
            big_l: float | None = sums.total / sums.pairs
            note = f"Mean shortest path over all {n * (n - 1):,} ordered pairs of nodes."
        else:
            big_l = None
            within = sums.largest_total / sums.largest_pairs if sums.largest_pairs else 0.0
            note = (
                f"The graph is disconnected ({sums.components} components), so L is "
                f"infinite; within the largest component ({sums.largest_n} nodes) it is "
                f"{_fmt(within)}."
            )
        selected = None
        if self.selected is not None:
            v = self.selected
            selected = {
                "node": v,
                "degree": int(metrics["degree"][v]),
                "C_v": float(metrics["local"][v]),
            }
        rumour = None
        if self.rumour is not None:
            r = self.rumour
            rumour = {
                "mode": r["mode"],
                "source": r["source"],
                "round": r["round"],
                "informed": [i for i, known in enumerate(r["informed"]) if known],
                "history": list(r["history"]),
                "finished": r["finished"],
            }
        return {
            "model": p.model,
            "n": n,
            "k": p.k,
            "p": p.p,
            "m": p.m,
            "nodes": n,
            "edges": list(picture["edges"]),
            "shortcuts": list(picture["shortcuts"]),
            "lap": min(self.done // n + 1, self.h) if self.ring else None,
            "decisions_done": self.done,
            "decisions_total": self.total,
            "C": metrics["C"],
            "L": big_l,
            "L_note": note,
            "components": sums.components,
            "C0": lattice_clustering(p.k, n),
            "L0": lattice_path_length(n, p.k),
            "degree_histogram": list(picture["degree_histogram"]),
            "selected": selected,
            "path": self._path(),
            "gossip": rumour,
            "theory": self._theory(metrics),
        }

    def _theory(self, metrics: JSON) -> JSON:
        """Closed forms beside the measurements (see :mod:`algorithms.theory`).

        ``C_barrat_weigt`` (Watts-Strogatz) and ``C_newman_watts`` (Newman-Watts, a
        transitivity: 3 x triangles / connected triples) predict C once every decision
        is made, null for the other models; ``L_random`` = ln n / ln k and ``C_random``
        = k / n use the graph's mean degree k (Table 1's random-graph columns), and
        ``table1`` is Table 1 with those formulas beside the published values.
        """
        p = self.params
        n = self.n
        mean_degree = float(metrics["degree"].sum()) / n
        c0 = lattice_clustering(p.k, n)
        return {
            "mean_degree": mean_degree,
            "C_barrat_weigt": barrat_weigt_clustering(c0, p.p)
            if p.model == "watts_strogatz"
            else None,
            "C_newman_watts": newman_watts_clustering(p.k, p.p)
            if p.model == "newman_watts"
            else None,
            "L_random": random_graph_path_length(n, mean_degree) if mean_degree > 1 else None,
            "C_random": random_graph_clustering(n, mean_degree),
            "table1": table1(n, mean_degree),
        }
