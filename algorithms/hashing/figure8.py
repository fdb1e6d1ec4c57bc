"""Dynamo's Figure 8: load-balancing efficiency against the membership metadata per node.

DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007, §6.2.
The three partitioning strategies are compared "while all strategies use the same
amount of space to maintain their membership information", for a system of S = 30
nodes and N = 3, "by varying the relevant parameters (T and Q)"; load-balancing
efficiency is "the ratio of average number of requests served by each node to the
maximum number of requests served by the hottest node". Figure 8 plots it against the
size of the metadata each node keeps: strategy 3 is best, strategy 2 worst.

What this reproduction counts (the paper leaves these details open):

- **Load**: requests spread uniformly over the hash space and each reaches the key's
  N replicas, so a node's load is the share of the hash space for which it is one of
  the N nodes of the preference list (Dynamo §4.3), not only the coordinator's share.
- **Metadata per node**: every node keeps the whole membership. Strategy 1: the S·T
  tokens. Strategy 2: the same S·T tokens (the Q equal partitions follow from Q
  alone). Strategy 3: the owner of each of the Q partitions, Q entries.
- **Strategy 2's Q** is fixed while T grows (``q2``, default 1,024): the partitions
  are placed by the tokens, so once the tokens are many, the load is set by how many
  of the Q partitions each node happens to get, and efficiency stops improving.
- **Strategy 3** deals Q = S·T partitions at random, T to each node, so each point
  stores as much as strategy 1's point with the same T.

The lab's other efficiency chart is a different measurement: the three strategies at
the lab's *own* T and Q (not at equal metadata), over the coordinators' shares only.
At equal T strategy 2 can look better than strategy 1; at equal metadata it does not.

Examples
--------
>>> points = figure8(seed=1, tokens_per_node=(1, 16, 256))
>>> [(p["strategy"], p["metadata"]) for p in points][:3]
[(1, 30), (1, 480), (1, 7680)]
>>> by = {(p["strategy"], p["metadata"]): p["efficiency"] for p in points}
>>> by[3, 7680] > by[1, 7680] > by[2, 7680]  # the paper's order at large metadata
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from algorithms.engine import CommandError, check_int, check_seed
from algorithms.hashing.ring import HASH_SPACE
from algorithms.hashing.strategies import PartitionScheme, partition_end

__all__ = [
    "FIGURE8_NODES",
    "FIGURE8_REPLICAS",
    "FIGURE8_STRATEGY2_Q",
    "FIGURE8_TOKENS",
    "MAX_FIGURE8_METADATA",
    "figure8",
    "lab_figure8",
    "replica_loads",
]

FIGURE8_NODES = 30
"""S in Figure 8."""

FIGURE8_REPLICAS = 3
"""N in Figure 8."""

FIGURE8_STRATEGY2_Q = 1024
"""Strategy 2's fixed number of equal partitions."""

FIGURE8_TOKENS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
"""Tokens per node T (strategies 1 and 2); strategy 3 uses Q = S·T partitions."""

MAX_FIGURE8_METADATA = 65_536
"""Most metadata entries (S·T or Q) at one point."""

MAX_FIGURE8_POINTS = 32
"""Most values of T in one call."""

MAX_FIGURE8_NODES = 256
"""Most nodes S."""

MAX_FIGURE8_REALIZATIONS = 8
"""Most random placements averaged per point."""


def replica_loads(scheme: PartitionScheme, n: int) -> dict[str, float]:
    """Each node's share of the hash space as one of the N replicas of a key (§4.3).

    Strategy 1 walks the tokens from each arc; strategies 2 and 3 from each partition's
    end (§6.2). The shares sum to ``min(n, S)``.

    Examples
    --------
    >>> from algorithms.hashing.strategies import strategy_3
    >>> s = strategy_3(["A", "B", "C", "D"], 4)
    >>> replica_loads(s, 2)
    {'A': 0.5, 'B': 0.5, 'C': 0.5, 'D': 0.5}
    """
    ring = scheme.ring
    owners, positions = ring.owners, ring.positions
    count = len(owners)
    loads = dict.fromkeys(scheme.nodes, 0.0)
    if not count:
        return loads
    index = {name: i for i, name in enumerate(dict.fromkeys(owners))}
    want = min(n, len(index))
    if scheme.q:
        starts = np.array([ring.index_at(partition_end(j, scheme.q)) for j in range(scheme.q)])
        shares = np.full(scheme.q, 1 / scheme.q)
    else:
        starts = np.arange(count)
        arcs = [
            p - q
            for p, q in zip(positions, [positions[-1] - HASH_SPACE, *positions[:-1]], strict=True)
        ]
        shares = np.array([a / HASH_SPACE for a in arcs])
    totals = _loads(np.array([index[o] for o in owners]), starts, shares, want, len(index))
    for name, i in index.items():
        loads[name] = float(totals[i])
    return loads


def _loads(owner_ids: Any, starts: Any, shares: Any, want: int, nodes: int) -> Any:
    """Sum each walk's share onto the ``want`` distinct nodes it meets first."""
    held = _first_distinct(owner_ids, starts, want)
    totals = np.zeros(nodes)
    np.add.at(totals, held.ravel(), np.repeat(shares, want))
    return totals


def _first_distinct(owner_ids: Any, starts: Any, want: int) -> Any:
    """For each start, the first ``want`` distinct owners walking clockwise (one row each).

    All walks advance together, one token per pass, so the passes number the longest
    walk (a few dozen tokens), not the number of arcs.
    """
    count = len(owner_ids)
    rows = np.arange(len(starts))
    chosen = np.full((len(starts), want), -1)
    filled = np.zeros(len(starts), dtype=np.int64)
    for step in range(count):
        todo = filled < want
        if not todo.any():
            break
        candidate = owner_ids[(starts + step) % count]
        new = todo & (chosen != candidate[:, None]).all(axis=1)
        chosen[rows[new], filled[new]] = candidate[new]
        filled[new] += 1
    return chosen


def figure8(
    seed: int,
    *,
    nodes: int = FIGURE8_NODES,
    replicas: int = FIGURE8_REPLICAS,
    tokens_per_node: Sequence[int] = FIGURE8_TOKENS,
    q2: int = FIGURE8_STRATEGY2_Q,
    realizations: int = 1,
) -> list[dict[str, Any]]:
    """Load-balancing efficiency of strategies 1-3 against metadata per node (Figure 8).

    Parameters
    ----------
    seed : int
        Seeds every random token and partition draw.
    nodes : int
        S, 2 to 256 (the paper: 30).
    replicas : int
        N, 1 to 7 (the paper: 3).
    tokens_per_node : sequence of int
        The values of T (1 to 32 of them, each with S·T at most 65,536).
    q2 : int
        Strategy 2's partitions, 1 to 65,536.
    realizations : int
        Random placements averaged per point, 1 to 8.

    Returns
    -------
    list of dict
        One point per strategy and T, strategy by strategy: ``strategy``, ``t`` (tokens
        per node; for strategy 3 the partitions per node), ``q`` (partitions, 0 for
        strategy 1), ``metadata`` (entries each node stores) and ``efficiency`` (mean
        load over the hottest node's load, averaged over realizations).

    Examples
    --------
    >>> point = figure8(seed=2, tokens_per_node=(1,))[2]
    >>> point["strategy"], point["q"], point["metadata"], round(point["efficiency"], 9)
    (3, 30, 30, 1.0)
    >>> figure8(seed=2, tokens_per_node=(4096,))
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: tokens_per_node[0] must give S·T of at most 65536 (S = 30), got 4096
    """
    seed_ = check_seed(seed)
    s = check_int("nodes", nodes, 2, MAX_FIGURE8_NODES)
    n = check_int("replicas", replicas, 1, 7)
    q2_ = check_int("q2", q2, 1, MAX_FIGURE8_METADATA)
    reps = check_int("realizations", realizations, 1, MAX_FIGURE8_REALIZATIONS)
    if isinstance(tokens_per_node, str | bytes) or not isinstance(tokens_per_node, Sequence):
        raise CommandError("tokens_per_node", tokens_per_node, "must be a list of integers")
    if not 1 <= len(tokens_per_node) <= MAX_FIGURE8_POINTS:
        raise CommandError(
            "tokens_per_node", tokens_per_node, f"must hold 1 to {MAX_FIGURE8_POINTS} values"
        )
    ts: list[int] = []
    for i, t in enumerate(tokens_per_node):
        t_ = check_int(f"tokens_per_node[{i}]", t, 1, MAX_FIGURE8_METADATA)
        if s * t_ > MAX_FIGURE8_METADATA:
            raise CommandError(
                f"tokens_per_node[{i}]",
                t,
                f"must give S·T of at most {MAX_FIGURE8_METADATA} (S = {s})",
            )
        ts.append(t_)
    rng = np.random.default_rng(seed_)
    totals = {(strategy, t): 0.0 for strategy in (1, 2, 3) for t in ts}
    for _ in range(reps):
        for t in ts:
            for strategy, loads in enumerate(_placements(rng, s, t, q2_, n), start=1):
                totals[strategy, t] += min(1.0, float(loads.mean() / loads.max()))
    points: list[dict[str, Any]] = []
    for strategy in (1, 2, 3):
        for t in ts:
            points.append(
                {
                    "strategy": strategy,
                    "t": t,
                    "q": 0 if strategy == 1 else (q2_ if strategy == 2 else s * t),
                    "metadata": s * t,
                    "efficiency": totals[strategy, t] / reps,
                }
            )
    return points


def _placements(rng: Any, s: int, t: int, q2: int, n: int) -> tuple[Any, Any, Any]:
    """Replica loads under strategies 1, 2 and 3 for one random draw (numpy arrays).

    Strategy 1: S·T uniform tokens, each arc held by the N distinct nodes from its end
    token. Strategy 2: the same tokens, Q2 equal partitions each walked from the first
    token at or after its end. Strategy 3: Q = S·T equal partitions dealt at random, T
    to each node, walked over the partitions' owners. The same rules as
    :class:`~algorithms.hashing.strategies.PartitionScheme` and :func:`replica_loads`, on floats.
    """
    count = s * t
    positions = rng.random(count)
    order = np.argsort(positions)
    ring = positions[order]
    owners = np.repeat(np.arange(s), t)[order]
    arcs = np.diff(ring, prepend=ring[-1] - 1.0)
    want = min(n, s)
    one = _loads(owners, np.arange(count), arcs, want, s)
    ends = np.arange(1, q2 + 1) / q2
    starts = np.searchsorted(ring, ends, side="left") % count
    two = _loads(owners, starts, np.full(q2, 1 / q2), want, s)
    dealt = np.empty(count, dtype=np.int64)
    dealt[rng.permutation(count)] = np.arange(count) % s
    three = _loads(dealt, np.arange(count), np.full(count, 1 / count), want, s)
    return one, two, three


LAB_FIGURE8_SEED = 1
"""The seed of the Figure 8 the consistent-hashing lab shows (it is the same for every
student's ring: the figure is a fixed experiment, not a picture of the lab's ring)."""


@lru_cache(maxsize=1)
def _lab_points() -> tuple[tuple[tuple[str, Any], ...], ...]:
    return tuple(tuple(p.items()) for p in figure8(LAB_FIGURE8_SEED, realizations=4))


def lab_figure8() -> list[dict[str, Any]]:
    """``figure8(seed=1, realizations=4)``: the paper's S = 30 and N = 3, once per process.

    It takes about half a second and is the same for every lab, so it is kept (a pure
    function's result: nothing else is shared).

    Examples
    --------
    >>> lab_figure8() == figure8(LAB_FIGURE8_SEED, realizations=4)
    True
    """
    return [dict(point) for point in _lab_points()]
