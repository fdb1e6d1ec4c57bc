"""Tests for algorithms.quorum.latency: the WARS delay laws and the paper's presets.

Expected means are computed here from the preset parameters written out as in Bailis
et al., VLDB 2012, Table 3, and sample statistics are compared within confidence
intervals (five standard errors; every test uses a fixed seed).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from algorithms.engine import CommandError
from algorithms.quorum import (
    LATENCY_MODELS,
    PRESETS,
    Constant,
    Exponential,
    Mixture,
    Pareto,
    WARSModel,
    as_wars_model,
    latency_model,
)

# (pareto weight, xm, alpha, exponential rate), as listed in the paper.
SSD = (0.9122, 0.235, 10.0, 1.66)
DISK_W = (0.38, 1.05, 1.51, 0.183)
YMMR_W = (0.939, 3.0, 3.35, 0.0028)
YMMR_ARS = (0.982, 1.5, 3.8, 0.0217)
PAPER = {
    "LNKD-SSD": (SSD, SSD, SSD, SSD),
    "LNKD-DISK": (DISK_W, SSD, SSD, SSD),
    "YMMR": (YMMR_W, YMMR_ARS, YMMR_ARS, YMMR_ARS),
    "WAN": (DISK_W, SSD, SSD, SSD),
}
SAMPLES = 400_000


def mixture_mean(leg: tuple[float, float, float, float]) -> float:
    weight, xm, alpha, rate = leg
    return weight * alpha * xm / (alpha - 1) + (1 - weight) / rate


def mixture_survival(leg: tuple[float, float, float, float], x: float) -> float:
    weight, xm, alpha, rate = leg
    pareto = 1.0 if x < xm else (xm / x) ** alpha
    return weight * pareto + (1 - weight) * math.exp(-rate * x)


@pytest.mark.parametrize("name", sorted(PAPER))
def test_presets_hold_the_papers_parameters(name: str) -> None:
    model = PRESETS[name]
    for leg_name, expected in zip("wars", PAPER[name], strict=True):
        leg = getattr(model, leg_name)
        weight, xm, alpha, rate = expected
        assert leg.components == (Pareto(xm, alpha), Exponential(rate))
        assert leg.weights == pytest.approx((weight, 1 - weight), abs=1e-15)
        assert leg.mean() == pytest.approx(mixture_mean(expected), rel=1e-12)
    assert model.remote_delay_ms == (75.0 if name == "WAN" else 0.0)


@pytest.mark.parametrize("name", ["LNKD-SSD", "LNKD-DISK", "YMMR"])
@pytest.mark.parametrize("leg_index", range(4))
def test_preset_sample_means_match_mixture_means(name: str, leg_index: int) -> None:
    expected = PAPER[name][leg_index]
    leg = getattr(PRESETS[name], "wars"[leg_index])
    x = leg.sample(np.random.default_rng(100 + leg_index), (SAMPLES,))
    if math.isfinite(leg.variance()):
        se = math.sqrt(leg.variance() / SAMPLES)
        assert abs(x.mean() - mixture_mean(expected)) < 5 * se
        # The sample variance agrees with the closed form too (loosely: heavy tails).
        assert x.var() == pytest.approx(leg.variance(), rel=0.2)
    else:
        # alpha = 1.51 has no variance, so no CLT interval for the raw mean: compare the
        # mean of min(X, c), E[min(X, c)] = integral of P(X > x) from 0 to c, instead.
        cap = 200.0
        grid = np.linspace(0.0, cap, 400_001)
        survival = np.array([mixture_survival(expected, g) for g in grid])
        capped_mean = float(np.sum((survival[1:] + survival[:-1]) / 2 * np.diff(grid)))
        capped = np.minimum(x, cap)
        se = capped.std() / math.sqrt(SAMPLES)
        assert abs(capped.mean() - capped_mean) < 5 * se
        # The raw mean still lands near the mixture mean.
        assert x.mean() == pytest.approx(mixture_mean(expected), rel=0.05)


@pytest.mark.parametrize("name", ["LNKD-SSD", "LNKD-DISK", "YMMR"])
def test_preset_sample_distributions_match_cdf(name: str) -> None:
    for leg_name, expected in zip("wars", PAPER[name], strict=True):
        leg = getattr(PRESETS[name], leg_name)
        x = leg.sample(np.random.default_rng(7), (SAMPLES,))
        for q in (0.25, 0.5, 1.0, 2.0, 5.0, 20.0, 100.0):
            p = 1 - mixture_survival(expected, q)
            assert leg.cdf(q) == pytest.approx(p, abs=1e-12)
            se = math.sqrt(max(p * (1 - p), 1e-12) / SAMPLES)
            assert abs(np.mean(x <= q) - p) < 5 * se + 1e-9


def test_simple_laws_sample_their_means() -> None:
    rng = np.random.default_rng(3)
    assert Constant(2.5).sample(rng, (4,)).tolist() == [2.5] * 4
    e = Exponential(0.25).sample(rng, (SAMPLES,))
    assert abs(e.mean() - 4.0) < 5 * 4.0 / math.sqrt(SAMPLES)
    p = Pareto(2.0, 4.0).sample(rng, (SAMPLES,))
    assert p.min() >= 2.0
    law = Pareto(2.0, 4.0)
    assert abs(p.mean() - 8.0 / 3.0) < 5 * math.sqrt(law.variance() / SAMPLES)


def test_float32_sampling_has_the_same_law() -> None:
    leg = PRESETS["YMMR"].w
    x = leg.sample(np.random.default_rng(5), (SAMPLES,), np.float32)
    assert x.dtype == np.float32
    assert abs(float(x.mean(dtype=np.float64)) - leg.mean()) < 5 * math.sqrt(
        leg.variance() / SAMPLES
    )


def test_sampling_is_deterministic_in_the_seed() -> None:
    model = PRESETS["LNKD-DISK"]
    a = model.sample(np.random.default_rng(9), (3, 1000))
    b = model.sample(np.random.default_rng(9), (3, 1000))
    c = model.sample(np.random.default_rng(10), (3, 1000))
    for x, y, z in zip(a, b, c, strict=True):
        assert np.array_equal(x, y)
        assert not np.array_equal(x, z)


def test_wan_adds_75_ms_each_way_to_remote_replicas_only() -> None:
    disk = PRESETS["LNKD-DISK"].sample(np.random.default_rng(4), (3, 5000))
    wan = PRESETS["WAN"].sample(np.random.default_rng(4), (3, 5000))
    for local, remote in zip(disk, wan, strict=True):
        assert np.array_equal(remote[0], local[0])
        assert np.allclose(remote[1:], local[1:] + 75.0)


def test_latency_model_names() -> None:
    assert LATENCY_MODELS == ("constant", "exponential", "LNKD-SSD", "LNKD-DISK", "YMMR", "WAN")
    assert latency_model("constant", 3.0) == WARSModel.same(Constant(3.0))
    assert latency_model("exponential", 4.0) == WARSModel.same(Exponential(0.25))
    assert latency_model("YMMR") is PRESETS["YMMR"]
    assert as_wars_model(Pareto(1.0, 3.0)) == WARSModel.same(Pareto(1.0, 3.0))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: as_wars_model("LNKD"), "latency"),
        (lambda: as_wars_model(3), "latency"),
        (lambda: latency_model("uniform"), "latency"),
        (lambda: latency_model("constant", 0.0), "ms"),
        (lambda: Constant(-1.0), "ms"),
        (lambda: Constant(math.nan), "ms"),
        (lambda: Exponential(0.0), "rate"),
        (lambda: Pareto(0.0, 2.0), "xm"),
        (lambda: Pareto(1.0, 1.0), "alpha"),
        (lambda: Mixture((0.5, 0.6), (Constant(1), Constant(2))), "weights"),
        (lambda: Mixture((1.0,), (Constant(1), Constant(2))), "components"),
        (lambda: Mixture((0.5, 0.5), (Constant(1), "fast")), "components[1]"),
        (lambda: Mixture((), ()), "weights"),
        (lambda: WARSModel.same(Constant(1)).__class__(1, 2, 3, 4), "w"),
        (lambda: WARSModel(*[Constant(1)] * 4, remote_delay_ms=-5), "remote_delay_ms"),
    ],
)
def test_bad_models_are_refused(build: object, field: str) -> None:
    with pytest.raises(CommandError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


@pytest.mark.parametrize("name", ["LNKD-SSD", "LNKD-DISK", "YMMR"])
def test_scalar_draws_for_an_engine_follow_the_same_laws(name: str) -> None:
    rng = random.Random(21)
    draws = 100_000
    for leg_name, expected in zip("wars", PAPER[name], strict=True):
        leg = getattr(PRESETS[name], leg_name)
        x = np.array([PRESETS[name].delay(leg_name, 0, rng) for _ in range(draws)])
        for q in (0.5, 1.0, 5.0, 50.0):
            p = 1 - mixture_survival(expected, q)
            se = math.sqrt(max(p * (1 - p), 1e-12) / draws)
            assert abs(np.mean(x <= q) - p) < 5 * se + 1e-9
        if math.isfinite(leg.variance()):
            assert abs(x.mean() - mixture_mean(expected)) < 5 * math.sqrt(leg.variance() / draws)


def test_scalar_draws_add_the_wan_delay_to_remote_replicas() -> None:
    wan = PRESETS["WAN"]
    assert wan.delay("w", 0, random.Random(3)) == PRESETS["LNKD-DISK"].delay(
        "w", 0, random.Random(3)
    )
    assert wan.delay("s", 1, random.Random(3)) == pytest.approx(
        PRESETS["LNKD-DISK"].delay("s", 1, random.Random(3)) + 75.0
    )
    with pytest.raises(CommandError) as info:
        wan.delay("x", 0, random.Random(3))
    assert info.value.field == "leg"
    with pytest.raises(CommandError) as info:
        wan.delay("w", -1, random.Random(3))
    assert info.value.field == "replica"
