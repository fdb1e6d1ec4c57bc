"""Consistent hashing benchmark: ring lookups against uhashring, and a 1,000,000-key join.

1. ``HashRing.node_for`` against ``uhashring.HashRing.get_node`` on the same 10 nodes,
   both with uhashring's default 160 virtual nodes per node (both hash keys with MD5),
   over the same 100,000 keys; best of 7 interleaved runs each. Target: ours at least as fast.
2. A node joins a ring of 10 nodes (160 tokens each) holding 1,000,000 keys whose MD5
   positions are precomputed: ``KeyPlacement.moves_on_join`` finds the moved keys by
   arc, then the owner table of the moved keys is updated. Target: under 1 s. For
   comparison, the same re-assignment done naively (one lookup per key) is timed,
   and both answers are checked to agree.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable

from uhashring import HashRing as UHashRing

from algorithms.consistent_hashing import HashRing, KeyPlacement, key_position
from tests.bench.targets import check, exit_after

NODES = [f"node-{i}" for i in range(10)]
VNODES = 160  # uhashring's default
LOOKUP_KEYS = 100_000
JOIN_KEYS = 1_000_000
RUNS = 7


def best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_lookups() -> None:
    keys = [f"key-{i}" for i in range(LOOKUP_KEYS)]
    ours = HashRing(vnodes=VNODES, nodes=NODES)
    theirs = UHashRing(nodes=NODES, vnodes=VNODES)
    assert theirs.size == len(NODES) * VNODES == len(ours.tokens())

    ours_node_for = ours.node_for
    theirs_get_node = theirs.get_node

    def run_ours() -> None:
        for k in keys:
            ours_node_for(k)

    def run_theirs() -> None:
        for k in keys:
            theirs_get_node(k)

    # interleaved, so that a busy machine slows both sides alike
    t_ours = t_theirs = float("inf")
    for _ in range(RUNS):
        t_ours = min(t_ours, best_of(1, run_ours))
        t_theirs = min(t_theirs, best_of(1, run_theirs))
    r_ours, r_theirs = LOOKUP_KEYS / t_ours, LOOKUP_KEYS / t_theirs
    print(f"node_for, {len(NODES)} nodes x {VNODES} vnodes, {LOOKUP_KEYS:,} keys (best of {RUNS}):")
    print(f"  paperlabs HashRing.node_for : {r_ours:12,.0f} lookups/s")
    print(f"  uhashring HashRing.get_node : {r_theirs:12,.0f} lookups/s")
    print(f"  ratio ours / uhashring      : {r_ours / r_theirs:12.2f}x")
    check("node_for lookups/s, ours / uhashring", r_ours / r_theirs, ">=", 1.0, "x")


def bench_join() -> None:
    start = time.perf_counter()
    positions = [key_position(f"key-{i}") for i in range(JOIN_KEYS)]
    placement = KeyPlacement.from_positions(positions)
    setup_s = time.perf_counter() - start
    ring = HashRing(vnodes=VNODES, nodes=NODES)
    tokens = ring.arc_map().positions
    owners_by_token = ring.arc_map().owners + ring.arc_map().owners[:1]
    sorted_positions = placement.positions
    owner = [owners_by_token[bisect_left(tokens, p)] for p in sorted_positions]
    print(f"join: {JOIN_KEYS:,} keys (hashing and sorting them took {setup_s:.2f} s, not counted)")

    # by arc: only the arcs the new node takes are searched
    start = time.perf_counter()
    moves = placement.moves_on_join(ring, "node-new")
    for index, target in moves.key_indices():
        owner[index] = target  # type: ignore[assignment]
    arc_s = time.perf_counter() - start

    # naive: look every key up again in the new ring
    after = ring.copy()
    after.add_node("node-new")
    start = time.perf_counter()
    new_tokens = after.arc_map().positions
    new_owners = after.arc_map().owners + after.arc_map().owners[:1]
    naive = [new_owners[bisect_left(new_tokens, p)] for p in sorted_positions]
    naive_s = time.perf_counter() - start

    assert naive == owner, "the arc-based moves disagree with a full re-lookup"
    moved = moves.moved
    print(f"  moves_on_join + owner update : {arc_s * 1000:9.1f} ms (target under 1 s)")
    check(f"join over {JOIN_KEYS:,} keys: moves + owner update", arc_s * 1000, "<", 1000, " ms")
    print(f"  naive re-lookup of every key : {naive_s * 1000:9.1f} ms")
    print(
        f"  moved {moved:,} of {JOIN_KEYS:,} keys = {moved / JOIN_KEYS:.4f} "
        f"(1/(n+1) = {1 / (len(NODES) + 1):.4f}), all to node-new from "
        f"{len(moves.by_source())} clockwise successors"
    )


def main() -> None:
    bench_lookups()
    bench_join()


if __name__ == "__main__":
    exit_after(main)
