"""The lab's staleness figures: the PBS curve and the same measured on the live cluster.

Bailis et al., "Probabilistically Bounded Staleness for Practical Partial Quorums",
VLDB 2012, §5-6: the probability that a read starting ``t`` ms after a write commits
returns it (t-visibility), by Monte Carlo over the WARS model, beside the closed form
``1 - p_stale`` (the write on exactly ``W`` replicas, no propagation after the commit).
The live curve bins the cluster's own gets by how long after the key's latest commit
they started.

Examples
--------
>>> from algorithms.quorum.params import QuorumParams
>>> curve = pbs_curve(QuorumParams(n=3, r=1, w=1), seed=1)
>>> curve["p_consistent"][0] < curve["p_consistent"][-1], round(curve["closed_form"], 4)
(True, 0.3333)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from algorithms.quorum.messages import Request
from algorithms.quorum.params import QuorumParams
from algorithms.quorum.pbs import p_consistent
from algorithms.quorum.wars import wars_run

if TYPE_CHECKING:
    from algorithms.quorum.cluster import Cluster

__all__ = ["LAB_TRIALS", "POINTS", "live_curve", "measure_visibility", "pbs_curve"]

LAB_TRIALS = 20_000
"""Monte Carlo trials behind the lab's curve."""

POINTS = 41
"""Points on the curve's ``t`` grid."""


def pbs_curve(params: QuorumParams, seed: int) -> dict[str, Any]:
    """P(consistent) against ``t`` from 0 to the 99.9% t-visibility (at least 1 ms).

    Examples
    --------
    >>> strict = pbs_curve(QuorumParams(n=3, r=2, w=2), seed=1)
    >>> min(strict["p_consistent"])
    1.0
    """
    run = wars_run(params.n, params.r, params.w, params.model(), trials=LAB_TRIALS, seed=seed)
    t_max = max(1.0, run.t_at(0.999) * 1.2)
    grid = [round(t_max * i / (POINTS - 1), 6) for i in range(POINTS)]
    return {
        "t": grid,
        "p_consistent": [float(x) for x in run.p_consistent(grid)],
        "closed_form": p_consistent(params.n, params.r, params.w),
        "trials": LAB_TRIALS,
        "t_visibility_ms": {"p99": run.t_at(0.99), "p99.9": run.t_at(0.999)},
    }


def live_curve(reads: Sequence[Request], bins: int = 8) -> dict[str, Any]:
    """The live cluster's gets binned by ``t`` (ms since the key's latest commit).

    Examples
    --------
    >>> live_curve([])
    {'reads': 0, 'stale': 0, 'points': []}
    """
    timed = sorted((r.since_commit, bool(r.stale)) for r in reads if r.since_commit is not None)
    if not timed:
        return {"reads": 0, "stale": 0, "points": []}
    top = timed[-1][0] or 1.0
    points = []
    for b in range(bins):
        lo, hi = top * b / bins, top * (b + 1) / bins
        inside = [s for t, s in timed if lo <= t < hi or (b == bins - 1 and t == hi)]
        if inside:
            points.append(
                {
                    "t": (lo + hi) / 2,
                    "reads": len(inside),
                    "p_consistent": 1 - sum(inside) / len(inside),
                }
            )
    return {"reads": len(timed), "stale": sum(s for _, s in timed), "points": points}


def measure_visibility(cluster: Cluster, t: float, pairs: int) -> dict[str, Any]:
    """PBS's experiment on a copy of the live cluster, faults and all: ``pairs`` times,
    write a fresh key, wait until it commits, start a read ``t`` ms later at one of
    the key's reachable home nodes (in turn), and count the reads that see the write.

    Examples
    --------
    >>> from algorithms.quorum.cluster import Cluster
    >>> from algorithms.quorum.latency import latency_model
    >>> c = Cluster(("A", "B", "C", "D"), 3, 1, 1, latency_model("exponential", 1.0), seed=2)
    >>> m = measure_visibility(c, 0.0, 40)
    >>> m["pairs"], 0 < m["p_consistent"] < 1, c.requests
    (40, True, [])
    """
    c = copy.deepcopy(cluster)
    seen = measured = 0
    for i in range(pairs):
        key = f"probe-{i}"
        order = c.preference_list(key)
        first = next((x for x in order if c.reachable(CLIENTS_PROBE, x)), None)
        if first is None:
            break
        put = c.put(CLIENTS_PROBE, key, "v", first)
        while put.status in ("sent", "coordinating") and c.step() is not None:
            pass
        if put.status != "ok" or put.committed_at is None:
            continue
        until = put.committed_at + t
        while c.step(until) is not None:
            pass
        c.net.run_until(max(until, c.now))
        readers = [x for x in order[: c.n] if c.reachable(CLIENTS_PROBE, x)]
        if not readers:
            continue
        get = c.probe_get(key, readers[i % len(readers)])
        while get.status == "coordinating" and c.step() is not None:
            pass
        if get.stale is not None:
            measured += 1
            seen += not get.stale
        c.run_until_quiet()
    return {
        "t": t,
        "pairs": measured,
        "consistent": seen,
        "p_consistent": seen / measured if measured else 0.0,
    }


CLIENTS_PROBE = "C1"
