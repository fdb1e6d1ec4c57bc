"""Closed forms of Probabilistically Bounded Staleness for partial quorums.

Dynamo (DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP
2007, section 4.5) stores each key on ``N`` replicas; a put succeeds once ``W`` of them
acknowledge it and a get once ``R`` reply. With ``R + W > N`` every read quorum meets
every write quorum (a strict quorum). Bailis, Venkataraman, Franklin, Hellerstein and
Stoica, "Probabilistically Bounded Staleness for Practical Partial Quorums", VLDB 2012
(section 3), ask how often a *partial* quorum (``R + W <= N``) reads stale data: if the
last write reached exactly ``W`` replicas and the read contacts ``R`` replicas chosen
uniformly, the read misses it with probability

    p_s = C(N - W, R) / C(N, R),

and, if each of the last ``k`` writes did so independently, it misses all of them (it is
more than ``k`` versions stale) with probability ``p_s ** k`` (PBS k-staleness).

Every function has an exact :class:`fractions.Fraction` twin (``*_exact``).

Examples
--------
>>> p_stale_exact(3, 1, 1)
Fraction(2, 3)
>>> round(k_staleness(3, 1, 1, 3), 4)
0.7037
>>> smallest_r_for_strong(3, 2)
2
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

from algorithms.engine import check_int
from algorithms.quorum.limits import MAX_K, check_quorum

__all__ = [
    "is_strict_quorum",
    "k_staleness",
    "k_staleness_exact",
    "p_consistent",
    "p_consistent_exact",
    "p_stale",
    "p_stale_exact",
    "smallest_r_for_strong",
    "smallest_w_for_strong",
]


def p_stale_exact(n: int, r: int, w: int) -> Fraction:
    """The exact probability that a read quorum of ``R`` misses a write on exactly ``W`` of ``N``.

    ``C(N - W, R) / C(N, R)`` (Bailis et al., VLDB 2012, section 3.1): the read quorum
    must be drawn entirely from the ``N - W`` replicas the write did not reach. It is 0
    when ``R + W > N`` (a strict quorum, Dynamo section 4.5).

    Parameters
    ----------
    n : int
        Replicas per key, 1 to :data:`~algorithms.quorum.limits.MAX_N` (1,000).
    r, w : int
        Read and write quorum sizes, 1 to ``N``.

    Returns
    -------
    Fraction
        The probability of a stale read, in ``[0, 1)``.

    Raises
    ------
    CommandError
        If ``N``, ``R`` or ``W`` is out of range.

    Examples
    --------
    >>> p_stale_exact(3, 1, 1), p_stale_exact(3, 2, 2)
    (Fraction(2, 3), Fraction(0, 1))
    >>> p_stale_exact(5, 2, 1)
    Fraction(3, 5)
    """
    n, r, w = check_quorum(n, r, w)
    # math.comb(a, b) is 0 when b > a, which is exactly the strict-quorum case.
    return Fraction(comb(n - w, r), comb(n, r))


def p_stale(n: int, r: int, w: int) -> float:
    """The probability that a read quorum misses the latest write, as a float.

    The float nearest to :func:`p_stale_exact` (Python divides the two binomial
    coefficients, as integers, with correct rounding). Bailis et al., VLDB 2012,
    section 3.1.

    Examples
    --------
    >>> round(p_stale(3, 1, 1), 6)
    0.666667
    >>> p_stale(3, 2, 2)
    0.0
    """
    n, r, w = check_quorum(n, r, w)
    return comb(n - w, r) / comb(n, r)


def p_consistent_exact(n: int, r: int, w: int) -> Fraction:
    """The exact probability that a read sees a write that reached exactly ``W`` replicas.

    ``1 - p_stale``: the read quorum meets the write's replicas. This is PBS's
    consistency "immediately after the write reached W replicas", before any further
    replica has the write (Bailis et al., VLDB 2012, section 3.1); the WARS Monte Carlo
    (:func:`algorithms.quorum.wars.t_visibility`) adds time.

    Examples
    --------
    >>> p_consistent_exact(3, 1, 1)
    Fraction(1, 3)
    """
    return 1 - p_stale_exact(n, r, w)


def p_consistent(n: int, r: int, w: int) -> float:
    """``1 - p_stale(n, r, w)`` as a float (see :func:`p_consistent_exact`).

    Examples
    --------
    >>> round(p_consistent(3, 1, 2), 6)
    0.666667
    """
    return float(p_consistent_exact(n, r, w))


def k_staleness_exact(n: int, r: int, w: int, k: int) -> Fraction:
    """The exact probability that a read returns one of the last ``k`` versions.

    PBS k-staleness (Bailis et al., VLDB 2012, section 3.2): if each of the last ``k``
    writes reached exactly ``W`` replicas, chosen independently, the read misses all of
    them with probability ``p_s ** k``, so it is at most ``k`` versions stale with
    probability ``1 - p_s ** k``.

    Parameters
    ----------
    n, r, w : int
        As in :func:`p_stale_exact`.
    k : int
        Versions, 1 to :data:`~algorithms.quorum.limits.MAX_K` (100). ``k = 1`` is
        :func:`p_consistent_exact`.

    Examples
    --------
    >>> k_staleness_exact(3, 1, 1, 2)
    Fraction(5, 9)
    """
    p = p_stale_exact(n, r, w)
    k = check_int("k", k, 1, MAX_K)
    return 1 - p**k


def k_staleness(n: int, r: int, w: int, k: int) -> float:
    """``1 - p_stale ** k`` as a float (see :func:`k_staleness_exact`).

    Examples
    --------
    >>> round(k_staleness(3, 1, 1, 2), 6)
    0.555556
    """
    return float(k_staleness_exact(n, r, w, k))


def is_strict_quorum(n: int, r: int, w: int) -> bool:
    """Whether ``R + W > N``: every read quorum overlaps every write quorum.

    Dynamo section 4.5 calls this "a quorum-like system"; PBS calls it a strict quorum.

    Examples
    --------
    >>> is_strict_quorum(3, 2, 2), is_strict_quorum(3, 1, 2)
    (True, False)
    """
    n, r, w = check_quorum(n, r, w)
    return r + w > n


def smallest_r_for_strong(n: int, w: int) -> int:
    """The smallest read quorum ``R`` with ``R + W > N``, that is ``N - W + 1``.

    Examples
    --------
    >>> smallest_r_for_strong(3, 1), smallest_r_for_strong(5, 3)
    (3, 3)
    """
    n, _, w = check_quorum(n, 1, w)
    return n - w + 1


def smallest_w_for_strong(n: int, r: int) -> int:
    """The smallest write quorum ``W`` with ``R + W > N``, that is ``N - R + 1``.

    Examples
    --------
    >>> smallest_w_for_strong(3, 2)
    2
    """
    n, r, _ = check_quorum(n, r, 1)
    return n - r + 1
