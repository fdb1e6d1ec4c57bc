"""Quorum benchmark: 1,000,000 WARS trials for one (N, R, W) over a grid of 50 values of t.

``t_visibility(3, 1, 1, "LNKD-DISK", grid, trials=1_000_000, seed=...)`` on a grid of 50
read start times from 0 to 100 ms; target under 1 s. The reference is a per-trial Python
loop over the same model (``random.Random`` draws, the same staleness threshold per
trial, then one sorted pass over the grid), measured in the same run on
``LOOP_TRIALS`` trials and scaled per trial to 1,000,000, as the loop would take tens of
seconds on the full work. Both are timed in wall-clock and process CPU time; the
machine is shared, so the target is judged on CPU time (numpy runs these operations on
one thread, so CPU time is not less than the work done) and the wall time is printed
next to it with the load average. The loop's answers are checked against the
vectorized ones within a confidence interval.
"""

from __future__ import annotations

import bisect
import math
import os
import random
import time

import numpy as np

from algorithms.quorum import t_visibility

N, R, W = 3, 1, 1
PRESET = "LNKD-DISK"
TRIALS = 1_000_000
LOOP_TRIALS = 20_000
GRID = [float(x) for x in np.linspace(0.0, 100.0, 50)]
TARGET_S = 1.0

# LNKD-DISK as Bailis et al., VLDB 2012, Table 3 lists it: (pareto weight, xm, alpha, rate).
SSD = (0.9122, 0.235, 10.0, 1.66)
DISK_W = (0.38, 1.05, 1.51, 0.183)
LEGS = (DISK_W, SSD, SSD, SSD)


def loop_t_visibility(trials: int, seed: int) -> list[float]:
    """The same estimate one trial at a time in plain Python."""
    rng = random.Random(seed)

    def draw(leg: tuple[float, float, float, float]) -> float:
        weight, xm, alpha, rate = leg
        if rng.random() < weight:
            return xm * rng.paretovariate(alpha)
        return rng.expovariate(rate)

    staleness = []
    for _ in range(trials):
        w_, a_, r_, s_ = ([draw(leg) for _ in range(N)] for leg in LEGS)
        commit = sorted(w_[i] + a_[i] for i in range(N))[W - 1]
        responders = sorted(range(N), key=lambda i: r_[i] + s_[i])[:R]
        staleness.append(min(w_[i] - r_[i] for i in responders) - commit)
    staleness.sort()
    return [bisect.bisect_right(staleness, t) / trials for t in GRID]


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else math.nan
    print(f"WARS Monte Carlo: N={N}, R={R}, W={W}, {PRESET}, {len(GRID)} values of t in 0..100 ms")

    t_visibility(N, R, W, PRESET, GRID, trials=10_000, seed=1)  # warm-up (imports, caches)
    wall = time.perf_counter()
    cpu = time.process_time()
    p = t_visibility(N, R, W, PRESET, GRID, trials=TRIALS, seed=2024)
    vec_cpu = time.process_time() - cpu
    vec_wall = time.perf_counter() - wall

    wall = time.perf_counter()
    cpu = time.process_time()
    loop = loop_t_visibility(LOOP_TRIALS, seed=7)
    loop_cpu = (time.process_time() - cpu) / LOOP_TRIALS * TRIALS
    loop_wall = (time.perf_counter() - wall) / LOOP_TRIALS * TRIALS

    for t, p_vec, p_loop in zip(GRID, p, loop, strict=True):
        pooled = (p_vec * TRIALS + p_loop * LOOP_TRIALS) / (TRIALS + LOOP_TRIALS)
        se = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / TRIALS + 1 / LOOP_TRIALS))
        assert abs(p_vec - p_loop) <= 5 * se + 1e-12, (t, p_vec, p_loop)

    print(
        f"P(consistent) at t = 0, 2.04, 10.2, 100 ms: {p[0]:.4f} {p[1]:.4f} {p[5]:.4f} {p[-1]:.5f}"
    )
    print(
        f"vectorized, {TRIALS:,} trials: {vec_cpu * 1000:7.0f} ms CPU, {vec_wall * 1000:7.0f} ms wall "
        f"(target < {TARGET_S * 1000:.0f} ms CPU; load average {load:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"per-trial Python loop, measured on {LOOP_TRIALS:,} trials and scaled per trial to "
        f"{TRIALS:,}: {loop_cpu:7.1f} s CPU, {loop_wall:7.1f} s wall"
    )
    print(f"ratio loop/vectorized: {loop_cpu / vec_cpu:.0f}x CPU, {loop_wall / vec_wall:.0f}x wall")
    print(f"ratio CPU time/target: {vec_cpu / TARGET_S:.2f}")
    if vec_cpu >= TARGET_S:
        raise AssertionError(
            f"t_visibility took {vec_cpu:.2f} s CPU for {TRIALS:,} trials (target < {TARGET_S} s)"
        )


if __name__ == "__main__":
    main()
