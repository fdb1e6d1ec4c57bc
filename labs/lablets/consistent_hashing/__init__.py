"""The consistent-hashing lab (Karger et al. 1997; Dynamo §4.2; Redis Cluster slots).

Its registry entry, with its exercise queries and narrated replays; it has no heavy actions.
"""

from __future__ import annotations

from labs.lablets import Lab

from . import queries, replays

LAB = Lab(
    slug="consistent-hashing",
    title="Consistent hashing and Dynamo's ring",
    papers=(
        "Karger et al., Consistent Hashing and Random Trees, STOC 1997",
        "DeCandia et al., Dynamo: Amazon's Highly Available Key-value Store, SOSP 2007 (§4.2, §6.2)",
        "Redis Cluster specification (hash slots)",
    ),
    summary=(
        "Place nodes and keys on a hash ring, watch which keys move when nodes join or "
        "leave, compare Dynamo's three partitioning strategies and Redis Cluster's slots."
    ),
    engine="algorithms.hashing:ConsistentHashingEngine",
    template="labs/consistent_hashing.html",
    script="labs/consistent-hashing.js",
    queries=queries,
    samples=(replays.dynamo_figure_2, replays.redis_cluster_reshard),
    tasks={},
    heaviest=(
        {"nodes": 64, "vnodes": 256, "keys": 1_000},
        {"action": "add_keys", "count": 99_000},
    ),
)
