"""Cells and shuffle sharding: how many customers one bad request can take down.

Within an Availability Zone, a service can be split into *cells*, each serving a
distinct set of customers, so that a failure's impact is a subset of the customers of
one zone. *Shuffle sharding* goes further: each customer gets ``k`` of the ``n``
workers at random. A bad request (a "poison pill") kills every worker it reaches:

- one big fleet: every worker serves every customer, so all customers are affected;
- cells: the bad customer's cell dies; another customer is affected with
  probability ``1/cells`` (customers assigned to cells at random);
- shuffle sharding: the bad customer's ``k`` workers die; another customer loses all
  of its workers only if it has exactly the same ``k``, probability ``1/C(n, k)``,
  and loses at least one with probability ``1 − C(n−k, k)/C(n, k)`` (with retries on
  the workers it has left, it keeps working).

The *blast radius* is the share of the other customers affected.

Examples
--------
>>> shuffle_shard_overlap(8, 2)  # 1 / 28
0.03571428571428571
>>> r = blast_radius("shuffle", customers=2_000, workers=8, k=2, trials=400, seed=1)
>>> lo, hi = r.interval()
>>> lo < r.exact < hi
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from algorithms.engine import CommandError, check_choice, check_int, check_seed

__all__ = [
    "MAX_BLAST_WORK",
    "MAX_SIM_WORKERS",
    "MAX_WORKERS",
    "STRATEGIES",
    "BlastRadius",
    "blast_radius",
    "shuffle_shard_overlap",
    "shuffle_shard_touch",
]

STRATEGIES = ("fleet", "cells", "shuffle")
"""One big fleet, cells, or shuffle sharding."""

MAX_WORKERS = 100_000
"""The most workers in the closed forms."""

MAX_SIM_WORKERS = 62
"""The most workers in a simulation (a customer's shard is a 64-bit mask)."""

MAX_BLAST_WORK = 20_000_000
"""The most customer draws in one simulation (``trials × customers``)."""


def _check_shard(n: object, k: object, max_n: int) -> tuple[int, int]:
    n_ = check_int("n", n, 1, max_n)
    k_ = check_int("k", k, 1, n_)
    return n_, k_


def shuffle_shard_overlap(n: int, k: int) -> float:
    """Probability that two customers share all ``k`` workers: ``1 / C(n, k)``.

    Each customer's shard is a uniformly random ``k``-subset of ``n`` workers; there
    are ``C(n, k)`` of them, and another customer has exactly this one with
    probability ``1/C(n, k)``.

    Parameters
    ----------
    n : int
        Workers, 1 to :data:`MAX_WORKERS`.
    k : int
        Workers per customer, 1 to ``n``.

    Examples
    --------
    >>> shuffle_shard_overlap(8, 2) == 1 / 28
    True
    >>> shuffle_shard_overlap(8, 9)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: k must be an integer between 1 and 8, got 9
    """
    n_, k_ = _check_shard(n, k, MAX_WORKERS)
    return 1 / math.comb(n_, k_)


def shuffle_shard_touch(n: int, k: int) -> float:
    """Probability that two customers share at least one worker: ``1 − C(n−k, k)/C(n, k)``.

    Examples
    --------
    >>> round(shuffle_shard_touch(8, 2), 4)  # 1 − 15/28
    0.4643
    """
    n_, k_ = _check_shard(n, k, MAX_WORKERS)
    return 1 - math.comb(n_ - k_, k_) / math.comb(n_, k_)


@dataclass(frozen=True)
class BlastRadius:
    """Simulated and exact blast radius of one bad customer.

    ``affected`` is the mean share of the other customers who lost every worker;
    ``touched`` the mean share who lost at least one; ``exact`` and ``exact_touched``
    the combinatorial values; ``sd`` the standard deviation of the per-trial shares.

    Examples
    --------
    >>> r = BlastRadius("cells", 100, 8, 4, 25, 0.26, 0.26, 0.05, 0.25, 0.25)
    >>> [round(x, 4) for x in r.interval()]
    [0.2342, 0.2858]
    """

    strategy: str
    customers: int
    workers: int
    k: int
    trials: int
    affected: float
    touched: float
    sd: float
    exact: float
    exact_touched: float

    def interval(self, z: float = 2.576) -> tuple[float, float]:
        """Normal interval (99 % by default) of the mean share ``affected``."""
        half = z * self.sd / math.sqrt(self.trials)
        return self.affected - half, self.affected + half

    def to_json(self) -> dict[str, Any]:
        """The figures as a JSON object."""
        lo, hi = self.interval()
        return {
            "strategy": self.strategy,
            "customers": self.customers,
            "workers": self.workers,
            "k": self.k,
            "trials": self.trials,
            "affected": self.affected,
            "interval": [lo, hi],
            "touched": self.touched,
            "exact": self.exact,
            "exact_touched": self.exact_touched,
        }


def _shards(rng: np.random.Generator, count: int, n: int, k: int) -> npt.NDArray[np.int64]:
    """``count`` uniformly random ``k``-subsets of ``n`` workers, as bit masks.

    The ``k`` workers with the smallest of ``n`` uniform keys form a uniform subset.
    """
    if k == n:
        return np.full(count, (1 << n) - 1, dtype=np.int64)
    keys = rng.random((count, n))
    picks = np.argpartition(keys, k - 1, axis=1)[:, :k].astype(np.int64)
    return np.left_shift(np.int64(1), picks).sum(axis=1)  # distinct bits: sum is OR


def blast_radius(
    strategy: str,
    customers: int,
    workers: int,
    k: int,
    trials: int,
    seed: int,
) -> BlastRadius:
    """Simulate one bad customer's request killing what it touches; share affected.

    Each trial assigns every customer afresh (seeded), picks one bad customer and
    kills the workers it reaches, then counts the other customers who lost all
    (``affected``) or some (``touched``) of their workers.

    Parameters
    ----------
    strategy : {"fleet", "cells", "shuffle"}
        One big fleet (every customer on all workers), ``k`` cells of
        ``workers / k`` workers (``k`` must divide ``workers``; customers assigned to
        a cell at random), or shuffle sharding onto ``k`` of ``workers``.
    customers : int
        2 to 100,000.
    workers : int
        1 to :data:`MAX_SIM_WORKERS`.
    k : int
        Cells, or workers per customer; 1 to ``workers``.
    trials : int
        1 to 100,000, and ``trials × customers`` at most :data:`MAX_BLAST_WORK`.
    seed : int

    Examples
    --------
    >>> blast_radius("fleet", 100, 8, 1, 10, seed=0).affected
    1.0
    >>> r = blast_radius("cells", 1_000, 8, 4, 500, seed=2)
    >>> r.exact, r.interval()[0] < 0.25 < r.interval()[1]
    (0.25, True)
    """
    how = check_choice("strategy", strategy, STRATEGIES)
    m = check_int("customers", customers, 2, 100_000)
    n = check_int("workers", workers, 1, MAX_SIM_WORKERS)
    k_ = check_int("k", k, 1, n)
    t = check_int("trials", trials, 1, 100_000)
    if t * m > MAX_BLAST_WORK:
        raise CommandError(
            "trials", trials, f"must keep trials × customers within {MAX_BLAST_WORK:,}"
        )
    if how == "cells" and n % k_:
        raise CommandError("k", k, f"must divide workers={n} (cells of equal size)")
    rng = np.random.default_rng(check_seed(seed))
    affected = np.empty(t)
    touched = np.empty(t)
    for trial in range(t):
        if how == "fleet":
            full = touch = np.ones(m - 1, dtype=bool)
        elif how == "cells":
            cell = rng.integers(0, k_, m)
            full = touch = cell[1:] == cell[0]  # customer 0 is the bad one
        else:
            masks = _shards(rng, m, n, k_)
            dead = masks[0]
            full = (masks[1:] & ~dead) == 0
            touch = (masks[1:] & dead) != 0
        affected[trial] = full.mean()
        touched[trial] = touch.mean()
    if how == "fleet":
        exact = exact_touched = 1.0
    elif how == "cells":
        exact = exact_touched = 1 / k_
    else:
        exact, exact_touched = shuffle_shard_overlap(n, k_), shuffle_shard_touch(n, k_)
    sd = float(affected.std(ddof=1)) if t > 1 else 0.0
    return BlastRadius(
        how,
        m,
        n,
        k_,
        t,
        float(affected.mean()),
        float(touched.mean()),
        sd,
        exact,
        exact_touched,
    )
