"""The one explicit registry of labs.

Every lab is declared here, once: its slug, papers, one-line summary, engine, page
template and browser module. Duplicate slugs fail at start-up. Tests walk this
registry so that every lab has its template, script, sample replay and docs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from algorithms.engine import LabEngine


@dataclass(frozen=True)
class Lab:
    """One lab: what the catalog lists and what the live consumer runs."""

    slug: str
    title: str
    papers: tuple[str, ...]
    summary: str
    engine: str  # "module:Class", imported on first use
    template: str
    script: str
    checkpoint_every: int = 256
    default_seed: int = 1
    # The lab's most expensive legal move and the parameters it is largest at: tests
    # show it runs off the event loop, and the benchmark measures the loop meanwhile.
    heaviest: tuple[Mapping[str, Any], Mapping[str, Any]] = field(default=({}, {}))

    def engine_class(self) -> type[LabEngine]:
        module_name, _, class_name = self.engine.partition(":")
        engine_class: type[LabEngine] = getattr(importlib.import_module(module_name), class_name)
        return engine_class


class Registry:
    """An ordered mapping of slug to :class:`Lab` that refuses duplicates."""

    def __init__(self) -> None:
        self._labs: dict[str, Lab] = {}

    def register(self, lab: Lab) -> Lab:
        if lab.slug in self._labs:
            raise ImproperlyConfigured(f"lab slug {lab.slug!r} is registered twice")
        self._labs[lab.slug] = lab
        return lab

    def get(self, slug: str) -> Lab | None:
        return self._labs.get(slug)

    def __getitem__(self, slug: str) -> Lab:
        return self._labs[slug]

    def __iter__(self) -> Iterator[Lab]:
        return iter(self._labs.values())

    def __contains__(self, slug: object) -> bool:
        return slug in self._labs

    def slugs(self) -> list[str]:
        return list(self._labs)


LABS = Registry()

LABS.register(
    Lab(
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
        heaviest=(
            {"nodes": 64, "vnodes": 256, "keys": 1_000},
            {"action": "add_keys", "count": 99_000},
        ),
    )
)

LABS.register(
    Lab(
        slug="vector-clocks",
        title="Lamport clocks, vector clocks and Dynamo's versions",
        papers=(
            "Lamport, Time, Clocks, and the Ordering of Events in a Distributed System, CACM 1978",
            "Fidge 1988; Mattern 1989 (vector clocks)",
            "DeCandia et al., Dynamo, SOSP 2007 (§4.4, Figure 3)",
        ),
        summary=(
            "Build runs of processes and messages, see Lamport and vector clocks on every event "
            "of a space-time diagram, ask what happened before what, reconcile Dynamo's "
            "versions, and import or export ShiViz logs."
        ),
        engine="algorithms.vector_clocks:VectorClocksEngine",
        template="labs/vector_clocks.html",
        script="labs/vector-clocks.js",
        heaviest=({"processes": 12}, {"action": "random_run", "events": 2_000}),
    )
)

LABS.register(
    Lab(
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
        engine="algorithms.small_world:SmallWorldEngine",
        template="labs/small_world.html",
        script="labs/small-world.js",
        checkpoint_every=64,
        heaviest=({"n": 2_000, "k": 50, "p": 0.5}, {"action": "rewire_all"}),
    )
)


def _busy_snapshot_events() -> str:
    """An events file near the lab's 2,000-event bound: 16 processes sending tokens
    around a complete graph while two snapshots overlap."""
    lines = []
    for i in range(200):
        a, b = 1 + i % 16, 1 + (i * 7 + 3) % 16
        lines.append(f"send P{a} P{b if b != a else 1 + a % 16} 1")
        if i in (0, 60):
            lines.append(f"snapshot P{a}")
        if i % 30 == 29:
            lines.append("tick")
    return "\n".join(lines)


LABS.register(
    Lab(
        slug="snapshots",
        title="Chandy–Lamport snapshots",
        papers=(
            "Chandy & Lamport, Distributed Snapshots: Determining Global States of "
            "Distributed Systems, ACM TOCS 3(1), 1985",
            "Carbone et al., Lightweight Asynchronous Snapshots for Distributed Dataflows, 2015",
        ),
        summary=(
            "Send tokens over FIFO channels, start snapshots at any process and moment, "
            "watch the markers draw each cut, check that the recorded state conserves the "
            "tokens, and compare with Flink's aligned barriers."
        ),
        engine="algorithms.snapshots.engine:SnapshotsEngine",
        template="labs/snapshots.html",
        script="labs/snapshots.js",
        heaviest=(
            {"processes": 16, "topology": "complete", "tokens": 1_000},
            {"action": "import_events", "text": _busy_snapshot_events()},
        ),
    )
)

LABS.register(
    Lab(
        slug="redundancy",
        title="Redundancy: disk arrays, failure domains and cells",
        papers=(
            "Patterson, Gibson & Katz, A Case for Redundant Arrays of Inexpensive Disks "
            "(RAID), SIGMOD 1988",
            "Chen et al., RAID: High-Performance, Reliable Secondary Storage, ACM Computing "
            "Surveys 26(2), 1994",
            "Cidon et al., Copysets: Reducing the Frequency of Data Loss in Cloud Storage, "
            "USENIX ATC 2013",
            "Availability Zones, Regions, cells and shuffle sharding",
        ),
        summary=(
            "Watch disks fail and rebuild in an array, measure its mean time to data loss "
            "against Patterson's closed form, fail racks, zones and Regions under three "
            "placements, and compare the blast radius of cells and shuffle sharding."
        ),
        engine="algorithms.redundancy:RedundancyEngine",
        template="labs/redundancy.html",
        script="labs/redundancy.js",
        heaviest=(
            {"d": 1_000, "g": 10, "c": 1, "mttf": 30_000, "mttr": 1},
            {
                "action": "sweep",
                "vary": "g",
                "values": [2, 4, 5, 8, 10, 20, 25, 40, 50, 100],
                "trials": 2_000,
            },
        ),
    )
)

LABS.register(
    Lab(
        slug="quorum",
        title="Dynamo's quorums, sloppy quorum and PBS staleness",
        papers=(
            "DeCandia et al., Dynamo: Amazon's Highly Available Key-value Store, SOSP 2007 "
            "(§4.5–4.8)",
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
        heaviest=(
            {"n": 32, "r": 16, "w": 16, "nodes": 64, "latency": "WAN"},
            {"action": "p_consistent", "t": 100.0, "trials": 200_000},
        ),
    )
)
