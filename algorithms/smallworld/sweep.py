"""The Figure 2 sweep: ``C(p)/C(0)`` and ``L(p)/L(0)`` over many rewired graphs.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998), Figure 2, plot the clustering coefficient ``C(p)/C(0)`` and the characteristic
path length ``L(p)/L(0)`` against ``p`` on a log axis (``n = 1000``, ``k = 10``, 20
realizations): ``L`` collapses long before ``C`` does, and in between lies the
small-world regime. :func:`sweep` redraws it exactly, fast enough to stream live.

Examples
--------
>>> rows = sweep(100, 4, [0.0, 1.0], 1, seed=3)
>>> [(r["p"], r["C_norm"]) for r in rows][0]
(0.0, 1.0)
"""

from __future__ import annotations

import math
import multiprocessing
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import numpy as np

from algorithms.engine import CommandError, check_int, check_seed
from algorithms.smallworld.generators import _decide
from algorithms.smallworld.limits import (
    JSON,
    SWEEP_MAX_K,
    SWEEP_MAX_NODES,
    SWEEP_MAX_PS,
    SWEEP_MAX_REALIZATIONS,
    SWEEP_MAX_WORKERS,
    _check_k,
    _check_n,
    _check_p,
)
from algorithms.smallworld.metrics import (
    _clustering_values,
    _path_sums,
    _ring_prepared,
    lattice_clustering,
    lattice_path_length,
)

__all__ = ["SweepCancelled", "realization_seed", "sweep"]


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
