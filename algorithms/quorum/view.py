"""The quorum lab's picture of its cluster, and Merkle anti-entropy between two replicas.

Dynamo (DeCandia et al., SOSP 2007): who holds which version of each key and which
copies are hints (§4.6), every request leg, and the §4.7 anti-entropy round: the two
replicas build a Merkle tree per key range both replicate and compare each pair top-down,
descending only where hashes differ; the keys found out of sync are merged on both.

Examples
--------
>>> from algorithms.quorum.cluster import Cluster
>>> from algorithms.quorum.latency import latency_model
>>> c = Cluster(("A", "B", "C"), 3, 1, 1, latency_model("constant", 1.0), seed=1)
>>> _ = c.put("C1", "k", "v", "A"); _ = c.run_until_quiet()
>>> c.store["B"]["k"] = ()
>>> anti_entropy_round(c, "A", "B", ["k"], depth=2)["differing_keys"]
['k']
>>> [v.value for v in c.store["B"]["k"]]
['v']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from algorithms.quorum.cluster import Cluster
from algorithms.quorum.merkle import KeyRange, compare, key_position, trees_per_range, version_hash
from algorithms.quorum.messages import CLIENTS
from algorithms.quorum.params import QuorumParams
from algorithms.quorum.pbs import p_stale, smallest_r_for_strong
from algorithms.quorum.staleness import live_curve
from algorithms.quorum.versions import merge_versions

__all__ = ["anti_entropy_round", "shared_ranges", "state_json"]

MAX_RANGES = 64
"""Trees built per call of :func:`~algorithms.quorum.merkle.trees_per_range`."""


def shared_ranges(cluster: Cluster, a: str, b: str) -> list[KeyRange]:
    """The ring's key ranges (arcs between consecutive tokens) that both ``a`` and ``b``
    replicate: those whose first ``N`` preference-list nodes include both (§4.3)."""
    tokens = cluster.ring.tokens()
    out = []
    for i, (position, _) in enumerate(tokens):
        if {a, b} <= set(cluster.ring.preference_list_at(position, cluster.n)):
            out.append(KeyRange(tokens[i - 1][0], position))
    return out


def anti_entropy_round(
    cluster: Cluster, a: str, b: str, shared: Sequence[str], depth: int
) -> dict[str, Any]:
    """Compare ``a``'s and ``b``'s Merkle trees, one per key range both replicate, over the
    ``shared`` keys; merge the keys found different on both (Dynamo §4.7)."""
    ranges = shared_ranges(cluster, a, b)
    maps = [
        {
            k: version_hash(repr([v.label for v in cluster.store[x][k]]))
            for k in shared
            if cluster.store[x].get(k)
        }
        for x in (a, b)
    ]
    differing: list[str] = []
    exchanged = full = compared = 0
    for start in range(0, len(ranges), MAX_RANGES):
        chunk = ranges[start : start + MAX_RANGES]
        trees = []
        for held in maps:
            inside = {
                k: v for k, v in held.items() if any(r.contains(key_position(k)) for r in chunk)
            }
            trees.append(trees_per_range(inside, chunk, depth))
        for ta, tb in zip(trees[0], trees[1], strict=True):
            diff = compare(ta, tb)
            differing += diff.differing_keys
            exchanged += diff.hashes_exchanged
            full += diff.full_comparison_hashes
            compared += diff.nodes_compared
    for k in differing:
        merged = merge_versions(cluster.store[a].get(k, ()), cluster.store[b].get(k, ()))
        cluster.store[a][k] = cluster.store[b][k] = merged
    return {
        "a": a,
        "b": b,
        "depth": depth,
        "ranges": len(ranges),
        "shared_keys": list(shared),
        "differing_keys": sorted(differing),
        "hashes_exchanged": exchanged,
        "full_comparison": full,
        "nodes_compared": compared,
    }


def state_json(
    cluster: Cluster, params: QuorumParams, keys: Sequence[str], extra: dict[str, Any]
) -> dict[str, Any]:
    """Nodes, legs, requests, keys with their holders, the quorum's figures and ``extra``.

    ``extra`` is included as it is: the engine hands the picture out through its memo,
    which copies it."""
    c, p = cluster, params
    nodes = [
        {
            "id": node,
            "up": c.up(node),
            "cut_off": not c.net.connected(CLIENTS[0], node),
            "keys": sorted(k for k, v in c.store[node].items() if v),
            "hints": [
                {"key": k, "owner": o, "versions": [v.label for v in vs]}
                for (k, o), vs in sorted(c.hints[node].items())
            ],
        }
        for node in c.nodes
    ]
    key_rows = [
        {
            "key": k,
            "preference_list": c.preference_list(k),
            "home": c.preference_list(k)[: p.n],
            "holders": c.holders(k),
        }
        for k in keys
    ]
    reads = [r for r in c.requests if r.kind == "get" and r.stale is not None]
    return {
        "now": c.now,
        "clients": list(CLIENTS),
        "nodes": nodes,
        "keys": key_rows,
        "legs": [leg.to_json() for leg in c.legs.values()],
        "requests": [r.to_json() for r in c.requests],
        "quorum": {
            "n": p.n,
            "r": p.r,
            "w": p.w,
            "strict": p.strict_quorum,
            "p_stale": p_stale(p.n, p.r, p.w),
            "smallest_r_for_strong": smallest_r_for_strong(p.n, p.w),
            "latency": p.latency,
        },
        "live": live_curve(reads),
        "hints_made": len(c.hints_made),
        "handoffs": len(c.handoffs_done),
        **extra,
    }
