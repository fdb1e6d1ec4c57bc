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

from collections.abc import Sequence
from typing import Any

from algorithms.quorum.cluster import Request
from algorithms.quorum.params import QuorumParams
from algorithms.quorum.pbs import p_consistent
from algorithms.quorum.wars import wars_run

__all__ = ["LAB_TRIALS", "POINTS", "live_curve", "pbs_curve"]

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
