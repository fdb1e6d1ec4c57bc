"""The closed forms of Patterson, Gibson and Katz (SIGMOD 1988) and their checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from algorithms.engine import CommandError
from algorithms.redundancy import (
    HOURS_PER_YEAR,
    array_mttdl,
    group_mttdl,
    loss_probability,
    rebuild_read_error_probability,
    simulate_array,
)

MTTF = 30_000.0  # the paper's inexpensive disk
MTTR = 1.0  # the paper's repair time


def paper_form(d: int, g: int, c: int, mttf: float, mttr: float) -> float:
    """MTTF² / ((G+C)(G+C−1)·MTTR) per group, over D/G groups (written out again here)."""
    return (mttf**2 / ((g + c) * (g + c - 1) * mttr)) / (d / g)


@pytest.mark.parametrize(
    ("g", "c", "paper_hours", "paper_years"),
    [
        # Level 1, mirrored disks: "exceeds useful product lifetime (4,500,000 hrs or > 500 years)"
        (1, 1, 4_500_000, 500),
        # Level 3, G = 10: "820,000 hrs or > 90 years"
        (10, 1, 820_000, 90),
        # Level 3, G = 25: "346,000 hrs or 40 years"
        (25, 1, 346_000, 39),
    ],
)
def test_closed_form_reproduces_the_papers_100_disk_arrays(
    g: int, c: int, paper_hours: int, paper_years: int
) -> None:
    ours = array_mttdl(100, g, c, MTTF, MTTR)
    assert ours == pytest.approx(paper_form(100, g, c, MTTF, MTTR), rel=1e-12)
    # the paper rounds to two or three significant figures
    assert ours == pytest.approx(paper_hours, rel=0.005)
    assert ours / HOURS_PER_YEAR > paper_years


def test_the_array_without_redundancy_is_the_reason() -> None:
    # 100 disks with no check disk: the first failure loses data, MTTF/100 = 300 hours
    first_failure = MTTF / 100
    assert first_failure == 300
    assert array_mttdl(100, 10, 1, MTTF, MTTR) / first_failure > 2_500


def test_groups_of_g_divide_the_group_mttdl() -> None:
    for g in (1, 2, 5, 10, 20, 50, 100):
        assert array_mttdl(100, g, 1, MTTF, MTTR) * (100 // g) == pytest.approx(
            group_mttdl(g, 1, MTTF, MTTR)
        )


def _chain_mttdl(n: int, c: int, lam: float, mu: float, parallel: bool) -> float:
    """Exact mean time to absorption of the group's Markov chain (from all disks up).

    State k = disks down (0..C); k -> k+1 at (n-k)·lam, state C + a failure is loss;
    k -> k-1 at mu (one rebuild at a time) or k·mu (all at once).
    """
    q = np.zeros((c + 1, c + 1))
    for k in range(c + 1):
        fail = (n - k) * lam
        repair = (k * mu if parallel else mu) if k else 0.0
        q[k, k] = -(fail + repair)
        if k < c:
            q[k, k + 1] = fail
        if k:
            q[k, k - 1] = repair
    return float(np.linalg.solve(-q, np.ones(c + 1))[0])


@pytest.mark.parametrize("c", [1, 2, 3])
@pytest.mark.parametrize("parallel", [False, True])
def test_higher_order_forms_are_the_markov_chains_limit(c: int, parallel: bool) -> None:
    g, mttf = 8, 100_000.0
    for mttr, tolerance in ((10.0, 0.01), (1.0, 0.001)):
        exact = _chain_mttdl(g + c, c, 1 / mttf, 1 / mttr, parallel)
        closed = group_mttdl(g, c, mttf, mttr, rebuilds="parallel" if parallel else "serial")
        assert closed == pytest.approx(exact, rel=tolerance)


def test_third_order_form_written_out() -> None:
    g, c = 10, 2
    assert group_mttdl(g, c, MTTF, 2.0) == pytest.approx(
        MTTF**3 / ((g + c) * (g + c - 1) * (g + c - 2) * 2.0**2)
    )


def test_the_first_order_form_is_far_off_when_mttr_is_not_small() -> None:
    # a common mistake: with MTTR a fifth of MTTF the chain's exact answer is
    # ((2n-1)·lam + mu) / (n(n-1)·lam²), nearly three times the first-order mu / (n(n-1)·lam²)
    n, lam, mu = 5, 1 / 100.0, 1 / 20.0
    exact = _chain_mttdl(n, 1, lam, mu, parallel=False)
    assert exact == pytest.approx(((2 * n - 1) * lam + mu) / (n * (n - 1) * lam**2))
    assert exact > 2.5 * group_mttdl(4, 1, 100.0, 20.0)


def test_loss_probability_is_exponential() -> None:
    mttdl = array_mttdl(100, 10, 1, MTTF, MTTR)
    assert loss_probability(mttdl, mttdl) == pytest.approx(1 - math.exp(-1))


def test_rebuild_read_error_probability() -> None:
    bits = 10 * 1e12 * 8  # 10 surviving 1 TB disks read in full, one error per 1e14 bits
    assert rebuild_read_error_probability(10, 1e12, 1e-14) == pytest.approx(
        1 - math.exp(-bits * 1e-14), rel=1e-6
    )
    assert rebuild_read_error_probability(10, 1e12, 0.0) == 0.0


BAD_ARRAYS = [
    ({"d": 0}, "d"),
    ({"d": 10_001}, "d"),
    ({"d": 10.0}, "d"),
    ({"g": 0}, "g"),
    ({"g": 7}, "g"),
    ({"d": 4, "g": 8}, "g"),
    ({"g": 200, "d": 400}, "g"),
    ({"c": 0}, "c"),
    ({"c": 4}, "c"),
    ({"c": True}, "c"),
    ({"mttf": 0}, "mttf"),
    ({"mttf": -30_000}, "mttf"),
    ({"mttf": math.nan}, "mttf"),
    ({"mttf": 1e9}, "mttf"),
    ({"mttr": 0}, "mttr"),
    ({"mttr": -1}, "mttr"),
    ({"mttr": 30_000}, "mttr"),
    ({"mttr": 40_000}, "mttr"),
    ({"mttr": "1"}, "mttr"),
]


@pytest.mark.parametrize(("change", "field"), BAD_ARRAYS)
def test_bad_arrays_are_refused_with_the_value_and_the_rule(
    change: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"d": 100, "g": 10, "c": 1, "mttf": MTTF, "mttr": MTTR, **change}
    with pytest.raises(CommandError) as err:
        array_mttdl(**args)  # type: ignore[arg-type]
    assert err.value.field == field
    assert repr(change[field]) in str(err.value) or str(change[field]) in str(err.value)
    assert "must" in err.value.rule
    with pytest.raises(CommandError):
        simulate_array(hours=1000, trials=10, seed=1, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": 0}, "hours"),
        ({"hours": -1.0}, "hours"),
        ({"hours": 2e6}, "hours"),
        ({"trials": 0}, "trials"),
        ({"trials": 100_001}, "trials"),
        ({"trials": 50_000, "d": 1000}, "trials"),
        ({"seed": -1}, "seed"),
        ({"repair": "gamma"}, "repair"),
        ({"rebuilds": "some"}, "rebuilds"),
        ({"batch_cv": 5.0}, "batch_cv"),
        ({"ure": 1.5}, "ure"),
        ({"supply_mttf": 0.0}, "supply_mttf"),
        ({"mttf": 10.0, "mttr": 1.0, "hours": 1e6}, "hours"),
    ],
)
def test_bad_simulations_are_refused(change: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "d": 100,
        "g": 10,
        "c": 1,
        "mttf": MTTF,
        "mttr": MTTR,
        "hours": 1000.0,
        "trials": 10,
        "seed": 1,
        **change,
    }
    with pytest.raises(CommandError) as err:
        simulate_array(**args)  # type: ignore[arg-type]
    assert err.value.field == field
    assert "must" in str(err.value)
