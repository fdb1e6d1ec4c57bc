"""Small-world benchmark: Watts & Strogatz's Figure 2 sweep, against networkx.

- The full Figure 2 sweep: n = 1000, k = 10, 14 values of p log-spaced from 1e-4 to 1,
  20 realizations each, generation included, with workers=2 (target under 1.5 s wall)
  and workers=1.
- networkx on the same work (``watts_strogatz_graph`` + ``average_clustering`` +
  ``average_shortest_path_length``): one realization per p is timed (14 graphs) and
  multiplied by 20; the ratio against our sweep must be at least 100x.
- Values: on those 14 graphs (built by networkx and by our generator from the same
  seeds: the graphs are checked identical), our C and L against networkx's: max |C diff|
  (target < 1e-9) and L equal to the last bit.
- Gossip: rounds to inform everyone on the ring lattice, a small world and a random
  G(n, m) with the same n and m, for push, pull and push-pull.
"""

from __future__ import annotations

import os
import resource
import statistics
import time

import networkx as nx
import numpy as np

from algorithms.small_world import (
    _measure_ws,
    gossip_comparison,
    realization_seed,
    sweep,
    watts_strogatz,
)

N, K, REALIZATIONS, SEED = 1000, 10, 20, 2026
PS = [float(p) for p in np.logspace(-4, 0, 14)]
RUNS = 3


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_sweep() -> float:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} before the runs")
    times = {}
    rows = []
    for workers in (2, 1):
        runs, cpus = [], []
        for _ in range(RUNS):
            start, cpu = time.perf_counter(), _cpu()
            rows = sweep(N, K, PS, REALIZATIONS, SEED, workers=workers)
            runs.append(time.perf_counter() - start)
            cpus.append(_cpu() - cpu)
        times[workers] = runs
        shown = ", ".join(f"{t:.2f}" for t in runs)
        print(
            f"our sweep, workers={workers}: {statistics.median(runs):.2f} s wall, median of "
            f"{RUNS} runs ({shown} s), {statistics.median(cpus):.2f} CPU-s in all processes; "
            f"{len(PS)} p x {REALIZATIONS} realizations, n={N}, k={K}, generation included"
        )
    print("   p          C/C(0)   L/L(0)")
    for row in rows:
        print(f"   {row['p']:<10.2e} {row['C_norm']:.4f}   {row['L_norm']:.4f}")
    best = statistics.median(times[2])
    print(f"target: workers=2 under 1.5 s: {'met' if best < 1.5 else 'NOT met'} ({best:.2f} s)")
    return best


def bench_networkx(ours: float) -> None:
    nx_time = 0.0
    c_diff = 0.0
    l_equal = True
    for i, p in enumerate(PS):
        seed = realization_seed(SEED, i, 0)
        start = time.perf_counter()
        G = nx.watts_strogatz_graph(N, K, p, seed=seed)
        c = nx.average_clustering(G)
        length = nx.average_shortest_path_length(G)
        nx_time += time.perf_counter() - start
        ours_graph = watts_strogatz(N, K, p, seed)
        assert {frozenset(e) for e in G.edges()} == {frozenset(e) for e in ours_graph.edges()}
        our_c, our_l, connected = _measure_ws(N, K, p, seed)
        assert connected
        c_diff = max(c_diff, abs(our_c - c))
        l_equal = l_equal and our_l == length
    extrapolated = nx_time * REALIZATIONS
    print(
        f"networkx: timed 1 realization x {len(PS)} p = {nx_time:.1f} s; x {REALIZATIONS} "
        f"realizations = {extrapolated:.0f} s (extrapolated) for the full sweep"
    )
    print(f"ratio networkx / ours (workers=2): {extrapolated / ours:.0f}x (target >= 100x)")
    print(
        f"values on the same {len(PS)} n={N} graphs: max |C - networkx C| = {c_diff:.1e} "
        f"(target < 1e-9); L equal to networkx's in every graph: {l_equal}"
    )


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
    ours = bench_sweep()
    bench_networkx(ours)
    bench_gossip()


if __name__ == "__main__":
    main()
