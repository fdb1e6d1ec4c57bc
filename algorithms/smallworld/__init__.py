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

The package, by concept:

- :mod:`~algorithms.smallworld.limits`: every bound and model name, and the shared checks;
- :mod:`~algorithms.smallworld.generators`: ring lattice, Watts-Strogatz, Newman-Watts,
  Erdos-Renyi, Barabasi-Albert, and the rewiring decisions one by one;
- :mod:`~algorithms.smallworld.metrics`: ``C``, ``L``, degrees, shortest paths, exact by
  bit-parallel breadth-first search (:mod:`~algorithms.smallworld.bitbfs`);
- :mod:`~algorithms.smallworld.sweep`: the Figure 2 sweep, over a process pool;
- :mod:`~algorithms.smallworld.gossip`: push, pull and push-pull gossip;
- :mod:`~algorithms.smallworld.plan`, :mod:`~algorithms.smallworld.memo`,
  :mod:`~algorithms.smallworld.view`, :mod:`~algorithms.smallworld.params` and
  :mod:`~algorithms.smallworld.engine`: the lab engine, :class:`SmallWorldEngine`.

The library works on plain ``networkx.Graph`` objects. :mod:`algorithms.small_world`
re-exports the public names: it is the lab's stable address.

Examples
--------
>>> G = watts_strogatz(1000, 10, 0.01, seed=1)
>>> C, L = clustering(G), path_length(G)
>>> round(C / lattice_clustering(10), 2), round(L / lattice_path_length(1000, 10), 2)
(0.98, 0.19)
"""

from __future__ import annotations

from algorithms.smallworld.engine import SmallWorldEngine
from algorithms.smallworld.generators import (
    Rewiring,
    barabasi_albert,
    erdos_renyi,
    newman_watts,
    newman_watts_shortcuts,
    ring_lattice,
    watts_strogatz,
    watts_strogatz_rewirings,
)
from algorithms.smallworld.gossip import gossip, gossip_comparison, rounds_to_inform_all
from algorithms.smallworld.limits import (
    ENGINE_MAX_NODES,
    GOSSIP_MODES,
    MAX_EDGES,
    MAX_NODES,
    MODELS,
    SWEEP_MAX_NODES,
)
from algorithms.smallworld.metrics import (
    clustering,
    degree_distribution,
    lattice_clustering,
    lattice_path_length,
    path_length,
    shortest_path,
)
from algorithms.smallworld.params import SmallWorldParams
from algorithms.smallworld.sweep import SweepCancelled, realization_seed, sweep

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
