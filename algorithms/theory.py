"""Closed forms the labs draw beside their measurements.

Each function is the textbook prediction for a quantity a lab measures, so a student
can see where the measurement follows the theory and where it does not.

Small-world networks
    - Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393,
      1998: Table 1 compares real networks with random graphs of the same n and mean
      degree k, for which L ≈ ln n / ln k and C ≈ k / n.
    - Barrat & Weigt, "On the properties of small-world network models", Eur. Phys. J.
      B 13, 547-560, 2000: the rewired ring's clustering C(p) ≈ C(0)(1 - p)³, with
      C(0) = 3(k - 2) / (4(k - 1)) (a triangle survives when its three edges do).
    - Newman, "Models of the small world", J. Stat. Phys. 101, 819-841, 2000, and
      Newman, "The structure and function of complex networks", SIAM Review 45, 2003,
      §VI.B: adding shortcuts instead of rewiring (Newman-Watts) gives
      C = 3(c - 1) / (2(2c - 1) + 4cp(p + 2)) with c lattice neighbours on *each* side.
      With Watts and Strogatz's k = 2c (the degree, as this project uses) that is
      C = 3(k - 2) / (4(k - 1) + 8kp + 4kp²), which is C(0) at p = 0.

Consistent hashing
    - With v random tokens for each of n nodes, the n·v tokens cut the ring into n·v
      spacings, exchangeable as a flat Dirichlet; a node's share is the sum of v of them,
      a Beta(v, (n - 1)v) variable: mean 1/n and coefficient of variation
      sqrt((n - 1) / (n·v + 1)), which tends to 1/sqrt(v) (Karger et al., STOC 1997,
      use O(log n) copies per node for this reason; Dynamo §4.2 virtual nodes).
    - With one token per node (v = 1) the largest of n spacings of the circle has mean
      H_n / n (the harmonic number: Rényi 1953; Feller, vol. II, I.7), so the most
      loaded node expects H_n ≈ ln n times the mean load.

Examples
--------
>>> c0 = newman_watts_clustering(10, 0.0)  # at p = 0: the lattice's 3(k-2)/(4(k-1))
>>> round(barrat_weigt_clustering(c0, 0.1), 4)
0.486
>>> round(c0, 4)
0.6667
>>> round(ring_load_cv(100), 3), round(harmonic(4), 4)
(0.1, 2.0833)
"""

from __future__ import annotations

import math
from typing import Any

from algorithms.engine import check_float, check_int

__all__ = [
    "MAX_HARMONIC",
    "MAX_THEORY_NODES",
    "WATTS_STROGATZ_TABLE1",
    "barrat_weigt_clustering",
    "figure2_theory",
    "harmonic",
    "newman_watts_clustering",
    "random_graph_clustering",
    "random_graph_path_length",
    "ring_load_cv",
    "table1",
]

MAX_HARMONIC = 10_000_000
"""Largest n accepted by :func:`harmonic`."""

MAX_THEORY_NODES = 10**12
"""Largest n accepted by the random-graph and ring formulas."""

MAX_DEGREE = 10**9
"""Largest degree k accepted by the clustering formulas."""

MAX_FIGURE2_POINTS = 200
"""Most points of a theory curve from :func:`figure2_theory`."""

WATTS_STROGATZ_TABLE1: tuple[dict[str, Any], ...] = (
    {
        "network": "Film actors",
        "n": 225_226,
        "k": 61.0,
        "L_actual": 3.65,
        "L_random": 2.99,
        "C_actual": 0.79,
        "C_random": 0.00027,
    },
    {
        "network": "Power grid",
        "n": 4_941,
        "k": 2.67,
        "L_actual": 18.7,
        "L_random": 12.4,
        "C_actual": 0.080,
        "C_random": 0.005,
    },
    {
        "network": "C. elegans",
        "n": 282,
        "k": 14.0,
        "L_actual": 2.65,
        "L_random": 2.25,
        "C_actual": 0.28,
        "C_random": 0.05,
    },
)
"""Table 1 of Watts & Strogatz (1998): n, mean degree k and the published values."""


def _check_degree(k: object, lo: float) -> float:
    return check_float("k", k, lo, MAX_DEGREE)


def barrat_weigt_clustering(c0: float, p: float) -> float:
    """Barrat & Weigt's C(p) ≈ C(0)(1 - p)³ for the Watts-Strogatz rewired ring (2000).

    A triangle of the lattice survives when none of its three edges is rewired; new
    triangles made by rewired edges are rare, of order k/n.

    Parameters
    ----------
    c0 : float
        The lattice's clustering C(0), in [0, 1].
    p : float
        Rewiring probability, in [0, 1].

    Examples
    --------
    >>> barrat_weigt_clustering(0.5, 0.5)
    0.0625
    >>> barrat_weigt_clustering(0.5, 1.5)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: p must be a number between 0.0 and 1.0, got 1.5
    """
    c0_ = check_float("c0", c0, 0.0, 1.0)
    p_ = check_float("p", p, 0.0, 1.0)
    return c0_ * (1 - p_) ** 3


def newman_watts_clustering(k: float, p: float) -> float:
    """Newman-Watts clustering C = 3(k - 2) / (4(k - 1) + 8kp + 4kp²), k the lattice degree.

    Newman, "Models of the small world", J. Stat. Phys. 101, 2000 (and SIAM Review 45,
    2003, eq. 6.2) writes it with c = k/2 neighbours on each side:
    3(c - 1) / (2(2c - 1) + 4cp(p + 2)); both are the same number. ``p`` is the
    probability, for each lattice edge, of adding one shortcut (the lab's Newman-Watts
    model), so p can exceed what rewiring allows only up to 1 here.

    Examples
    --------
    >>> round(newman_watts_clustering(4, 0.1), 4)
    0.3906
    >>> c = 2  # the same value with c = k/2 neighbours a side, as Newman writes it
    >>> round(3 * (c - 1) / (2 * (2 * c - 1) + 4 * c * 0.1 * (0.1 + 2)), 4)
    0.3906
    """
    k_ = _check_degree(k, 2)
    p_ = check_float("p", p, 0.0, 1.0)
    return 3 * (k_ - 2) / (4 * (k_ - 1) + 8 * k_ * p_ + 4 * k_ * p_ * p_)


def random_graph_path_length(n: float, k: float) -> float:
    """L ≈ ln n / ln k for a random graph of n nodes and mean degree k > 1 (Table 1).

    Examples
    --------
    >>> round(random_graph_path_length(225_226, 61), 2)  # film actors: published 2.99
    3.0
    """
    n_ = check_float("n", n, 2, MAX_THEORY_NODES)
    k_ = check_float("k", k, 1.000001, MAX_DEGREE)
    return math.log(n_) / math.log(k_)


def random_graph_clustering(n: float, k: float) -> float:
    """C ≈ k / n for a random graph of n nodes and mean degree k (Table 1).

    Examples
    --------
    >>> round(random_graph_clustering(282, 14), 3)  # C. elegans: published 0.05
    0.05
    """
    n_ = check_float("n", n, 1, MAX_THEORY_NODES)
    k_ = check_float("k", k, 0.0, MAX_DEGREE)
    return k_ / n_


def table1(n: float | None = None, k: float | None = None) -> list[dict[str, Any]]:
    """Table 1's rows with the random-graph formulas computed beside the published values.

    Each row adds ``L_formula = ln n / ln k`` and ``C_formula = k / n``. The formulas are
    rough for sparse graphs: for the power grid (k = 2.67) the published random-graph
    values, measured on random graphs, differ from them. With ``n`` and ``k`` a last
    row, ``"Your graph"``, gives the formulas for the lab's own graph.

    Examples
    --------
    >>> rows = table1(1000, 10)
    >>> [(r["network"], round(r["L_formula"], 2), round(r["C_formula"], 4)) for r in rows]
    [('Film actors', 3.0, 0.0003), ('Power grid', 8.66, 0.0005), ('C. elegans', 2.14, 0.0496), ('Your graph', 3.0, 0.01)]
    """
    rows = [dict(r) for r in WATTS_STROGATZ_TABLE1]
    if n is not None and k is not None:
        rows.append({"network": "Your graph", "n": n, "k": k})
    for row in rows:
        row["L_formula"] = (
            random_graph_path_length(row["n"], row["k"]) if row["k"] > 1 and row["n"] >= 2 else None
        )
        row["C_formula"] = random_graph_clustering(row["n"], row["k"])
    return rows


def figure2_theory(k: int, points: int = 81) -> dict[str, list[float]]:
    """Theory curves for Figure 2: C(p)/C(0) by Barrat-Weigt and by Newman-Watts.

    ``p`` is log-spaced from 1e-4 to 1 as the figure's axis. The Barrat-Weigt ratio
    (1 - p)³ holds for the rewired ring (the figure's model) whatever k; the
    Newman-Watts ratio, for the model that adds shortcuts instead, depends on k.

    Examples
    --------
    >>> curves = figure2_theory(10, points=3)
    >>> curves["p"], [round(c, 3) for c in curves["C_norm_newman_watts"]]
    ([0.0001, 0.01, 1.0], [1.0, 0.978, 0.231])
    >>> [round(c, 6) for c in curves["C_norm_barrat_weigt"]]
    [0.9997, 0.970299, 0.0]
    """
    k_ = check_int("k", k, 4, MAX_DEGREE)
    count = check_int("points", points, 2, MAX_FIGURE2_POINTS)
    ps = [10 ** (-4 + 4 * i / (count - 1)) for i in range(count)]
    ps[-1] = 1.0
    c0 = newman_watts_clustering(k_, 0.0)
    return {
        "p": ps,
        "C_norm_barrat_weigt": [barrat_weigt_clustering(1.0, p) for p in ps],
        "C_norm_newman_watts": [newman_watts_clustering(k_, p) / c0 for p in ps],
    }


def harmonic(n: int) -> float:
    """The harmonic number H_n = 1 + 1/2 + ... + 1/n (``n`` from 1 to 10,000,000).

    With one random token per node, the most loaded of n nodes expects H_n times the
    mean load: the largest of n spacings of a circle has mean H_n / n.

    Examples
    --------
    >>> harmonic(1), harmonic(3)
    (1.0, 1.8333333333333333)
    >>> round(harmonic(1000) - math.log(1000), 4)  # H_n ≈ ln n + 0.5772
    0.5777
    """
    n_ = check_int("n", n, 1, MAX_HARMONIC)
    if n_ > 1000:  # the asymptotic series is exact to double precision here
        return math.log(n_) + 0.5772156649015329 + 1 / (2 * n_) - 1 / (12 * n_ * n_)
    return math.fsum(1 / i for i in range(1, n_ + 1))


def ring_load_cv(v: int, n: int | None = None) -> float:
    """Coefficient of variation of the nodes' shares of the ring, v random tokens each.

    Without ``n`` the large-ring limit 1/sqrt(v); with ``n`` nodes the exact
    sqrt((n - 1) / (n·v + 1)) (a node's share is Beta(v, (n - 1)v)). It is the expected
    population CV over the nodes' shares, std/mean with mean 1/n.

    Parameters
    ----------
    v : int
        Tokens (virtual nodes) per node, 1 to 1,000,000.
    n : int, optional
        Physical nodes, 1 to 10**12.

    Examples
    --------
    >>> ring_load_cv(4)
    0.5
    >>> round(ring_load_cv(1, 10), 4), round(ring_load_cv(8, 64), 4)
    (0.9045, 0.3504)
    >>> ring_load_cv(0)
    Traceback (most recent call last):
    ...
    algorithms.engine.CommandError: v must be an integer between 1 and 1000000, got 0
    """
    v_ = check_int("v", v, 1, 1_000_000)
    if n is None:
        return 1 / math.sqrt(v_)
    n_ = check_int("n", n, 1, MAX_THEORY_NODES)
    return math.sqrt((n_ - 1) / (n_ * v_ + 1))
