"""Small-world benchmark: Watts & Strogatz's Figure 2 sweep, against networkx.

- The full Figure 2 sweep: n = 1000, k = 10, 14 values of p log-spaced from 1e-4 to 1,
  20 realizations each, generation included, with workers=2 (target under 1.5 s wall,
  median of 3 runs) and workers=1; wall time and CPU-seconds of every process.
- networkx on the same work, measured, not extrapolated: the first realization of each
  p (14 graphs, the same seeds) through ``watts_strogatz_graph`` +
  ``average_clustering`` + ``average_shortest_path_length``, and our sweep of exactly
  those 14 realizations with one worker and with two. Both sides are counted in
  CPU-seconds: ``time.process_time`` of this process, plus, with two workers, the CPU
  of the pool's worker processes (``getrusage(RUSAGE_CHILDREN)`` once the pool has
  been shut down and its forked workers reaped). Target: networkx / ours at least
  100x, with one worker and with two.
- Values: on those 14 graphs (built by networkx and by our generator from the same
  seeds: the graphs are checked identical), our C and L against networkx's: max |C diff|
  (target < 1e-9) and L equal to the last bit.
- Gossip: rounds to inform everyone on the ring lattice, a small world and a random
  G(n, m) with the same n and m, for push, pull and push-pull (no target; figures only).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import threading
import time

import networkx as nx
import numpy as np

from algorithms.small_world import (
    gossip_comparison,
    realization_seed,
    sweep,
    watts_strogatz,
)
from tests.bench.targets import check, exit_after

N, K, REALIZATIONS, SEED = 1000, 10, 20, 2026
PS = [float(p) for p in np.logspace(-4, 0, 14)]
RUNS = 3
OURS_RUNS = 5  # our side of the networkx ratio is cheap: best of more runs


def _children_cpu() -> float:
    """CPU seconds of this process's finished (reaped) children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def _measured_sweep(realizations: int, workers: int) -> tuple[list[dict[str, float]], float, float]:
    """One sweep: its rows, wall seconds and CPU-seconds in this process and its workers."""
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    rows = sweep(N, K, PS, realizations, SEED, workers=workers)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu + _children_cpu() - children
    return rows, wall, cpu  # type: ignore[return-value]


def _check_fork() -> None:
    # Workers' CPU is read from RUSAGE_CHILDREN, which counts this process's own reaped
    # children: true of forked pool workers, not of a forkserver's.
    if threading.active_count() != 1 or "fork" not in multiprocessing.get_all_start_methods():
        raise RuntimeError(
            f"the pool would not fork here ({threading.active_count()} threads running): "
            "its workers' CPU-seconds could not be counted"
        )


def bench_sweep() -> None:
    _check_fork()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} before the runs")
    walls: dict[int, list[float]] = {}
    rows: list[dict[str, float]] = []
    for workers in (2, 1):
        runs, cpus = [], []
        for _ in range(RUNS):
            rows, wall, cpu = _measured_sweep(REALIZATIONS, workers)
            runs.append(wall)
            cpus.append(cpu)
        walls[workers] = runs
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(
            f"our sweep, workers={workers}: {statistics.median(runs):.2f} s wall, median of "
            f"{RUNS} runs ({shown} s), {statistics.median(cpus):.2f} CPU-s in all processes; "
            f"{len(PS)} p x {REALIZATIONS} realizations, n={N}, k={K}, generation included"
        )
    print("   p          C/C(0)   L/L(0)")
    for row in rows:
        print(f"   {row['p']:<10.2e} {row['C_norm']:.4f}   {row['L_norm']:.4f}")
    check(
        f"Figure 2 sweep ({len(PS)} p x {REALIZATIONS}), workers=2, median wall",
        statistics.median(walls[2]),
        "<",
        1.5,
        " s",
    )


def bench_networkx() -> None:
    _check_fork()
    nx_cpu = nx_wall = 0.0
    nx_values = []
    for i, p in enumerate(PS):
        seed = realization_seed(SEED, i, 0)  # realization 0 of p, as sweep(..., 1, SEED) uses
        wall, cpu = time.perf_counter(), time.process_time()
        G = nx.watts_strogatz_graph(N, K, p, seed=seed)
        c = nx.average_clustering(G)
        length = nx.average_shortest_path_length(G)
        nx_cpu += time.process_time() - cpu
        nx_wall += time.perf_counter() - wall
        nx_values.append((c, length))
        ours_graph = watts_strogatz(N, K, p, seed)
        assert {frozenset(e) for e in G.edges()} == {frozenset(e) for e in ours_graph.edges()}
    print(
        f"the same {len(PS)} realizations (realization 0 of each p, n={N}, k={K}), "
        "counted in CPU-seconds (time.process_time, plus the pool workers' CPU from "
        "getrusage(RUSAGE_CHILDREN) with two workers):"
    )
    print(f"  networkx, 1 process    : {nx_cpu:8.3f} CPU-s ({nx_wall:.2f} s wall)")
    ours_rows = None
    for workers in (1, 2):
        best_cpu = best_wall = float("inf")
        for _ in range(OURS_RUNS):
            rows, wall, cpu = _measured_sweep(1, workers)
            best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
            assert ours_rows is None or rows == ours_rows, "workers changed the rows"
            ours_rows = rows
        print(
            f"  ours, workers={workers}        : {best_cpu:8.3f} CPU-s ({best_wall:.2f} s wall), "
            f"best of {OURS_RUNS}; networkx / ours = {nx_cpu / best_cpu:.0f}x in CPU-s"
        )
        check(
            f"networkx / ours in CPU-s, same {len(PS)} realizations, workers={workers}",
            nx_cpu / best_cpu,
            ">=",
            100,
            "x",
        )
    assert ours_rows is not None
    c_diff = max(abs(r["C"] - c) for r, (c, _) in zip(ours_rows, nx_values, strict=True))
    l_unequal = sum(r["L"] != length for r, (_, length) in zip(ours_rows, nx_values, strict=True))
    print(
        f"values on the same {len(PS)} n={N} graphs: max |C - networkx C| = {c_diff:.1e}; "
        f"graphs whose L differs from networkx's: {l_unequal}"
    )
    check(f"max |C - networkx C| over the {len(PS)} graphs", c_diff, "<", 1e-9)
    check(f"graphs whose L differs from networkx's (of {len(PS)})", l_unequal, "<=", 0)


def bench_gossip() -> None:
    start = time.perf_counter()
    rows = gossip_comparison(N, K, 0.05, 10, SEED)
    took = time.perf_counter() - start
    print(f"gossip, n={N}, m={N * K // 2} edges, 10 runs per cell ({took:.1f} s):")
    print(
        f"   {'graph':<16}{'C':>7}{'L':>8}  {'mode':<10}{'rounds mean':>12}{'std':>7}{'range':>10}"
    )
    for r in rows:
        print(
            f"   {r['graph']:<16}{r['C']:>7.3f}{r['L']:>8.2f}  {r['mode']:<10}"
            f"{r['rounds_mean']:>12.1f}{r['rounds_std']:>7.1f}"
            f"{r['rounds_min']:>5}-{r['rounds_max']:<4}"
        )


def main() -> None:
    bench_sweep()
    bench_networkx()
    bench_gossip()


if __name__ == "__main__":
    exit_after(main)
