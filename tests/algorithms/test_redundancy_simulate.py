"""The simulated arrays against the closed form, the Markov chain, and a disk-by-disk timeline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from algorithms.redundancy import (
    ArrayTimeline,
    array_mttdl,
    mttdl_interval,
    mttdl_sweep,
    rebuild_read_error_probability,
    simulate_array,
    wilson_interval,
)


def expected_loss(hours: float, mttdl: float) -> float:
    return 1 - math.exp(-hours / mttdl)


def chain_group_mttdl(n: int, c: int, lam: float, mu: float) -> float:
    """Exact mean time to loss of the serial-rebuild chain (states 0..C disks down)."""
    q = np.zeros((c + 1, c + 1))
    for k in range(c + 1):
        q[k, k] = -((n - k) * lam + (mu if k else 0.0))
        if k < c:
            q[k, k + 1] = (n - k) * lam
        if k:
            q[k, k - 1] = mu
    return float(np.linalg.solve(-q, np.ones(c + 1))[0])


@pytest.mark.parametrize("repair", ["exponential", "fixed"])
@pytest.mark.parametrize(
    ("d", "g", "mttf", "mttr", "hours"),
    [
        (8, 4, 1_000.0, 1.0, 25_000.0),  # RAID 5, G = 4
        (10, 1, 500.0, 0.5, 100_000.0),  # RAID 1: five mirrored pairs
        (100, 10, 30_000.0, 1.0, 87_600.0),  # the paper's array, ten years
    ],
)
def test_independent_failures_match_the_closed_form(
    repair: str, d: int, g: int, mttf: float, mttr: float, hours: float
) -> None:
    sim = simulate_array(d, g, 1, mttf, mttr, hours, 6_000, seed=11, repair=repair)
    lo, hi = sim.interval()
    assert lo < expected_loss(hours, array_mttdl(d, g, 1, mttf, mttr)) < hi
    assert sim.mean_time_to_loss is not None and 0 < sim.mean_time_to_loss <= hours


def test_the_third_order_form_matches_where_it_applies() -> None:
    # C = 2, MTTR/MTTF = 1/1000, one rebuild at a time with exponential repair times
    d, g, c, mttf, mttr, hours = 200, 2, 2, 1_000.0, 1.0, 400_000.0
    closed = array_mttdl(d, g, c, mttf, mttr)
    assert closed == pytest.approx(mttf**3 / (4 * 3 * 2 * mttr**2) / 100)
    sim = simulate_array(d, g, c, mttf, mttr, hours, 3_000, seed=5)
    lo, hi = sim.interval()
    assert lo < expected_loss(hours, closed) < hi


def test_parallel_rebuilds_of_fixed_length_double_the_third_order_mttdl() -> None:
    d, g, c, mttf, mttr, hours = 200, 2, 2, 1_000.0, 1.0, 800_000.0
    sim = simulate_array(
        d, g, c, mttf, mttr, hours, 3_000, seed=7, repair="fixed", rebuilds="parallel"
    )
    lo, hi = sim.interval()
    doubled = 2 * array_mttdl(d, g, c, mttf, mttr)
    assert lo < expected_loss(hours, doubled) < hi
    assert not lo < expected_loss(hours, array_mttdl(d, g, c, mttf, mttr)) < hi


def test_the_simulation_follows_the_exact_chain_when_mttr_is_not_small() -> None:
    # MTTR/MTTF = 1/100: the third-order form is a few percent off; the chain is exact
    d, g, c, mttf, mttr, hours = 20, 10, 2, 1_000.0, 10.0, 40_000.0
    groups = d // g
    exact = chain_group_mttdl(g + c, c, 1 / mttf, 1 / mttr) / groups
    sim = simulate_array(d, g, c, mttf, mttr, hours, 20_000, seed=8)
    lo, hi = sim.interval()
    assert lo < expected_loss(hours, exact) < hi
    assert exact > 1.05 * array_mttdl(d, g, c, mttf, mttr)


def test_the_vectorized_simulation_agrees_with_the_disk_by_disk_timeline() -> None:
    args = (8, 4, 2, 1_000.0, 20.0)
    hours, runs = 10_000.0, 300
    lost = sum(ArrayTimeline(*args, seed=s).first_loss(hours) is not None for s in range(runs))
    sim = simulate_array(*args, hours, 20_000, seed=2)
    lo, hi = wilson_interval(lost, runs)
    assert lo < sim.fraction_lost < hi


def test_the_timeline_fixed_repairs_agree_too() -> None:
    args = (6, 3, 1, 2_000.0, 10.0)
    hours, runs = 15_000.0, 300
    times = [ArrayTimeline(*args, seed=s, repair="fixed").first_loss(hours) for s in range(runs)]
    lost = sum(t is not None for t in times)
    sim = simulate_array(*args, hours, 20_000, seed=3, repair="fixed")
    lo, hi = wilson_interval(lost, runs)
    assert lo < sim.fraction_lost < hi


BASE = (100, 10, 1, 30_000.0, 1.0, 87_600.0, 20_000)


def _independent() -> tuple[float, float]:
    return simulate_array(*BASE, seed=21).interval()


@pytest.mark.parametrize(
    "mode",
    [
        {"batch_cv": 1.0},  # one batch: same mean MTTF, correlated failure times
        {"supply_mttf": 2_000_000.0},  # each group on one power supply and controller
        {"ure": rebuild_read_error_probability(10, 1e9, 1e-14)},  # 1 GB disks, URE 1e-14
    ],
)
def test_correlated_modes_are_measurably_worse(mode: dict[str, float]) -> None:
    closed = expected_loss(BASE[5], array_mttdl(*BASE[:5]))
    _, independent_hi = _independent()
    worse = simulate_array(*BASE, seed=22, **mode)
    lo, _ = worse.interval()
    assert lo > independent_hi
    assert lo > closed


def test_more_spread_batches_are_worse() -> None:
    fractions = [
        simulate_array(*BASE, seed=30, batch_cv=cv).fraction_lost for cv in (0.0, 0.5, 1.0)
    ]
    assert fractions == sorted(fractions)


def test_seeded_and_reproducible() -> None:
    a = simulate_array(*BASE[:6], 2_000, seed=4, batch_cv=0.5)
    assert a == simulate_array(*BASE[:6], 2_000, seed=4, batch_cv=0.5)
    assert a != simulate_array(*BASE[:6], 2_000, seed=5, batch_cv=0.5)


def test_no_loss_gives_no_mean_time() -> None:
    sim = simulate_array(10, 10, 2, 1_000_000.0, 1.0, 10.0, 100, seed=1)
    assert sim.losses == 0 and sim.mean_time_to_loss is None and sim.mttdl is None
    assert sim.to_json()["interval"][0] == 0.0


def test_measured_mttdl_estimates_the_closed_form() -> None:
    d, g, mttf, mttr = 8, 4, 1_000.0, 1.0
    closed = array_mttdl(d, g, 1, mttf, mttr)
    sim = simulate_array(d, g, 1, mttf, mttr, 4 * closed, 10_000, seed=9)
    assert sim.mttdl == pytest.approx(closed, rel=0.05)


def test_sweep_of_g_measures_the_closed_form() -> None:
    rows = mttdl_sweep(100, 10, 1, 30_000.0, 1.0, "g", [1, 5, 10, 25, 100], 2_000, seed=1)
    for row in rows:
        assert row["closed"] == pytest.approx(
            30_000.0**2 / ((row["g"] + 1) * row["g"] * 1.0) / (100 // row["g"])
        )
        assert row["low"] < row["closed"] < row["high"], row
    assert [row["closed"] for row in rows] == sorted((row["closed"] for row in rows), reverse=True)


def test_sweep_of_mttr_shows_where_the_closed_form_stops_holding() -> None:
    rows = mttdl_sweep(100, 10, 2, 30_000.0, 1.0, "mttr", [10.0, 1_000.0], 2_000, seed=2)
    small, large = rows
    assert small["low"] < small["closed"] < small["high"]
    assert large["low"] > 2 * large["closed"]  # MTTR = MTTF/30: far off


def test_mttdl_interval_without_losses_is_one_sided() -> None:
    lo, hi = mttdl_interval(1_000.0, 0)
    assert hi == math.inf and 0 < lo < 1_000.0
