"""Tests for algorithms.quorum.pbs: PBS closed forms against exact enumeration.

The reference values come from enumerating every read quorum (and, for k-staleness,
every tuple of write quorums) with itertools, or from the hypergeometric product, never
from the code under test.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algorithms.engine import CommandError
from algorithms.quorum import (
    MAX_K,
    MAX_N,
    is_strict_quorum,
    k_staleness,
    k_staleness_exact,
    p_consistent,
    p_consistent_exact,
    p_stale,
    p_stale_exact,
    smallest_r_for_strong,
    smallest_w_for_strong,
)


def enumerated_p_stale(n: int, r: int, w: int) -> Fraction:
    """Fraction of all R-subsets of N replicas that miss a fixed W-subset."""
    written = set(range(w))
    reads = list(itertools.combinations(range(n), r))
    missed = sum(1 for read in reads if written.isdisjoint(read))
    return Fraction(missed, len(reads))


def hypergeometric_p_stale(n: int, r: int, w: int) -> Fraction:
    """Draw the R replicas one at a time; each must avoid the W that have the write."""
    p = Fraction(1)
    for i in range(r):
        p *= Fraction(max(n - w - i, 0), n - i)
    return p


def quorums(max_n: int) -> list[tuple[int, int, int]]:
    return [
        (n, r, w) for n in range(1, max_n + 1) for r in range(1, n + 1) for w in range(1, n + 1)
    ]


@pytest.mark.parametrize(("n", "r", "w"), quorums(8))
def test_p_stale_exact_equals_enumeration_of_read_quorums(n: int, r: int, w: int) -> None:
    exact = enumerated_p_stale(n, r, w)
    assert p_stale_exact(n, r, w) == exact
    assert p_stale(n, r, w) == float(exact)
    assert p_consistent_exact(n, r, w) == 1 - exact
    assert p_consistent(n, r, w) == float(1 - exact)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_p_stale_exact_equals_hypergeometric_product(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, MAX_N))
    r = data.draw(st.integers(1, n))
    w = data.draw(st.integers(1, n))
    exact = hypergeometric_p_stale(n, r, w)
    assert p_stale_exact(n, r, w) == exact
    assert p_stale(n, r, w) == float(exact)


def test_paper_examples() -> None:
    # N = 3, R = W = 1: the read misses the one written replica 2 times in 3.
    assert p_stale_exact(3, 1, 1) == Fraction(2, 3)
    # Dynamo's common (3, 2, 2) is a strict quorum: never stale.
    assert p_stale_exact(3, 2, 2) == 0
    # R = 1, W = 2 of 3: only the one unwritten replica is stale.
    assert p_stale_exact(3, 1, 2) == Fraction(1, 3)


@pytest.mark.parametrize(("n", "r", "w"), quorums(7))
def test_strict_quorums_are_never_stale(n: int, r: int, w: int) -> None:
    assert is_strict_quorum(n, r, w) == (r + w > n)
    if r + w > n:
        assert p_stale_exact(n, r, w) == 0
        assert p_consistent_exact(n, r, w) == 1
    else:
        assert p_stale_exact(n, r, w) > 0


def enumerated_k_staleness(n: int, r: int, w: int, k: int) -> Fraction:
    """P(a read quorum meets at least one of k writes on independent uniform W-subsets).

    For every read quorum, enumerate every k-tuple of write quorums.
    """
    writes = list(itertools.combinations(range(n), w))
    reads = list(itertools.combinations(range(n), r))
    hit = total = 0
    for read in reads:
        for chosen in itertools.product(writes, repeat=k):
            total += 1
            hit += any(not set(read).isdisjoint(wq) for wq in chosen)
    return Fraction(hit, total)


@pytest.mark.parametrize(("n", "r", "w"), quorums(5))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_k_staleness_equals_enumeration_of_independent_writes(
    n: int, r: int, w: int, k: int
) -> None:
    exact = enumerated_k_staleness(n, r, w, k)
    assert k_staleness_exact(n, r, w, k) == exact
    assert k_staleness(n, r, w, k) == pytest.approx(float(exact), rel=1e-15, abs=0)


@given(st.integers(2, 60), st.data())
@settings(max_examples=100, deadline=None)
def test_k_staleness_grows_with_k_and_starts_at_p_consistent(n: int, data: st.DataObject) -> None:
    r = data.draw(st.integers(1, n))
    w = data.draw(st.integers(1, n))
    values = [k_staleness_exact(n, r, w, k) for k in range(1, 8)]
    assert values[0] == p_consistent_exact(n, r, w)
    assert values == sorted(values)
    assert all(0 < v <= 1 for v in values)


@pytest.mark.parametrize(("n", "r", "w"), quorums(9))
def test_smallest_quorums_for_strong_consistency(n: int, r: int, w: int) -> None:
    searched_r = min(x for x in range(1, n + 1) if x + w > n)
    searched_w = min(x for x in range(1, n + 1) if r + x > n)
    assert smallest_r_for_strong(n, w) == searched_r
    assert smallest_w_for_strong(n, r) == searched_w
    assert p_stale_exact(n, searched_r, w) == 0
    if searched_r > 1:
        assert p_stale_exact(n, searched_r - 1, w) > 0


@pytest.mark.parametrize(
    ("args", "field", "fragment"),
    [
        ((3, 0, 1), "r", "between 1 and N=3"),
        ((3, 4, 1), "r", "between 1 and N=3"),
        ((3, 1, 0), "w", "between 1 and N=3"),
        ((3, 1, 4), "w", "between 1 and N=3"),
        ((3, True, 1), "r", "between 1 and N=3"),
        ((3, 1.0, 1), "r", "between 1 and N=3"),
        ((0, 1, 1), "n", f"between 1 and {MAX_N}"),
        ((MAX_N + 1, 1, 1), "n", f"between 1 and {MAX_N}"),
        (("3", 1, 1), "n", f"between 1 and {MAX_N}"),
    ],
)
def test_bad_quorums_are_refused_naming_value_and_rule(
    args: tuple[object, object, object], field: str, fragment: str
) -> None:
    for fn in (p_stale, p_stale_exact, p_consistent, is_strict_quorum):
        with pytest.raises(CommandError) as info:
            fn(*args)  # type: ignore[operator]
        assert info.value.field == field
        assert fragment in str(info.value)


@pytest.mark.parametrize("k", [0, MAX_K + 1, 2.0, True])
def test_bad_k_is_refused(k: object) -> None:
    with pytest.raises(CommandError) as info:
        k_staleness(3, 1, 1, k)  # type: ignore[arg-type]
    assert info.value.field == "k"
    assert f"between 1 and {MAX_K}" in str(info.value)


def test_largest_inputs_stay_exact() -> None:
    n = MAX_N
    assert p_stale_exact(n, n // 2, n // 2) == Fraction(comb(n - n // 2, n // 2), comb(n, n // 2))
    assert 0 < k_staleness(n, 1, 1, MAX_K) < 1
