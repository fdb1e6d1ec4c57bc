"""The small-world lab's picture: the JSON its view reads, built from immutable measures.

Watts & Strogatz, "Collective dynamics of 'small-world' networks", Nature 393:440-442
(1998): the view shows the graph, its clustering ``C`` and path length ``L`` beside the
lattice's ``C(0)`` and ``L(0)``, and the closed forms of :mod:`algorithms.theory`
(Barrat & Weigt 2000; Newman 2000; the random-graph columns of the paper's Table 1).
Nothing here changes anything: it reads a
:class:`~algorithms.smallworld.plan.Measures` and a
:class:`~algorithms.smallworld.plan.Picture` and returns fresh lists and dicts.

Examples
--------
>>> fmt(0.5), fmt(1 / 3), fmt(float("nan"))
('0.5', '0.333', 'undefined')
"""

from __future__ import annotations

from algorithms.smallworld.gossip import Rumour
from algorithms.smallworld.limits import JSON
from algorithms.smallworld.metrics import _PathSums, lattice_clustering, lattice_path_length
from algorithms.smallworld.params import SmallWorldParams
from algorithms.smallworld.plan import GraphPlan, Measures, Picture
from algorithms.theory import (
    barrat_weigt_clustering,
    newman_watts_clustering,
    random_graph_clustering,
    random_graph_path_length,
    table1,
)

__all__ = [
    "fmt",
    "path_length_json",
    "picture_json",
    "selected_json",
    "state_json",
    "theory_json",
]


def fmt(x: float) -> str:
    """A measure as the lab's sentences print it: three decimals at most.

    Examples
    --------
    >>> fmt(2.0)
    '2'
    """
    return f"{x:.3f}".rstrip("0").rstrip(".") if x == x else "undefined"


def path_length_json(n: int, sums: _PathSums) -> tuple[float | None, str]:
    """``L`` (None when the graph is disconnected, so that ``L`` is infinite) and a note.

    Examples
    --------
    >>> path_length_json(3, _PathSums(8, 6, 3, 1, 8, 6, 3))
    (1.3333333333333333, 'Mean shortest path over all 6 ordered pairs of nodes.')
    """
    if sums.components == 1:
        note = f"Mean shortest path over all {n * (n - 1):,} ordered pairs of nodes."
        return sums.total / sums.pairs, note
    within = sums.largest_total / sums.largest_pairs if sums.largest_pairs else 0.0
    note = (
        f"The graph is disconnected ({sums.components} components), so L is "
        f"infinite; within the largest component ({sums.largest_n} nodes) it is "
        f"{fmt(within)}."
    )
    return None, note


def picture_json(picture: Picture) -> JSON:
    """Edges and shortcuts (the memo's own tuples) and the degree histogram as lists.

    Examples
    --------
    >>> picture_json(Picture(((0, 1),), (), ((1, 2),)))
    {'edges': ((0, 1),), 'shortcuts': (), 'degree_histogram': [[1, 2]]}
    """
    return {
        "edges": picture.edges,
        "shortcuts": picture.shortcuts,
        "degree_histogram": [[d, c] for d, c in picture.degree_histogram],
    }


def selected_json(measures: Measures, node: int | None) -> JSON | None:
    """The selected node's degree and local clustering ``C_v``, or None."""
    if node is None:
        return None
    return {
        "node": node,
        "degree": int(measures.degree[node]),
        "C_v": float(measures.local[node]),
    }


def theory_json(model: str, n: int, k: int, p: float, measures: Measures) -> JSON:
    """Closed forms beside the measurements (see :mod:`algorithms.theory`).

    ``C_barrat_weigt`` (Watts-Strogatz) and ``C_newman_watts`` (Newman-Watts, a
    transitivity: 3 x triangles / connected triples) predict C once every decision
    is made, null for the other models; ``L_random`` = ln n / ln k and ``C_random``
    = k / n use the graph's mean degree k (Table 1's random-graph columns), and
    ``table1`` is Table 1 with those formulas beside the published values.

    Examples
    --------
    >>> import numpy as np
    >>> m = Measures(0.5, np.zeros(12), np.full(12, 4), _PathSums(0, 0, 12, 1, 0, 0, 12))
    >>> t = theory_json("watts_strogatz", 12, 4, 0.0, m)
    >>> t["mean_degree"], t["C_barrat_weigt"], t["C_newman_watts"]
    (4.0, 0.5, None)
    """
    mean_degree = float(measures.degree.sum()) / n
    c0 = lattice_clustering(k, n)
    return {
        "mean_degree": mean_degree,
        "C_barrat_weigt": barrat_weigt_clustering(c0, p) if model == "watts_strogatz" else None,
        "C_newman_watts": newman_watts_clustering(k, p) if model == "newman_watts" else None,
        "L_random": random_graph_path_length(n, mean_degree) if mean_degree > 1 else None,
        "C_random": random_graph_clustering(n, mean_degree),
        "table1": table1(n, mean_degree),
    }


def state_json(
    params: SmallWorldParams,
    plan: GraphPlan,
    done: int,
    measures: Measures,
    picture: Picture,
    selected: int | None,
    path: tuple[int, ...] | None,
    rumour: Rumour | None,
) -> JSON:
    """The engine's ``state()``: its shape is in :class:`SmallWorldEngine`'s docstring.

    Examples
    --------
    >>> import random
    >>> params = SmallWorldParams(n=6, k=2, p=0.0)
    >>> plan = GraphPlan.ring_model(6, 2, 0.0, random.Random(1), remove=True)
    >>> s = state_json(params, plan, 0, plan.measure(0), plan.picture(0), None, None, None)
    >>> s["edges"], s["L"], s["lap"], s["theory"]["C_barrat_weigt"]
    (((0, 1), (0, 5), (1, 2), (2, 3), (3, 4), (4, 5)), 1.8, 1, 0.0)
    """
    n = plan.n
    big_l, note = path_length_json(n, measures.sums)
    shown = picture_json(picture)
    return {
        "model": params.model,
        "n": n,
        "k": params.k,
        "p": params.p,
        "m": params.m,
        "nodes": n,
        "edges": shown["edges"],
        "shortcuts": shown["shortcuts"],
        "lap": min(done // n + 1, plan.h) if plan.ring else None,
        "decisions_done": done,
        "decisions_total": plan.total,
        "C": measures.C,
        "L": big_l,
        "L_note": note,
        "components": measures.sums.components,
        "C0": lattice_clustering(params.k, n),
        "L0": lattice_path_length(n, params.k),
        "degree_histogram": shown["degree_histogram"],
        "selected": selected_json(measures, selected),
        "path": None if path is None else list(path),
        "gossip": None if rumour is None else rumour.to_json(),
        "theory": theory_json(params.model, n, params.k, params.p, measures),
    }
