"""The quorum lab (Dynamo §4.5–4.8; Bailis et al., PBS, VLDB 2012).

Its registry entry, with its exercise queries and narrated replays; it has no heavy actions.
"""

from __future__ import annotations

from labs.lablets import Lab

from . import queries, replays

LAB = Lab(
    slug="quorum",
    title="Dynamo's quorums, sloppy quorum and PBS staleness",
    papers=(
        "DeCandia et al., Dynamo: Amazon's Highly Available Key-value Store, SOSP 2007 (§4.5–4.8)",
        "Bailis et al., Probabilistically Bounded Staleness for Practical Partial Quorums, "
        "VLDB 2012",
    ),
    summary=(
        "Put and get keys on a Dynamo cluster with your own N, R and W, watch every "
        "request leg cross the network, crash nodes to see sloppy quorum and hinted "
        "handoff, and measure staleness against the PBS curve."
    ),
    engine="algorithms.quorum.engine:QuorumEngine",
    template="labs/quorum.html",
    script="labs/quorum.js",
    queries=queries,
    samples=(replays.dynamo_hinted_handoff,),
    tasks={},
    heaviest=(
        {"n": 32, "r": 16, "w": 16, "nodes": 64, "latency": "WAN"},
        {"action": "p_consistent", "t": 100.0, "trials": 200_000},
    ),
)
