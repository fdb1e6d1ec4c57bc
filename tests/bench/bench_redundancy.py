"""Redundancy benchmark: 10,000 simulated arrays of 100 data disks over 10 years.

The array is Patterson et al.'s Level 3/5 example: 100 data disks of MTTF 30,000 hours
in groups of 10 with one check disk each (110 disks), repaired in 1 hour, run for
87,600 hours. Target: :func:`simulate_array` under 1 s for 10,000 arrays.

The reference is the obvious loop: every hour, every disk either fails (probability
1/MTTF) or is repaired when its hour of repair is over, and a group with two disks
down loses data. That loop is far too slow to run on the whole work, so it is timed
on a few arrays over one year in the same run and scaled to 10,000 arrays × 10 years
(its cost is linear in both); the printout says so. Both answers are printed next to
the closed form.
"""

from __future__ import annotations

import random
import time
from typing import Any

from algorithms.redundancy import array_mttdl, loss_probability, simulate_array

D, G, C = 100, 10, 1
MTTF, MTTR = 30_000.0, 1.0
HOURS = 87_600
ARRAYS = 10_000
TARGET_S = 1.0

LOOP_ARRAYS = 2
LOOP_HOURS = 8_760


def per_disk_per_hour(arrays: int, hours: int, seed: int) -> int:
    """Arrays (of ``arrays``) that lost data within ``hours``, stepping every disk hourly."""
    rng = random.Random(seed)
    n = G + C
    disks = (D // G) * n
    p_fail = 1.0 / MTTF
    lost_arrays = 0
    for _ in range(arrays):
        repair_left = [0] * disks
        lost = False
        for _hour in range(hours):
            for disk in range(disks):
                if repair_left[disk]:
                    repair_left[disk] -= 1
                elif rng.random() < p_fail:
                    repair_left[disk] = int(MTTR)
                    group = disk // n
                    down = sum(1 for x in range(group * n, group * n + n) if repair_left[x])
                    if down > C:
                        lost = True
        lost_arrays += lost
    return lost_arrays


def main() -> None:
    closed = array_mttdl(D, G, C, MTTF, MTTR)
    print(
        f"array: D={D}, G={G}, C={C} ({D // G * (G + C)} disks), MTTF={MTTF:,.0f} h, "
        f"MTTR={MTTR:g} h, {HOURS:,} h; closed form MTTDL {closed:,.0f} h, "
        f"P(loss in 10 years) = {loss_probability(HOURS, closed):.4f}"
    )
    simulate_array(D, G, C, MTTF, MTTR, HOURS, 100, seed=0)  # warm up numpy
    start = time.perf_counter()
    sim = simulate_array(D, G, C, MTTF, MTTR, HOURS, ARRAYS, seed=2024)
    fast_s = time.perf_counter() - start
    lo, hi = sim.interval()
    print(
        f"simulate_array: {ARRAYS:,} arrays in {fast_s * 1000:.1f} ms; lost data in "
        f"{sim.fraction_lost:.4f} (99% interval {lo:.4f}..{hi:.4f}); measured MTTDL "
        f"{sim.mttdl or float('nan'):,.0f} h"
    )
    variants: list[tuple[str, int, dict[str, Any]]] = [
        ("C = 2, exponential serial rebuilds", 2, {}),
        ("fixed repairs, parallel rebuilds", C, {"repair": "fixed", "rebuilds": "parallel"}),
        ("one batch, cv 1", C, {"batch_cv": 1.0}),
    ]
    for label, c, kwargs in variants:
        start = time.perf_counter()
        other = simulate_array(D, G, c, MTTF, MTTR, HOURS, ARRAYS, seed=7, **kwargs)
        print(
            f"  {label}: {(time.perf_counter() - start) * 1000:.1f} ms, "
            f"lost {other.fraction_lost:.4f}"
        )

    start = time.perf_counter()
    loop_lost = per_disk_per_hour(LOOP_ARRAYS, LOOP_HOURS, seed=1)
    loop_s = time.perf_counter() - start
    scale = (ARRAYS / LOOP_ARRAYS) * (HOURS / LOOP_HOURS)
    loop_full_s = loop_s * scale
    print(
        f"per-disk-per-hour loop: measured on {LOOP_ARRAYS} arrays × {LOOP_HOURS:,} h "
        f"in {loop_s:.2f} s ({loop_lost} lost), scaled ×{scale:,.0f} to the same work: "
        f"{loop_full_s:,.0f} s (about {loop_full_s / 3600:,.1f} hours)"
    )
    print(f"ratio: simulate_array is {loop_full_s / fast_s:,.0f}× faster than the loop")
    if fast_s > TARGET_S:
        raise AssertionError(
            f"simulate_array took {fast_s:.2f} s for {ARRAYS:,} arrays, target {TARGET_S} s"
        )
    if not lo <= loss_probability(HOURS, closed) <= hi:
        raise AssertionError("the simulated loss fraction left the closed form's interval")


if __name__ == "__main__":
    main()
