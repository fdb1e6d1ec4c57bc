"""t-visibility by Monte Carlo under the WARS model (Bailis et al., VLDB 2012, section 5).

A write goes to all ``N`` replicas of a key (Dynamo, DeCandia et al., SOSP 2007, section
4.5). In each trial, replica ``i`` receives the write after ``W_i`` ms and its
acknowledgement reaches the coordinator ``A_i`` ms later; the write *commits* when the
``W``-th acknowledgement arrives, at the ``W``-th smallest ``W_i + A_i``. A read is sent
to all replicas ``t`` ms after the commit; it reaches replica ``i`` after ``R_i`` and the
reply comes back ``S_i`` later; the read returns after the first ``R`` replies. It is
*consistent* if at least one of those ``R`` replicas had received the write when the
read reached it: ``W_i <= commit + t + R_i``.

Which replicas answer first does not depend on ``t``, so each trial has a threshold

    staleness = min over the first R repliers of (W_i - R_i) - commit,

and the read is consistent exactly when ``t >= staleness``. One batch of trials thus
answers a whole grid of ``t`` values, and the probability of consistency is a
non-decreasing function of ``t`` (PBS t-visibility). With ``R + W > N`` the first ``R``
repliers include a replica that acknowledged the write before the commit, so the
probability is 1 at every ``t >= 0``.

Trials are drawn in chunks from ``numpy.random.default_rng(seed)``, replica-major, and
order statistics across the ``N`` replicas are taken with Batcher's odd-even merge
sorting network applied column-wise, so the work is a few dozen vectorized numpy
operations per chunk. Ties between replies (only possible with constant delays) are
broken by a fixed rule that never looks at the write delays. Delays are drawn in single
precision (``float32``, a relative resolution of 6e-8, far below any latency the presets
can tell apart), which halves the memory traffic; the rounding is monotone, so a strict
quorum still comes out consistent in every trial. A run keeps three ``float64`` values
per trial (48 MB at the maximum of 2,000,000 trials).

Examples
--------
>>> round(t_visibility(3, 1, 1, "LNKD-SSD", 0.0, trials=100_000, seed=1), 2)
0.97
>>> t_visibility(3, 2, 2, "YMMR", [0, 10], trials=1000, seed=1).tolist()
[1.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from algorithms.engine import check_float, check_seed
from algorithms.quorum.latency import Leg, WARSModel, as_wars_model
from algorithms.quorum.limits import (
    MAX_N_SIMULATED,
    check_quorum,
    check_times,
    check_trials,
    is_scalar_time,
)
from algorithms.quorum.pbs import p_consistent

__all__ = [
    "CHUNK_DELAYS",
    "WARSRun",
    "sorting_network",
    "t_at_probability",
    "t_visibility",
    "wars_run",
]

Array = npt.NDArray[np.float64]
Delays = npt.NDArray[np.floating[Any]]
Latency = str | WARSModel | Leg

# Delays per leg drawn at once: small enough to stay in cache, large enough that numpy's
# per-call overhead is negligible. Part of the random stream's definition: changing it
# changes the trials drawn for a seed.
CHUNK_DELAYS = 1 << 16


@cache
def sorting_network(n: int) -> tuple[tuple[int, int], ...]:
    """Batcher's odd-even merge sorting network on ``n`` wires, as ``(i, j)`` with ``i < j``.

    Comparing and exchanging the pairs in order (smaller value to ``i``) sorts any
    input (Knuth, The Art of Computer Programming, vol. 3, section 5.3.4). Built for
    the next power of two; comparators that reach past ``n`` are dropped, which is the
    same as padding with ``+inf`` values that never move.

    Examples
    --------
    >>> sorting_network(3)
    ((0, 1), (0, 2), (1, 2))
    """
    pairs: list[tuple[int, int]] = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


def _kth_smallest(x: Delays, k: int) -> Delays:
    """The ``k``-th smallest (1-based) along the first axis of ``x``."""
    n = x.shape[0]
    if k == 1:
        return x.min(axis=0)
    if k == n:
        return x.max(axis=0)
    rows: list[Delays] = list(x)
    for i, j in sorting_network(n):
        rows[i], rows[j] = np.minimum(rows[i], rows[j]), np.maximum(rows[i], rows[j])
    return rows[k - 1]


def _first_replies(reply: Delays, lag: Delays, r: int) -> tuple[Delays, Delays]:
    """For the ``r`` smallest replies per column: the smallest ``lag`` and the ``r``-th reply."""
    n = reply.shape[0]
    if r == n:
        return lag.min(axis=0), reply.max(axis=0)
    if r == 1:
        # A running minimum over the replicas (cheaper than argmin along the first axis).
        best_reply, best_lag = reply[0].copy(), lag[0].copy()
        for i in range(1, n):
            sooner = reply[i] < best_reply
            np.copyto(best_reply, reply[i], where=sooner)
            np.copyto(best_lag, lag[i], where=sooner)
        return best_lag, best_reply
    rows: list[Delays] = list(reply)
    lags: list[Delays] = list(lag)
    for i, j in sorting_network(n):
        swap = rows[i] > rows[j]
        rows[i], rows[j] = np.minimum(rows[i], rows[j]), np.maximum(rows[i], rows[j])
        lags[i], lags[j] = np.where(swap, lags[j], lags[i]), np.where(swap, lags[i], lags[j])
    smallest = lags[0]
    for x in lags[1:r]:
        smallest = np.minimum(smallest, x)
    return smallest, rows[r - 1]


@dataclass(frozen=True, eq=False)
class WARSRun:
    """The outcome of ``trials`` WARS trials for one ``(N, R, W)`` and latency model.

    Attributes
    ----------
    n, r, w, trials : int
        The configuration simulated.
    model : WARSModel
        The latency model.
    staleness_ms : numpy.ndarray
        Per trial, sorted ascending: the smallest ``t`` (ms after the commit) at which
        the read would be consistent; ``<= 0`` for reads consistent at once.
    write_latency_ms, read_latency_ms : numpy.ndarray
        Per trial, in trial order: when the write committed (the ``W``-th
        acknowledgement) and how long the read took (the ``R``-th reply).
    """

    n: int
    r: int
    w: int
    trials: int
    model: WARSModel
    staleness_ms: Array
    write_latency_ms: Array
    read_latency_ms: Array

    def p_consistent(self, t: float | Sequence[float] | Array) -> Array:
        """The fraction of trials whose read, started ``t`` ms after the commit, is consistent.

        ``t`` is validated as in :func:`t_visibility`; the result has one value per ``t``.
        """
        times = np.asarray(check_times(t))
        hits = np.searchsorted(self.staleness_ms, times, side="right")
        return np.asarray(hits / self.trials, dtype=np.float64)

    def t_at(self, p: float) -> float:
        """The smallest ``t >= 0`` at which at least a fraction ``p`` of reads is consistent.

        PBS reports this as "t-visibility for probability p" (e.g. 99.9%). ``p`` is in
        ``[0, 1]``.
        """
        p = check_float("p", p, 0.0, 1.0)
        # The -1e-9 keeps e.g. 0.3 * 10 = 3.0000000000000004 from rounding up to 4.
        k = max(1, math.ceil(p * self.trials - 1e-9))
        return max(0.0, float(self.staleness_ms[k - 1]))

    def summary(self, t: float | Sequence[float] | Array) -> dict[str, Any]:
        """A JSON-ready picture for the lab's chart: P(consistent) on a grid of ``t``.

        Also the closed form ``1 - p_stale`` (the write on exactly ``W`` replicas), the
        t-visibility at 99% and 99.9%, and the median and 99.9th percentile of the write
        and read latencies, all in ms (Bailis et al., VLDB 2012, section 6).

        Examples
        --------
        >>> s = wars_run(3, 1, 1, "LNKD-SSD", trials=5_000, seed=1).summary([0, 5])
        >>> sorted(s)
        ['n', 'p_consistent', 'p_consistent_closed_form', 'r', 'read_latency_ms', 't', 't_visibility_ms', 'trials', 'w', 'write_latency_ms']
        >>> s["p_consistent_closed_form"]
        0.3333333333333333
        """
        times = check_times(t)

        def percentiles(x: Array) -> dict[str, float]:
            p50, p999 = np.quantile(x, [0.5, 0.999])
            return {"p50": float(p50), "p99.9": float(p999)}

        return {
            "n": self.n,
            "r": self.r,
            "w": self.w,
            "trials": self.trials,
            "t": times,
            "p_consistent": self.p_consistent(times).tolist(),
            "p_consistent_closed_form": p_consistent(self.n, self.r, self.w),
            "t_visibility_ms": {"p99": self.t_at(0.99), "p99.9": self.t_at(0.999)},
            "write_latency_ms": percentiles(self.write_latency_ms),
            "read_latency_ms": percentiles(self.read_latency_ms),
        }


def wars_run(n: int, r: int, w: int, latency: Latency, trials: int, seed: int) -> WARSRun:
    """Run ``trials`` WARS trials and keep every trial's staleness and latencies.

    Parameters
    ----------
    n : int
        Replicas per key, 1 to :data:`~algorithms.quorum.limits.MAX_N_SIMULATED` (32).
    r, w : int
        Read and write quorum sizes, 1 to ``N``.
    latency : str, WARSModel or delay law
        A preset name (``"LNKD-SSD"``, ``"LNKD-DISK"``, ``"YMMR"``, ``"WAN"``), a
        :class:`~algorithms.quorum.latency.WARSModel`, or one delay law for all four legs.
    trials : int
        1 to :data:`~algorithms.quorum.limits.MAX_TRIALS` (2,000,000), and ``trials * N``
        at most :data:`~algorithms.quorum.limits.MAX_REPLICA_TRIALS` (20,000,000).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    WARSRun

    Examples
    --------
    >>> run = wars_run(3, 1, 1, "LNKD-DISK", trials=20_000, seed=7)
    >>> bool(run.p_consistent(0.0)[0] < run.p_consistent(10.0)[0])
    True
    >>> bool(0 < run.t_at(0.999) < 100)
    True
    """
    n, r, w = check_quorum(n, r, w, MAX_N_SIMULATED)
    model = as_wars_model(latency)
    trials = check_trials(trials, n)
    rng = np.random.default_rng(check_seed(seed))
    staleness = np.empty(trials)
    write_latency = np.empty(trials)
    read_latency = np.empty(trials)
    per_chunk = max(1, CHUNK_DELAYS // n)
    for start in range(0, trials, per_chunk):
        stop = min(trials, start + per_chunk)
        d = model.sample(rng, (n, stop - start), np.float32)
        commit = _kth_smallest(d.w + d.a, w)
        # Replica i has the write when the read reaches it iff W_i - R_i <= commit + t.
        lag, last_reply = _first_replies(d.r + d.s, d.w - d.r, r)
        staleness[start:stop] = lag - commit
        write_latency[start:stop] = commit
        read_latency[start:stop] = last_reply
    staleness.sort()
    return WARSRun(n, r, w, trials, model, staleness, write_latency, read_latency)


@overload
def t_visibility(
    n: int, r: int, w: int, latency: Latency, t: float, trials: int, seed: int
) -> float: ...


@overload
def t_visibility(
    n: int, r: int, w: int, latency: Latency, t: Sequence[float] | Array, trials: int, seed: int
) -> Array: ...


def t_visibility(
    n: int,
    r: int,
    w: int,
    latency: Latency,
    t: float | Sequence[float] | Array,
    trials: int,
    seed: int,
) -> float | Array:
    """The probability that a read started ``t`` ms after a write committed returns it.

    PBS t-visibility under the WARS model (Bailis et al., VLDB 2012, sections 4 and 5),
    estimated from ``trials`` Monte Carlo trials; see the module docstring for the model.
    Every ``t`` of a grid is evaluated on the same trials.

    Parameters
    ----------
    n, r, w, latency, trials, seed
        As in :func:`wars_run`.
    t : float or sequence of float
        Ms after the commit, 0 to :data:`~algorithms.quorum.limits.MAX_T_MS` (100,000);
        a sequence holds at most :data:`~algorithms.quorum.limits.MAX_T_POINTS` (1,000).

    Returns
    -------
    float or numpy.ndarray
        A probability for a scalar ``t``, an array of them for a sequence.

    Raises
    ------
    CommandError
        If any argument is out of range or the preset is unknown (checked before any
        trial runs).

    Examples
    --------
    >>> p = t_visibility(3, 1, 1, "YMMR", [0, 100, 100_000], trials=20_000, seed=3)
    >>> bool(p[0] < p[1] <= p[2]), float(p[2])
    (True, 1.0)
    """
    n, r, w = check_quorum(n, r, w, MAX_N_SIMULATED)
    as_wars_model(latency)
    times = check_times(t)
    run = wars_run(n, r, w, latency, trials, seed)
    p = run.p_consistent(times)
    if is_scalar_time(t):
        return float(p[0])
    return p


def t_at_probability(
    n: int, r: int, w: int, latency: Latency, p: float, trials: int, seed: int
) -> float:
    """The smallest ``t`` (ms after the commit) at which reads are consistent with probability ``p``.

    PBS's "t-visibility at p" (e.g. the 99.9th percentile), from :meth:`WARSRun.t_at`.
    0 for a strict quorum (``R + W > N``).

    Examples
    --------
    >>> t_at_probability(3, 2, 2, "LNKD-DISK", 0.999, trials=10_000, seed=1)
    0.0
    """
    check_quorum(n, r, w, MAX_N_SIMULATED)
    p = check_float("p", p, 0.0, 1.0)
    return wars_run(n, r, w, latency, trials, seed).t_at(p)
