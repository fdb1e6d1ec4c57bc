"""Properties of the closed form and the simulation over many valid arrays (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.redundancy import array_mttdl, group_mttdl, simulate_array

groups = st.integers(1, 20)
sizes = st.integers(1, 20)
checks = st.integers(1, 3)
mttfs = st.floats(100.0, 1e6)
ratios = st.floats(1e-5, 0.5)  # MTTR / MTTF


@given(groups, sizes, checks, mttfs, ratios)
def test_closed_form_orders(groups_: int, g: int, c: int, mttf: float, ratio: float) -> None:
    d, mttr = groups_ * g, mttf * ratio
    mttdl = array_mttdl(d, g, c, mttf, mttr)
    assert mttdl > 0
    assert mttdl * groups_ == pytest.approx(group_mttdl(g, c, mttf, mttr), rel=1e-12)
    # slower repairs and shorter-lived disks lose data sooner; more check disks, later
    assert array_mttdl(d, g, c, mttf, mttr * 0.5) > mttdl
    assert array_mttdl(d, g, c, mttf * 2, mttr) > mttdl
    if c < 3 and ratio < 0.01:
        assert array_mttdl(d, g, c + 1, mttf, mttr) > mttdl


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(1, 6),
    checks,
    st.floats(100.0, 10_000.0),
    st.floats(1e-4, 0.2),
    st.floats(1.0, 20_000.0),
    st.integers(0, 2**32),
    st.sampled_from(["exponential", "fixed"]),
    st.sampled_from(["serial", "parallel"]),
)
def test_simulation_results_are_sane(
    groups_: int,
    g: int,
    c: int,
    mttf: float,
    ratio: float,
    hours: float,
    seed: int,
    repair: str,
    rebuilds: str,
) -> None:
    sim = simulate_array(
        groups_ * g, g, c, mttf, mttf * ratio, hours, 50, seed, repair=repair, rebuilds=rebuilds
    )
    assert 0 <= sim.fraction_lost <= 1 and sim.losses == round(sim.fraction_lost * 50)
    assert 0 < sim.total_hours <= 50 * hours * (1 + 1e-12)
    if sim.losses:
        assert sim.mean_time_to_loss is not None and 0 <= sim.mean_time_to_loss <= hours
    else:
        assert sim.mean_time_to_loss is None
