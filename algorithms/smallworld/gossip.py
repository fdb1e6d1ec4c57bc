"""Gossip: a rumour spreading on a graph, one random call per node and round.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007,
section 4.8, spread membership changes by gossip: every node contacts one random peer
each round. Strogatz, "Exploring complex networks", Nature 410:268-276 (2001), and Watts
& Strogatz, Nature 393:440-442 (1998), note that what spreads on a small world spreads
almost as fast as on a random graph; :func:`gossip_comparison` measures it against the
ring lattice and ``G(n, m)``.

Examples
--------
>>> import networkx as nx
>>> [len(r) for r in gossip(nx.path_graph(3), 0, "push", seed=1)]
[1, 1, 0, 1]
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

from algorithms.engine import CommandError, check_choice, check_int, check_seed
from algorithms.smallworld.generators import erdos_renyi, ring_lattice, watts_strogatz
from algorithms.smallworld.limits import (
    ENGINE_MAX_NODES,
    GOSSIP_MAX_ROUNDS,
    GOSSIP_MAX_RUNS,
    GOSSIP_MODES,
    JSON,
    SWEEP_MAX_K,
    _check_graph,
    _check_k,
    _check_n,
    _check_p,
    _gossip_round_cap,
)
from algorithms.smallworld.metrics import _neighbour_lists, _reachable, clustering, path_length
from algorithms.smallworld.sweep import SweepCancelled

__all__ = ["Rumour", "gossip", "gossip_comparison", "rounds_to_inform_all"]


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


@dataclass
class Rumour:
    """A rumour spreading in the lab engine, round by round (Dynamo section 4.8).

    Attributes
    ----------
    mode : str
        ``"push"``, ``"pull"`` or ``"push-pull"``.
    source : int
        The node that started it.
    informed : bytearray
        1 for every node that knows it.
    round : int
        Rounds run so far.
    count : int
        How many nodes know it.
    history : list of int
        ``count`` after each round, from round 0.
    finished : bool
        True once it can spread no further.

    Examples
    --------
    >>> rumour = Rumour.start(4, 2, "push")
    >>> rumour.spread(((1,), (0, 2), (1, 3), (2,)), random.Random(1))
    [3]
    >>> rumour.to_json()["informed"], rumour.history
    ([2, 3], [1, 2])
    """

    mode: str
    source: int
    informed: bytearray
    round: int = 0
    count: int = 1
    history: list[int] = field(default_factory=lambda: [1])
    finished: bool = False

    @classmethod
    def start(cls, n: int, source: int, mode: str) -> Rumour:
        """Only ``source`` knows it, before the first round."""
        informed = bytearray(n)
        informed[source] = 1
        return cls(mode, source, informed)

    def spread(self, nbrs: Sequence[Sequence[int]], rng: random.Random) -> list[int]:
        """Run one round on the graph ``nbrs``; the nodes newly informed, in node order."""
        newly = _gossip_round(nbrs, self.informed, self.mode, rng)
        self.round += 1
        self.count += len(newly)
        self.history.append(self.count)
        return newly

    def to_json(self) -> JSON:
        """The rumour as the view reads it."""
        return {
            "mode": self.mode,
            "source": self.source,
            "round": self.round,
            "informed": [i for i, known in enumerate(self.informed) if known],
            "history": list(self.history),
            "finished": self.finished,
        }


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
    if max_rounds is None:
        cap = _gossip_round_cap(n)
    else:
        cap = check_int("max_rounds", max_rounds, 0, GOSSIP_MAX_ROUNDS)
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
