"""Tests for algorithms.quorum.params: the quorum lab's validated parameters."""

from __future__ import annotations

import pytest

from algorithms.engine import CommandError
from algorithms.quorum import PRESETS, Constant, Exponential, WARSModel, p_stale
from algorithms.quorum.params import MAX_NODES, QuorumParams


def test_defaults_are_dynamos_common_configuration() -> None:
    p = QuorumParams()
    assert (p.n, p.r, p.w) == (3, 2, 2)
    assert p.strict_quorum and p.p_stale == 0.0
    assert p.model() is PRESETS["LNKD-SSD"]


def test_round_trip_and_derived_values() -> None:
    p = QuorumParams.from_dict({"n": 5, "r": 1, "w": 2, "nodes": 7, "latency": "exponential"})
    assert QuorumParams.from_dict(p.to_dict()) == p
    assert p.p_stale == p_stale(5, 1, 2)
    assert not p.strict_quorum
    assert p.model() == WARSModel.same(Exponential(1.0))
    assert QuorumParams(latency="constant", latency_ms=2.5).model() == WARSModel.same(Constant(2.5))


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"n": 0}, "n", "between 1 and 32"),
        ({"n": 33, "nodes": 40}, "n", "between 1 and 32"),
        ({"r": 4}, "r", "between 1 and N=3"),
        ({"w": 0}, "w", "between 1 and N=3"),
        ({"nodes": 2}, "nodes", f"between N=3 and {MAX_NODES}"),
        ({"nodes": MAX_NODES + 1}, "nodes", f"between N=3 and {MAX_NODES}"),
        ({"latency": "LAN"}, "latency", "must be one of"),
        ({"latency_ms": 0.0}, "latency_ms", "between 0.001 and 100000"),
        ({"seed": 1}, "params", "must only have the keys"),
    ],
)
def test_bad_params_are_refused(data: dict[str, object], field: str, fragment: str) -> None:
    with pytest.raises(CommandError) as info:
        QuorumParams.from_dict(data)
    assert info.value.field == field
    assert fragment in str(info.value)
