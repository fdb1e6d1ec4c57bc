"""The small-world lab (Watts & Strogatz 1998; Strogatz 2001).

Its registry entry, with its exercise queries, narrated replays and heavy actions.
"""

from __future__ import annotations

from algorithms.smallworld.limits import ENGINE_MAX_K, ENGINE_MAX_M, ENGINE_MAX_NODES
from labs.lablets import Lab

from . import queries, replays, tasks

PARAMS_LIMITS = {"n": (4, ENGINE_MAX_NODES), "k": (2, ENGINE_MAX_K), "m": (1, ENGINE_MAX_M)}
"""The lab's own graph, bounded as ``SmallWorldParams`` checks it (test_lab_parts)."""

LAB = Lab(
    slug="small-world",
    title="Small-world networks and gossip",
    papers=(
        "Watts & Strogatz, Collective dynamics of 'small-world' networks, Nature 393 (1998)",
        "Strogatz, Exploring complex networks, Nature 410 (2001)",
        "Newman & Watts 1999; Erdős–Rényi; Barabási–Albert",
    ),
    summary=(
        "Rewire a ring lattice edge by edge, watch the clustering C and path length L, "
        "reproduce Figure 2 live, and spread gossip over lattices, small worlds and "
        "random graphs."
    ),
    engine="algorithms.smallworld:SmallWorldEngine",
    template="labs/small_world.html",
    script="labs/small-world.js",
    queries=queries,
    samples=(replays.watts_strogatz_rewiring,),
    tasks=tasks.TASKS,
    checkpoint_every=64,
    heaviest=({"n": 2_000, "k": 50, "p": 0.5}, {"action": "rewire_all"}),
    form_limits={"params": PARAMS_LIMITS, "sweep": tasks.SweepRequest.LIMITS},
)
