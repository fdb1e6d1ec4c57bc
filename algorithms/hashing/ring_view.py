"""What the ring engine shows: tokens, partitions and keys on the circle, and its load.

The ring is drawn as DeCandia et al., "Dynamo", SOSP 2007, §4.2 and Figure 2 draw it:
each physical node's tokens on one circle, the arcs (partitions) they own, and the
keys at their MD5 positions. The load spread is set beside its closed forms for T
random tokens per node (Karger et al., STOC 1997; see :mod:`algorithms.theory`).

Examples
--------
>>> theory = load_theory({"A": 0.5, "B": 0.5}, vnodes=8, strategy=1, explicit=False)
>>> theory["load_cv"], theory["max_over_mean"], theory["applies"]
(0.0, 1.0, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from algorithms.hashing.params import MAX_LISTED_KEYS
from algorithms.hashing.ring import HASH_SPACE, position_to_fraction
from algorithms.hashing.strategies import PartitionScheme
from algorithms.theory import harmonic, ring_load_cv

__all__ = ["load_theory", "ring_picture"]

JSON = dict[str, Any]


def load_theory(shares: Mapping[str, float], vnodes: int, strategy: int, explicit: bool) -> JSON:
    """The ring's load spread beside its closed forms (see :mod:`algorithms.theory`).

    Measured over the nodes' shares of the hash space under the current strategy:
    ``load_cv`` (std/mean) and ``max_over_mean``. Predicted for T random tokens per
    node: ``load_cv_predicted`` = sqrt((S-1)/(S·T+1)) (``load_cv_limit`` = 1/sqrt(T)
    for many nodes) and, for T = 1, ``max_over_mean_predicted`` = H_S. ``applies`` is
    False where the prediction is not about this ring: strategies 2 and 3 place
    equal partitions, and hand-placed tokens (``explicit``) are not random.

    Examples
    --------
    >>> load_theory({}, vnodes=1, strategy=1, explicit=False)["load_cv_limit"]
    1.0
    """
    values = list(shares.values())
    s, t = len(values), vnodes
    out: JSON = {
        "nodes": s,
        "tokens_per_node": t,
        "applies": strategy == 1 and not explicit,
        "load_cv": None,
        "max_over_mean": None,
        "load_cv_predicted": ring_load_cv(t, s) if s else None,
        "load_cv_limit": ring_load_cv(t),
        "max_over_mean_predicted": harmonic(s) if s and t == 1 else None,
        "harmonic": harmonic(s) if s else None,
    }
    if s:
        mean = 1 / s
        variance = sum((x - mean) ** 2 for x in values) / s
        out["load_cv"] = variance**0.5 / mean
        out["max_over_mean"] = max(values) / mean
    return out


def ring_picture(
    scheme: PartitionScheme,
    names: Sequence[str],
    shares: Mapping[str, float],
    counts: Mapping[str, int],
    explicit: Mapping[str, object],
    key_names: Sequence[str],
    key_positions: Sequence[int],
) -> JSON:
    """The nodes, tokens, partitions and first :data:`MAX_LISTED_KEYS` keys, as fractions.

    Examples
    --------
    >>> from algorithms.hashing.strategies import strategy_1
    >>> scheme = strategy_1(["A"], 1)
    >>> picture = ring_picture(scheme, ["A"], {"A": 1.0}, {"A": 0}, {}, [], [])
    >>> [n["name"] for n in picture["nodes"]], len(picture["tokens"]), picture["keys"]
    (['A'], 1, [])
    """
    node_tokens: dict[str, list[float]] = {name: [] for name in names}
    tokens: list[JSON] = []
    for pos, owner in zip(scheme.ring.positions, scheme.ring.owners, strict=True):
        fraction = position_to_fraction(pos)
        node_tokens[owner].append(fraction)
        tokens.append({"pos": fraction, "node": owner})
    nodes = [
        {
            "name": name,
            "tokens": node_tokens[name],
            "load_share": shares.get(name, 0.0),
            "keys": counts.get(name, 0),
            "explicit_tokens": name in explicit,
        }
        for name in names
    ]
    partitions = [
        {
            "start": position_to_fraction(start),
            "end": 1.0 if end == HASH_SPACE else position_to_fraction(end),
            "node": owner,
        }
        for start, end, owner in scheme.partitions()
    ]
    keys = [
        {"name": name, "pos": position_to_fraction(pos), "node": scheme.node_at(pos)}
        for name, pos in zip(
            key_names[:MAX_LISTED_KEYS], key_positions[:MAX_LISTED_KEYS], strict=True
        )
    ]
    return {"nodes": nodes, "tokens": tokens, "partitions": partitions, "keys": keys}
