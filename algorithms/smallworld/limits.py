"""The small-world lab's limits, model names and the checks shared by its modules.

Every bound of :mod:`algorithms.smallworld` lives here, once: the generators and the
C/L functions (:data:`MAX_NODES`, :data:`MAX_EDGES`), the lab engine
(:data:`ENGINE_MAX_NODES`, :data:`ENGINE_MAX_K`), the Figure 2 sweep of Watts &
Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442 (1998)
(``SWEEP_MAX_*``) and the gossip comparison (:data:`GOSSIP_MAX_RUNS`).

Examples
--------
>>> _check_k(4, 10), _check_p(0.5)
(4, 0.5)
>>> _check_k(3, 10)
Traceback (most recent call last):
...
algorithms.engine.CommandError: k must be even (k/2 neighbours on each side of the ring), got 3
"""

from __future__ import annotations

from typing import Any

import networkx as nx  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from algorithms.engine import CommandError, check_float, check_int

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

ENGINE_MAX_M = 20
"""Most Barabasi-Albert edges per new node in the lab engine."""

GOSSIP_MAX_ROUNDS = 10**6
"""The largest ``max_rounds`` :func:`gossip` takes."""

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


def _gossip_round_cap(n: int) -> int:
    """Rounds after which a rumour stops: ``20 n + 100``, far more than a connected graph needs.

    Examples
    --------
    >>> _gossip_round_cap(40)
    900
    """
    return 20 * n + 100


RING_MODELS = ("watts_strogatz", "newman_watts")
"""The models built by rewiring (or adding shortcuts to) the ring lattice, lap by lap."""
