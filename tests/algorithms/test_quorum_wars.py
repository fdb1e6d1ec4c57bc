"""Tests for algorithms.quorum.wars: t-visibility under the WARS model.

The reference is a plain per-trial Python loop written here from the model's definition
(Bailis et al., VLDB 2012, section 5), drawing its delays with ``random.Random`` from the
preset parameters as the paper lists them; Monte Carlo answers are compared within
confidence intervals (four standard errors of the difference, fixed seeds).
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.quorum import (
    MAX_N_SIMULATED,
    MAX_REPLICA_TRIALS,
    MAX_T_MS,
    MAX_T_POINTS,
    MAX_TRIALS,
    PRESETS,
    Constant,
    Exponential,
    WARSModel,
    t_at_probability,
    t_visibility,
    wars_run,
)
from algorithms.quorum.wars import sorting_network

Leg = tuple[float, float, float, float]  # (pareto weight, xm, alpha, exponential rate)
SSD: Leg = (0.9122, 0.235, 10.0, 1.66)
DISK_W: Leg = (0.38, 1.05, 1.51, 0.183)
YMMR_W: Leg = (0.939, 3.0, 3.35, 0.0028)
YMMR_ARS: Leg = (0.982, 1.5, 3.8, 0.0217)
# (W, A, R, S) legs and the one-way delay to replicas outside the coordinator's datacenter.
PAPER: dict[str, tuple[tuple[Leg, Leg, Leg, Leg], float]] = {
    "LNKD-SSD": ((SSD, SSD, SSD, SSD), 0.0),
    "LNKD-DISK": ((DISK_W, SSD, SSD, SSD), 0.0),
    "YMMR": ((YMMR_W, YMMR_ARS, YMMR_ARS, YMMR_ARS), 0.0),
    "WAN": ((DISK_W, SSD, SSD, SSD), 75.0),
}


def draw(rng: random.Random, leg: Leg) -> float:
    weight, xm, alpha, rate = leg
    if rng.random() < weight:
        return xm * rng.paretovariate(alpha)
    return rng.expovariate(rate)


def simple_simulation(
    n: int, r: int, w: int, preset: str, times: list[float], trials: int, seed: int
) -> list[float]:
    """P(consistent) at each t, one trial at a time, straight from the model."""
    legs, remote = PAPER[preset]
    rng = random.Random(seed)
    consistent = [0] * len(times)
    for _ in range(trials):
        W, A, R, S = (
            [draw(rng, leg) + (remote if i > 0 else 0.0) for i in range(n)] for leg in legs
        )
        commit = sorted(W[i] + A[i] for i in range(n))[w - 1]
        responders = sorted(range(n), key=lambda i: R[i] + S[i])[:r]
        for j, t in enumerate(times):
            # The read reaches replica i at commit + t + R[i]; has the write arrived?
            if any(W[i] <= commit + t + R[i] for i in responders):
                consistent[j] += 1
    return [c / trials for c in consistent]


def assert_same_proportion(p1: float, n1: int, p2: float, n2: int) -> None:
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(max(pooled * (1 - pooled), 1e-12) * (1 / n1 + 1 / n2))
    assert abs(p1 - p2) <= 4 * se + 1e-12, (p1, p2, se)


@pytest.mark.parametrize(
    ("n", "r", "w", "preset"),
    [
        (3, 1, 1, "LNKD-SSD"),
        (3, 1, 1, "LNKD-DISK"),
        (3, 1, 1, "YMMR"),
        (3, 1, 1, "WAN"),
        (5, 2, 2, "YMMR"),
        (5, 2, 1, "LNKD-DISK"),
        (4, 3, 1, "WAN"),
    ],
)
def test_monte_carlo_matches_a_simple_per_trial_simulation(
    n: int, r: int, w: int, preset: str
) -> None:
    times = [0.0, 1.0, 5.0, 50.0]
    loop_trials, trials = 20_000, 200_000
    expected = simple_simulation(n, r, w, preset, times, loop_trials, seed=11)
    got = t_visibility(n, r, w, preset, times, trials=trials, seed=12)
    for p_loop, p_vec in zip(expected, got, strict=True):
        assert_same_proportion(p_loop, loop_trials, float(p_vec), trials)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_r_w_1_tends_to_1_at_large_t(preset: str) -> None:
    times = [0.0, 1.0, 10.0, 100.0, 1_000.0, 10_000.0, MAX_T_MS]
    p = t_visibility(3, 1, 1, preset, times, trials=200_000, seed=5)
    assert list(p) == sorted(p)
    assert p[0] < 1.0  # a partial quorum is sometimes stale right after the commit
    assert p[-1] >= 0.99999


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, n),
            st.integers(1, n),
        )
    ),
    st.sampled_from([*sorted(PRESETS), "constant", "exponential"]),
    st.integers(0, 2**32),
)
def test_strict_quorums_are_consistent_at_every_t(
    nrw: tuple[int, int, int], preset: str, seed: int
) -> None:
    n, r, w = nrw
    if r + w <= n:
        r = n - w + 1
    latency: object = {
        "constant": Constant(1.0),
        "exponential": Exponential(0.5),
    }.get(preset, preset)
    times = [0.0, 1e-9, 0.5, 3.0, 100.0, MAX_T_MS]
    p = t_visibility(n, r, w, latency, times, trials=3_000, seed=seed)  # type: ignore[arg-type]
    assert p.tolist() == [1.0] * len(times)
    assert t_at_probability(n, r, w, latency, 1.0, trials=500, seed=seed) == 0.0  # type: ignore[arg-type]


def test_constant_delays_with_a_far_replica() -> None:
    # Replica 0 is local (1 ms each way), the others 76 ms away. With W = 1 the write
    # commits after 2 ms (the local ack); with R = 1 the local reply comes first, and the
    # local replica has the write: always consistent. With R = 1 and a read that must
    # skip the local replica (N = 2, W = 1, R = 1, both remote), stale until t = 0 only.
    wan = WARSModel.same(Constant(1.0)).__class__(
        Constant(1.0), Constant(1.0), Constant(1.0), Constant(1.0), 75.0, 1
    )
    assert t_visibility(3, 1, 1, wan, 0.0, trials=100, seed=0) == 1.0
    run = wars_run(3, 1, 1, wan, trials=10, seed=0)
    assert run.write_latency_ms.tolist() == [2.0] * 10
    assert run.read_latency_ms.tolist() == [2.0] * 10
    # R = 3 waits for the remote replies: 1 + 1 + 2 * 75 ms.
    assert wars_run(3, 3, 1, wan, trials=10, seed=0).read_latency_ms.tolist() == [152.0] * 10


def test_scalar_and_grid_share_the_trials() -> None:
    grid = [0.0, 0.5, 2.0]
    p = t_visibility(3, 1, 1, "LNKD-DISK", grid, trials=50_000, seed=8)
    assert isinstance(p, np.ndarray) and p.shape == (3,)
    for t, expected in zip(grid, p, strict=True):
        single = t_visibility(3, 1, 1, "LNKD-DISK", t, trials=50_000, seed=8)
        assert isinstance(single, float)
        assert single == expected
    other = t_visibility(3, 1, 1, "LNKD-DISK", grid, trials=50_000, seed=9)
    assert not np.array_equal(p, other)


def test_run_quantile_agrees_with_probability() -> None:
    run = wars_run(3, 1, 1, "YMMR", trials=40_000, seed=2)
    for p in (0.5, 0.9, 0.99, 0.999):
        t = run.t_at(p)
        assert run.p_consistent(t)[0] >= p
        if t > 0:
            assert run.p_consistent(max(0.0, t - 1e-6))[0] < p
    assert t_at_probability(3, 1, 1, "YMMR", 0.99, trials=40_000, seed=2) == run.t_at(0.99)
    # The read latency is the R-th reply: never below the first reply of a single leg pair.
    assert (run.read_latency_ms > 0).all() and (run.write_latency_ms > 0).all()


@pytest.mark.parametrize("n", range(1, 13))
def test_sorting_network_sorts_every_0_1_input(n: int) -> None:
    # The 0-1 principle: a comparator network that sorts every 0-1 input sorts everything.
    for bits in itertools.product((0, 1), repeat=n):
        values = list(bits)
        for i, j in sorting_network(n):
            assert i < j
            if values[i] > values[j]:
                values[i], values[j] = values[j], values[i]
        assert values == sorted(bits)


@pytest.mark.parametrize("n", [13, 17, 24, 31, 32])
def test_sorting_network_sorts_random_inputs(n: int) -> None:
    rng = random.Random(n)
    for _ in range(300):
        values = [rng.randrange(10) for _ in range(n)]
        expected = sorted(values)
        for i, j in sorting_network(n):
            if values[i] > values[j]:
                values[i], values[j] = values[j], values[i]
        assert values == expected


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"r": 0}, "r", "between 1 and N=3"),
        ({"w": 4}, "w", "between 1 and N=3"),
        ({"n": MAX_N_SIMULATED + 1}, "n", f"between 1 and {MAX_N_SIMULATED}"),
        ({"latency": "LNKD"}, "latency", "must be one of"),
        ({"latency": None}, "latency", "preset name or a latency model"),
        ({"trials": 0}, "trials", f"between 1 and {MAX_TRIALS}"),
        ({"trials": MAX_TRIALS + 1}, "trials", f"between 1 and {MAX_TRIALS}"),
        (
            {"n": 32, "trials": MAX_REPLICA_TRIALS // 32 + 1},
            "trials",
            f"between 1 and {MAX_REPLICA_TRIALS // 32} ({MAX_REPLICA_TRIALS} replica-trials / N=32)",
        ),
        ({"t": -1.0}, "t", "between 0 and 100000"),
        ({"t": MAX_T_MS + 1}, "t", "between 0 and 100000"),
        ({"t": math.nan}, "t", "between 0 and 100000"),
        ({"t": True}, "t", "a number or a sequence"),
        ({"t": "5"}, "t", "a number or a sequence"),
        ({"t": [1.0, -2.0]}, "t[1]", "between 0 and 100000"),
        ({"t": []}, "t", f"between 1 and {MAX_T_POINTS} values"),
        ({"t": [0.0] * (MAX_T_POINTS + 1)}, "t", f"between 1 and {MAX_T_POINTS} values"),
        ({"seed": -1}, "seed", "between 0 and"),
        ({"seed": 1.5}, "seed", "between 0 and"),
    ],
)
def test_bad_input_is_refused_naming_value_and_rule(
    kwargs: dict[str, object], field: str, fragment: str
) -> None:
    args: dict[str, object] = {
        "n": 3,
        "r": 1,
        "w": 1,
        "latency": "LNKD-SSD",
        "t": 0.0,
        "trials": 10,
        "seed": 1,
    }
    args.update(kwargs)
    with pytest.raises(CommandError) as info:
        t_visibility(**args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert fragment in str(info.value)


def test_bad_probability_is_refused() -> None:
    with pytest.raises(CommandError) as info:
        t_at_probability(3, 1, 1, "YMMR", 1.5, trials=10, seed=1)
    assert info.value.field == "p"


def test_numpy_times_are_accepted_like_python_numbers() -> None:
    grid = np.linspace(0.0, 20.0, 5)
    p = t_visibility(3, 1, 1, "YMMR", grid, trials=5_000, seed=4)
    assert p.tolist() == t_visibility(3, 1, 1, "YMMR", grid.tolist(), trials=5_000, seed=4).tolist()
    single = t_visibility(3, 1, 1, "YMMR", np.float32(5.0), trials=5_000, seed=4)
    assert isinstance(single, float)
    assert single == p[1]
    with pytest.raises(CommandError):
        t_visibility(3, 1, 1, "YMMR", np.bool_(True), trials=10, seed=4)  # type: ignore[arg-type]


def test_summary_is_json_ready_and_agrees_with_the_run() -> None:
    import json

    run = wars_run(5, 2, 2, "LNKD-DISK", trials=30_000, seed=6)
    s = run.summary([0.0, 1.0, 10.0])
    assert json.loads(json.dumps(s)) == s
    assert s["p_consistent"] == run.p_consistent([0.0, 1.0, 10.0]).tolist()
    assert s["p_consistent_closed_form"] == pytest.approx(1 - 3 * 2 / (5 * 4))
    assert s["t_visibility_ms"]["p99"] == run.t_at(0.99)
    assert 0 < s["read_latency_ms"]["p50"] <= s["read_latency_ms"]["p99.9"]
    # The WARS read at t = 0 is never less consistent than the closed form: replicas
    # outside the write quorum may already have the write when the read arrives.
    assert s["p_consistent"][0] >= s["p_consistent_closed_form"]


def test_trials_cap_scales_with_n() -> None:
    from algorithms.quorum.limits import check_trials

    assert check_trials(MAX_TRIALS, 10) == MAX_TRIALS
    assert check_trials(MAX_REPLICA_TRIALS // 32, 32) == MAX_REPLICA_TRIALS // 32
    with pytest.raises(CommandError):
        check_trials(MAX_TRIALS, 11)
